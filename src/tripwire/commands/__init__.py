"""What each command of the command line does, one module per group of commands.

:mod:`tripwire.cli` declares the commands and their options, converts the arguments and
calls one function here, which checks the options against each other and the outputs before
any work, calls the layers below, and prints the results. A function here never exits the
process: bad input raises :class:`~tripwire.errors.InputError` (the CLI prints one located
line per problem and exits 2) and any other failure raises :class:`CommandFailed` (the CLI
prints its lines and exits with its status). Heavy imports happen inside the functions, so
that importing a module here (and ``tripwire --help``) stays quick.
"""

from __future__ import annotations

import sys

from tripwire.errors import InputError, TripwireError, format_lines


class CommandFailed(TripwireError):
    """A command stopped without bad input to locate: the lines to print on stderr (none if
    they are printed already) and the exit status (1: it failed, 2: options that do not go
    together, 130: interrupted)."""

    def __init__(self, *lines: str, status: int = 1):
        self.lines = lines
        self.status = status
        super().__init__("\n".join(lines))


def print_errors(err: InputError) -> None:
    """Each diagnostic on its own line (at most MAX_LINES of them) on stderr."""
    for line in format_lines(err.diagnostics):
        print(line, file=sys.stderr)
