"""Session inputs as typed commands: one pydantic model per kind, a union tagged by ``do``.

Every input of a session (a turn begins; a seat decides; the white cell vetoes, forces,
injects, sets a value, annotates, forks, undoes; a turn resolves) is one of these commands.
They are parsed at the edges, with one validation and one wording of its problems: the
journal's lines when a session resumes (:mod:`tripwire.session.journal`), a script's steps
(:mod:`tripwire.session.script`), the board's and the session server's input
(:mod:`tripwire.room`). :meth:`tripwire.session.Session.apply` takes them.

On disk a command is the JSON object it was always written as (``{"do": "decide", ...}``):
:meth:`Command.entry` gives the keys that were given, so journals written before these
models existed read and replay unchanged, and a command written now reads back the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    TypeAdapter,
    ValidationError,
)

KINDS = (
    "begin", "decide", "veto", "force", "clear", "inject", "set", "note", "fork", "resolve", "undo",
)  # fmt: skip

# a finite number, not true/false, not text
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
WHITE_CELL = "white cell"


class CommandError(ValueError):
    """An input that is not a well-formed command; the message says what is wrong."""


class _Command(BaseModel):
    # unknown keys are ignored when reading (journals may carry keys of later versions);
    # the web and other strict edges refuse them (see parse_command(strict_keys=True))
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    def entry(self) -> dict[str, Any]:
        """The command as a journal entry: ``do`` and the keys that were given."""
        return {"do": self.do, **self.model_dump(mode="json", exclude_unset=True, exclude={"do"})}  # type: ignore[attr-defined]


class MoveRef(BaseModel):
    """One move: an action id, and its target if it has several."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)
    action: StrictStr
    target: StrictStr | None = None


class Begin(_Command):
    """Begin the next turn (its injects fire, the bots decide)."""

    do: Literal["begin"] = "begin"


class Decide(_Command):
    """A human seat's moves for the turn under way (none: it holds)."""

    do: Literal["decide"] = "decide"
    actor: StrictStr
    moves: list[MoveRef]
    who: StrictStr | None = None


class _WhiteCell(_Command):
    who: StrictStr = WHITE_CELL
    rationale: StrictStr = ""
    publish: StrictBool = False  # the room may read the record (otherwise the white cell's)


class Veto(_WhiteCell):
    """Stop a chosen move before it resolves."""

    do: Literal["veto"] = "veto"
    actor: StrictStr
    action: StrictStr
    target: StrictStr | None = None


class Force(_WhiteCell):
    """Decide a chosen move's success or failure instead of its roll."""

    do: Literal["force"] = "force"
    actor: StrictStr
    action: StrictStr
    target: StrictStr | None = None
    success: StrictBool


class Clear(_WhiteCell):
    """Take back a veto or a forced result: the chosen move goes to the dice again."""

    do: Literal["clear"] = "clear"
    actor: StrictStr
    action: StrictStr
    target: StrictStr | None = None


class Inject(_WhiteCell):
    """Between turns: a library inject (``id``) or an ad-hoc one (``text``, ``effects``)."""

    do: Literal["inject"] = "inject"
    id: StrictStr | None = None
    text: StrictStr | None = None
    effects: dict[StrictStr, Number] | None = None


class SetValue(_WhiteCell):
    """Between turns: set a state variable (clipped to its range)."""

    do: Literal["set"] = "set"
    variable: StrictStr
    value: Number


class Note(_Command):
    """Annotate the game (the white cell's alone unless published)."""

    do: Literal["note"] = "note"
    text: StrictStr
    who: StrictStr = WHITE_CELL
    publish: StrictBool = False


class Fork(_Command):
    """Record the bot continuations the white cell showed (the game is unchanged)."""

    do: Literal["fork"] = "fork"
    runs: StrictInt = Field(ge=1)
    outcomes: dict[StrictStr, dict[StrictStr, Any]]
    who: StrictStr = WHITE_CELL
    publish: StrictBool = False


class Resolve(_Command):
    """Resolve the turn under way."""

    do: Literal["resolve"] = "resolve"


class Undo(_WhiteCell):
    """Go back to just before the last turn began; ``undone_turn`` and ``undone`` are filled
    in when the undo is applied (replays need them)."""

    do: Literal["undo"] = "undo"
    undone_turn: StrictInt | None = Field(default=None, ge=0)
    undone: list[dict[StrictStr, Any]] | None = None


Command = Annotated[
    Annotated[Begin, Tag("begin")]
    | Annotated[Decide, Tag("decide")]
    | Annotated[Veto, Tag("veto")]
    | Annotated[Force, Tag("force")]
    | Annotated[Clear, Tag("clear")]
    | Annotated[Inject, Tag("inject")]
    | Annotated[SetValue, Tag("set")]
    | Annotated[Note, Tag("note")]
    | Annotated[Fork, Tag("fork")]
    | Annotated[Resolve, Tag("resolve")]
    | Annotated[Undo, Tag("undo")],
    Discriminator("do"),
]
COMMAND: TypeAdapter[Command] = TypeAdapter(Command)
COMMANDS = (Begin, Decide, Veto, Force, Clear, Inject, SetValue, Note, Fork, Resolve, Undo)
BY_KIND: dict[str, type[_Command]] = {c.model_fields["do"].default: c for c in COMMANDS}

_EXPECTED = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "list_type": "must be a list",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "missing": "is missing",
    "extra_forbidden": "is not a key of this input",
}


def _problem(err: ValidationError) -> str:
    """A validation error as one sentence naming the field at fault."""
    first = err.errors(include_url=False)[0]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and p in BY_KIND)]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    kind = first["type"]
    if kind == "greater_than_equal":
        text = f"must be {first['ctx']['ge']} or more"
    else:
        text = _EXPECTED.get(kind, first["msg"][:1].lower() + first["msg"][1:])
    return f"'{where}' {text}" if where else text


def parse_command(data: Any, *, strict_keys: bool = False) -> Command:
    """Read one input (a JSON object) as a command.

    Args:
        data: the input, e.g. ``{"do": "note", "text": "..."}``; a command is returned as is.
        strict_keys: refuse keys the command does not have (input typed by people: a
            misspelt ``publsh`` must not pass silently as private); journals are read
            leniently.

    Raises:
        CommandError: one message naming the field at fault.
    """
    if isinstance(data, COMMANDS):
        return data
    if not isinstance(data, Mapping):
        raise CommandError("an input must be a JSON object")
    do = data.get("do")
    if not isinstance(do, str) or do not in BY_KIND:
        raise CommandError(f"unknown input {do!r} (expected one of {', '.join(KINDS)})")
    model = BY_KIND[do]
    if strict_keys:
        extra = [k for k in data if k not in model.model_fields]
        if extra:
            known = ", ".join(k for k in model.model_fields if k != "do")
            raise CommandError(
                f"'{extra[0]}' is not a key of a '{do}' input (its keys: {known or 'none'})"
            )
    try:
        return model.model_validate(dict(data))  # type: ignore[return-value]
    except ValidationError as err:
        raise CommandError(_problem(err)) from None
