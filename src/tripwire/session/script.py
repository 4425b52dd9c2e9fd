"""Session scripts: a rehearsal (or a test) of a facilitated exercise, as a YAML file.

A script lists steps. A turn step gives the white cell's acts before the turn (``before``),
the human seats' decisions (``decide``; a seat not named holds) and the white cell's review
before resolution (``review``); ``undo`` undoes the last turn; ``fork`` runs bot
continuations from there and reports where the game is heading::

    humans: [USA, KOR]
    steps:
      - turn: 1
        before:
          - inject: taiwan_strait_crisis
            rationale: Start the crisis at once.
          - set: {variable: world.tension, value: 70}
        decide:
          USA: [deploy_carrier_group, "extended_deterrence_pledge -> KOR"]
          KOR: [strengthen_kill_chain]
        review:
          - veto: RUS transfer_missile_tech
            rationale: Keep the technology track for the next session.
          - force: PRK icbm_test
            success: false
      - undo: Let the teams replay turn 1.
      - fork: 200

Problems are located like scenario errors (``PATH:LINE:COL: error: ...``): unknown actors,
actions an actor does not have, unknown injects or variables at load time; and, while the
script plays, an action that is not legal at that point of the game.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from tripwire.errors import Diagnostic, Location, ScenarioError, did_you_mean
from tripwire.scenario.schema import ActorCode, Strict
from tripwire.scenario.validation import validate_model
from tripwire.scenario.yamlsafe import MarkedMap, locate, read_yaml
from tripwire.session.commands import CommandError, parse_command
from tripwire.session.fork import ForkResult, fork, fork_entry
from tripwire.session.session import Session, SessionError
from tripwire.sim.model import check_moves

_MOVE = re.compile(r"\s*([a-z][a-z0-9_]*)\s*(?:->\s*([A-Z]{3}))?\s*")
_ACTOR_MOVE = re.compile(r"\s*([A-Z]{3})\s+([a-z][a-z0-9_]*)\s*(?:->\s*([A-Z]{3}))?\s*")


class AdhocInject(Strict):
    """An inject written on the spot."""

    text: str
    """What happens."""
    effects: dict[str, float] = Field(default_factory=dict)
    """Variable -> change."""


class SetValue(Strict):
    """A state variable set by the white cell."""

    variable: str
    """The variable, e.g. world.tension."""
    value: float
    """Its new value (clipped to its range)."""


class WhiteCellAct(Strict):
    """One act of the white cell: exactly one of inject, set, note, veto, force."""

    inject: str | AdhocInject | None = None
    """A library inject id, or an ad-hoc inject (before the turn)."""
    set: SetValue | None = None
    """Set a variable (before the turn)."""
    note: str | None = None
    """Annotate the turn."""
    veto: str | None = None
    """'ACTOR action' (or 'ACTOR action -> TARGET') to veto (in review)."""
    force: str | None = None
    """'ACTOR action' whose outcome to force (in review); give success."""
    success: bool | None = None
    """With force: succeed (true) or fail (false)."""
    rationale: str = ""
    """Why: kept in the log for the after-action review."""
    who: str = "white cell"
    """Who acted."""

    @model_validator(mode="after")
    def _one(self) -> WhiteCellAct:
        given = [
            k for k in ("inject", "set", "note", "veto", "force") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "act",
                "give exactly one of inject, set, note, veto, force (got {n})",
                {"n": len(given)},
            )
        if (self.force is None) != (self.success is None):
            raise PydanticCustomError(
                "act", "force needs success: true or false, and only force does", {}
            )
        return self


class TurnStep(Strict):
    """The inputs of one turn."""

    turn: int = Field(ge=1)
    """The turn (checked: it must be the next turn to play)."""
    before: list[WhiteCellAct] = Field(default_factory=list)
    """White-cell acts before the turn begins (inject, set, note)."""
    decide: dict[ActorCode, list[str]] = Field(default_factory=dict)
    """Human seat -> its actions ('action' or 'action -> TARGET'; [hold] or [] for none); a
    seat not named holds."""
    review: list[WhiteCellAct] = Field(default_factory=list)
    """White-cell acts after the decisions, before resolution (veto, force, note)."""


class UndoStep(Strict):
    """Undo the last turn."""

    undo: str
    """Why (kept in the log)."""
    who: str = "white cell"
    """Who acted."""


class ForkStep(Strict):
    """Play bot continuations from here and report the outcomes' distribution."""

    fork: int = Field(ge=1, le=100_000)
    """How many continuations."""


def _step_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("turn", "undo", "fork"):
            if key in value:
                return f"{key}-step"
    return "turn-step"


Step = Annotated[
    Annotated[TurnStep, Tag("turn-step")]
    | Annotated[UndoStep, Tag("undo-step")]
    | Annotated[ForkStep, Tag("fork-step")],
    Discriminator(_step_kind),
]


class Script(Strict):
    """A session script."""

    humans: list[ActorCode] | None = None
    """The human seats (must match the session's, if given)."""
    steps: list[Step]
    """What happens, in order."""


@dataclass(frozen=True, slots=True)
class Planned:
    """A step turned into session inputs, each with the location it was written at."""

    index: int
    kind: Literal["turn", "undo", "fork"]
    entries: list[tuple[dict[str, Any], Location]]
    runs: int = 0  # for a fork
    move_at: dict[int, list[Location]] = field(default_factory=dict)  # decide entry -> moves
    where: Location | None = None  # for a fork: where it is written


@dataclass(slots=True)
class LoadedScript:
    path: str
    script: Script
    steps: list[Planned]


def _parse_move(text: str, where: Location) -> tuple[str, str | None]:
    m = _MOVE.fullmatch(text)
    if not m:
        raise ScenarioError(
            [Diagnostic(where, f"'{text}': write an action id, or 'action -> TARGET'")]
        )
    return m.group(1), m.group(2)


def _parse_actor_move(text: str, where: Location) -> tuple[str, str, str | None]:
    m = _ACTOR_MOVE.fullmatch(text)
    if not m:
        raise ScenarioError(
            [Diagnostic(where, f"'{text}': write 'ACTOR action' or 'ACTOR action -> TARGET'")]
        )
    return m.group(1), m.group(2), m.group(3)


def load_script(path: Path, session: Session) -> LoadedScript:
    """Read, validate and check a script against a session's scenario.

    Raises:
        ScenarioError: every problem found, located.
    """
    name = str(path)
    data = read_yaml(path, name)
    if not isinstance(data, MarkedMap):
        where = getattr(data, "location", Location(name))
        raise ScenarioError([Diagnostic(where, "a script is a mapping with 'steps'")])
    script = validate_model(Script, data, None, name)
    problems: list[Diagnostic] = []
    fallback = Location(name)

    def at(*loc: str | int) -> Location:
        return locate(data, loc, fallback=fallback)[0]

    if script.humans is not None and sorted(script.humans) != sorted(session.info.humans):
        problems.append(
            Diagnostic(
                at("humans"),
                f"the session's human seats are {', '.join(session.info.humans) or 'none'}",
            )
        )
    planned: list[Planned] = []
    for k, step in enumerate(script.steps):
        try:
            planned.append(_plan(k, step, session, at))
        except ScenarioError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise ScenarioError(problems)
    return LoadedScript(name, script, planned)


def _plan(k: int, step: Any, session: Session, at: Callable[..., Location]) -> Planned:
    """Turn a step into session inputs, checking names against the scenario."""
    rules = session.rules
    problems: list[Diagnostic] = []
    entries: list[tuple[dict[str, Any], Location]] = []
    move_at: dict[int, list[Location]] = {}

    def check_move(
        actor: str, action: str, target: str | None, where: Location, *, chosen: bool = False
    ) -> None:
        try:
            if chosen and target is None:
                # a review names a chosen move, and an actor takes an action once a turn, so
                # the target may be left out; whether it was chosen is checked in play
                session.moves_for(actor, action)
            else:
                session.find_move(actor, action, target)
        except SessionError as err:
            problems.append(Diagnostic(where, str(err)))

    if isinstance(step, UndoStep):
        return Planned(
            k,
            "undo",
            [({"do": "undo", "rationale": step.undo, "who": step.who}, at("steps", k, "undo"))],
        )
    if isinstance(step, ForkStep):
        return Planned(k, "fork", [], runs=step.fork, where=at("steps", k, "fork"))
    for i, act in enumerate(step.before):
        where = at("steps", k, "before", i)
        if act.veto is not None or act.force is not None:
            problems.append(
                Diagnostic(where, "veto and force belong in review, after the decisions")
            )
        entries.append((_white_cell_entry(act, rules, where, problems), where))
    entries.append(({"do": "begin"}, at("steps", k, "turn")))
    for actor, moves in step.decide.items():
        where = at("steps", k, "decide", actor)
        if actor not in session.info.humans:
            key = at("steps", k, "decide", actor, "[key]")
            problems.append(Diagnostic(key, f"{actor} is played by a bot in this session"))
            continue
        parsed, move_at[len(entries)] = _plan_decision(
            session, actor, moves, k=k, at=at, problems=problems
        )
        entries.append(({"do": "decide", "actor": actor, "moves": parsed}, where))
    for actor in session.info.humans:
        if actor not in step.decide:
            entries.append(({"do": "decide", "actor": actor, "moves": []}, at("steps", k, "turn")))
    for i, act in enumerate(step.review):
        where = at("steps", k, "review", i)
        if act.inject is not None or act.set is not None:
            problems.append(Diagnostic(where, "inject and set belong in before, between turns"))
            continue
        if act.veto is not None or act.force is not None:
            try:
                actor, action, target = _parse_actor_move(act.veto or act.force or "", where)
            except ScenarioError as err:
                problems.extend(err.diagnostics)
                continue
            check_move(actor, action, target, where, chosen=True)
        entries.append((_white_cell_entry(act, rules, where, problems), where))
    entries.append(({"do": "resolve"}, at("steps", k, "turn")))
    for entry, where in entries:  # the commands' own checks, as for every other input
        try:
            parse_command(entry)
        except CommandError as err:
            problems.append(Diagnostic(where, str(err)))
    if problems:
        raise ScenarioError(problems)
    return Planned(k, "turn", entries, move_at=move_at)


def _plan_decision(
    session: Session,
    actor: str,
    moves: list[str],
    *,
    k: int,
    at: Callable[..., Location],
    problems: list[Diagnostic],
) -> tuple[list[dict[str, str | None]], list[Location]]:
    """A seat's moves as ``{"action", "target"}``, each checked against the scenario, and
    where each was written."""
    parsed: list[dict[str, str | None]] = []
    places: list[Location] = []
    if "hold" in [m.strip() for m in moves] and len(moves) > 1:
        problems.append(
            Diagnostic(at("steps", k, "decide", actor), "'hold' means no action: give it alone")
        )
    for i, text in enumerate(moves):
        where = at("steps", k, "decide", actor, i)
        if text.strip() == "hold":
            continue
        try:
            action, target = _parse_move(text, where)
            session.find_move(actor, action, target)
        except ScenarioError as err:
            problems.extend(err.diagnostics)
            continue
        except SessionError as err:
            problems.append(Diagnostic(where, str(err)))
            continue
        parsed.append({"action": action, "target": target})
        places.append(where)
    return parsed, places


def _white_cell_entry(
    act: WhiteCellAct, rules: Any, where: Location, problems: list[Diagnostic]
) -> dict[str, Any]:
    base = {"who": act.who, "rationale": act.rationale}
    if act.note is not None:
        return {"do": "note", "text": act.note, "who": act.who}
    if act.set is not None:
        if act.set.variable not in rules.index:
            hint = did_you_mean(act.set.variable, rules.index)
            problems.append(Diagnostic(where, f"unknown variable '{act.set.variable}'{hint}"))
        else:
            i = rules.index[act.set.variable]
            lo, hi = rules.lo_list[i], rules.hi_list[i]
            if not lo <= act.set.value <= hi:
                problems.append(
                    Diagnostic(
                        where,
                        f"{act.set.value:g} is outside {act.set.variable}'s range [{lo:g}, {hi:g}]",
                    )
                )
        return {"do": "set", "variable": act.set.variable, "value": act.set.value, **base}
    if isinstance(act.inject, str):
        if act.inject not in rules.library:
            known = ", ".join(sorted(rules.library)) or "none"
            hint = did_you_mean(act.inject, rules.library)
            problems.append(
                Diagnostic(
                    where, f"unknown inject '{act.inject}'{hint} (this scenario has: {known})"
                )
            )
        return {"do": "inject", "id": act.inject, **base}
    if act.inject is not None:
        for name in act.inject.effects:
            if name not in rules.index:
                hint = did_you_mean(name, rules.index)
                problems.append(Diagnostic(where, f"unknown variable '{name}'{hint}"))
        return {
            "do": "inject",
            "text": act.inject.text,
            "effects": dict(act.inject.effects),
            **base,
        }
    text = act.veto or act.force or ""
    m = _ACTOR_MOVE.fullmatch(text)
    actor, action, target = (m.group(1), m.group(2), m.group(3)) if m else ("", "", None)
    if act.veto is not None:
        return {"do": "veto", "actor": actor, "action": action, "target": target, **base}
    return {
        "do": "force",
        "actor": actor,
        "action": action,
        "target": target,
        "success": act.success,
        **base,
    }


def play_script(
    session: Session,
    loaded: LoadedScript,
    *,
    on_turn: Callable[[Session], None] | None = None,
    on_fork: Callable[[Session, ForkResult], None] | None = None,
    fork_jobs: int = 1,
) -> Iterator[int]:
    """Apply the script's steps not yet applied to the session; yield each step's index.

    Each turn step is saved as one journal line (all or nothing), so a session killed
    mid-script resumes at a step boundary. A fork step plays its continuations (on
    ``fork_jobs`` processes), records what they showed in the log and hands the result to
    ``on_fork``.

    Raises:
        ScenarioError: a step is not possible at that point of the game (located).
    """
    check_played(session, loaded)
    for planned in loaded.steps:
        if planned.index <= session.script_step:
            continue
        if planned.kind == "fork":
            try:
                result = fork(session, planned.runs, jobs=fork_jobs)
            except SessionError as err:
                where = planned.where or Location(loaded.path)
                raise ScenarioError([Diagnostic(where, str(err))]) from None
            session.apply_step([fork_entry(result)], step=planned.index)
            if on_fork is not None:
                on_fork(session, result)
            yield planned.index
            continue
        first = planned.entries[0][1] if planned.entries else Location(loaded.path)
        step = loaded.script.steps[planned.index]
        if isinstance(step, TurnStep) and step.turn != session.turn + 1:
            raise ScenarioError(
                [
                    Diagnostic(
                        first,
                        f"this step is for turn {step.turn}, "
                        f"but the next turn is {session.turn + 1}",
                    )
                ]
            )
        try:
            session.apply_step([e for e, _ in planned.entries], step=planned.index)
        except SessionError as err:
            where = _failing_location(session, planned)
            raise ScenarioError([Diagnostic(where, str(err))]) from None
        if on_turn is not None and planned.kind == "turn":
            on_turn(session)
        yield planned.index


_CHANGED = (
    "steps[{index}] has changed since this session played it: a played step cannot change "
    "(add an undo step to replay a turn, or start a new session)"
)


def check_played(session: Session, loaded: LoadedScript) -> None:
    """Refuse a script whose steps already played in this session have changed since.

    Resuming skips the steps the session has played; a script edited in between would
    otherwise be ignored there without a word.

    Raises:
        ScenarioError: one located error per changed step.
    """
    saved = {line["step"]: line.get("entries", []) for line in session.lines if "step" in line}
    problems: list[Diagnostic] = []
    for planned in loaded.steps:
        if planned.index > session.script_step:
            break
        got = saved.get(planned.index)
        if planned.kind == "fork":  # saved with what it showed (or, before, with nothing)
            if got is not None and all(e.get("runs") == planned.runs for e in got):
                continue
            where = planned.where or Location(loaded.path)
            problems.append(Diagnostic(where, _CHANGED.format(index=planned.index)))
            continue
        want = [entry for entry, _ in planned.entries]
        if got is not None and len(got) == len(want):
            differ = [i for i, (w, g) in enumerate(zip(want, got, strict=True)) if not _same(w, g)]
            if not differ:
                continue
            where = planned.entries[differ[0]][1]
        else:
            where = planned.entries[0][1] if planned.entries else Location(loaded.path)
        problems.append(Diagnostic(where, _CHANGED.format(index=planned.index)))
    if problems:
        raise ScenarioError(problems)


def _same(planned: dict[str, Any], saved: dict[str, Any]) -> bool:
    """Whether a saved input is the planned one (saving may add keys, such as an undo's
    turn)."""
    return all(key in saved and saved[key] == value for key, value in planned.items())


def _failing_location(session: Session, planned: Planned) -> Location:
    """Find which input of a step fails, by trying them on a copy of the session."""
    trial = Session(session.info, None)
    trial.lines = list(session.lines)
    trial._replay()
    for n, (entry, where) in enumerate(planned.entries):
        try:
            trial._act(parse_command(entry))
        except (SessionError, CommandError):
            if entry.get("do") == "decide" and n in planned.move_at:
                return _failing_move(trial, entry, planned.move_at[n]) or where
            return where
    return planned.entries[0][1]


def _failing_move(trial: Session, entry: dict[str, Any], places: list[Location]) -> Location | None:
    """Where the first move that makes a seat's choice impossible was written."""
    rules, actor = trial.rules, entry["actor"]
    chosen = [trial.find_move(actor, m["action"], m.get("target")).index for m in entry["moves"]]
    for j, place in enumerate(places):
        try:
            check_moves(rules, trial.model.view, rules.actors.index(actor), chosen[: j + 1])
        except ValueError:
            return place
    return None
