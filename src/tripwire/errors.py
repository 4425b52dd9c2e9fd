"""Located diagnostics and the exceptions that carry them.

Every problem with user input becomes a :class:`Diagnostic` with a file location, printed as
``PATH:LINE:COL: error: MESSAGE`` (1-based; docs/architecture.md, Errors). Code that finds several
problems collects them all and raises one :class:`InputError` holding every diagnostic, so
that a scenario author sees all the mistakes in one go.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Error output stays readable whatever the input: a message is cut after MAX_MESSAGE
# characters (a 150,000-character value is never quoted in full; lists of names stay whole)
# and a command prints at most MAX_LINES diagnostics per file, then how many more there were.
MAX_MESSAGE = 1000
MAX_LINES = 100


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file: 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def shifted(self, columns: int) -> Location:
        """The same line, ``columns`` characters further right."""
        return Location(self.path, self.line, self.column + columns)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in an input file."""

    location: Location
    message: str
    severity: str = "error"

    def format(self) -> str:
        """Render as ``PATH:LINE:COL: severity: message``."""
        loc = self.location
        message = " ".join(self.message.split())  # always one line per problem
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        path = loc.path if len(loc.path) <= MAX_MESSAGE else loc.path[: MAX_MESSAGE - 3] + "..."
        return f"{path}:{loc.line}:{loc.column}: {self.severity}: {message}"


def format_lines(diagnostics: Sequence[Diagnostic], limit: int = MAX_LINES) -> list[str]:
    """The lines to print for ``diagnostics``: the first ``limit``, then a count of the rest."""
    lines = [d.format() for d in diagnostics[:limit]]
    if len(diagnostics) > limit:
        rest = diagnostics[limit:]
        kind = "errors" if any(d.severity == "error" for d in rest) else "warnings"
        lines.append(f"... and {len(rest)} more {kind}")
    return lines


class TripwireError(Exception):
    """Base class of Tripwire's own exceptions."""


class InputError(TripwireError, ValueError):
    """Bad input (a scenario, a log, a script): carries one diagnostic per problem.

    The CLI prints each diagnostic on its own line and exits with status 2.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(
                dict.fromkeys(diagnostics),
                key=lambda d: (d.location.path, d.location.line, d.location.column, d.message),
            )
        )
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class ScenarioError(InputError):
    """A scenario file (or the catalog) failed to load or validate."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` suffix for a misspelt name, or an empty string."""
    options = list(candidates)
    pair = re.fullmatch(r"rel\.([A-Z]{3})_([A-Z]{3})", word)
    if pair and f"rel.{pair[2]}_{pair[1]}" in options:
        swapped = f"rel.{pair[2]}_{pair[1]}"
        return f" (did you mean '{swapped}'? a relation names its actors in alphabetical order)"
    prefixed = [c for c in options if len(word) >= 3 and c.startswith(word)]
    matches = (
        prefixed[:1]
        if len(prefixed) == 1
        else difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    )
    return f" (did you mean '{matches[0]}'?)" if matches else ""
