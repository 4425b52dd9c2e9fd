"""What the exercise screens say, without pygame: move cards, effects in words, the review's
rows, the white cell's typed inputs (effects, numbers, variable names) and the briefing's acts.

Pure functions of a session's public state (its compiled rules, the decision view, the pending
turn's choices and the journal's lines); nothing here changes the game. The drawing lives in
:mod:`tripwire.board.exercise.view` and the event loop in :mod:`tripwire.board.exercise.app`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tripwire.board.common.colours import DOMAIN_LETTERS, RGB, goldstein_colour
from tripwire.session.cards import ActionCard
from tripwire.session.session import Review, Session
from tripwire.sim.events import DECIMALS, WHITE, visible

__all__ = [
    "MoveCard",
    "ReviewRow",
    "briefing_acts",
    "card_from",
    "check_variable",
    "effect_words",
    "format_delta",
    "inject_effects",
    "is_share",
    "live_records",
    "move_card",
    "parse_effects",
    "parse_number",
    "parse_value",
    "review_rows",
    "suggest_variables",
]


def format_delta(x: float) -> str:
    """A change written short, with its sign: +4, +0.05, and negatives with a true minus sign."""
    a = abs(float(x))
    if a >= 10:
        text = f"{a:.0f}"
    elif a >= 1:
        text = f"{a:.1f}".removesuffix(".0")
    else:
        text = f"{a:.2f}".rstrip("0").rstrip(".") or "0"
    return ("−" if x < 0 else "+") + text


def effect_words(
    row: np.ndarray,
    var_names: Sequence[str],
    spans: Sequence[float],
    k: int = 3,
) -> list[str]:
    """The ``k`` largest expected changes of a move, as "world.tension +4".

    Changes are ranked by their size relative to the variable's range (a 0.05 change of a
    0-1 share matters as much as a 5-point change of a 0-100 index); the game's bookkeeping
    parameters (``param.*``) are left out.
    """
    rel = np.abs(row) / np.maximum(np.asarray(spans, dtype=float), 1e-9)
    out = []
    for i in np.argsort(-rel, kind="stable"):
        if len(out) >= k or row[i] == 0:
            break
        name = var_names[i]
        if name.startswith("param."):
            continue
        out.append(f"{name} {format_delta(float(row[i]))}")
    return out


@dataclass(frozen=True, slots=True)
class MoveCard:
    """One option in a seat's action menu, in words.

    Attributes:
        index: the move's index in the rules.
        action: the action's id (what the session's ``decide`` entry names).
        target: the target actor's code, or None.
        name: the action's display name.
        target_name: "North Korea", or "" for an untargeted action.
        domain: "Military", "Diplomatic"...
        letter: the domain's badge letter.
        colour: the Goldstein colour of the action (red conflict, blue cooperation).
        description: the plain description.
        cost: the action's cost.
        chance: the chance of success, 0-1.
        on_success: the largest expected changes if it succeeds ("world.tension +4").
        on_failure: the same if it fails.
    """

    index: int
    action: str
    target: str | None
    name: str
    target_name: str
    domain: str
    letter: str
    colour: RGB
    description: str
    cost: float
    chance: float
    on_success: tuple[str, ...]
    on_failure: tuple[str, ...]
    number: int = 0
    available: bool = True
    reason: str = ""
    partners: str = ""
    points: int = 1

    @property
    def label(self) -> str:
        """ "Deploy carrier group → North Korea" (or just the name)."""
        return f"{self.name} → {self.target_name}" if self.target_name else self.name

    @property
    def meta(self) -> str:
        """ "Military · 1 action point" (and the partners of a joint move)."""
        points = f"{self.points} action point" + ("" if self.points == 1 else "s")
        joint = f" · {self.partners}" if self.partners else ""
        return f"{self.domain} · {points}{joint}"

    @property
    def effects_line(self) -> str:
        """ "On success: world.tension +4, … · on failure: rel.PRK_USA -0.9"."""
        parts = []
        if self.on_success:
            parts.append("On success: " + ", ".join(self.on_success))
        if self.on_failure:
            parts.append(("on failure: " if parts else "On failure: ") + ", ".join(self.on_failure))
        return " · ".join(parts) or "No expected change to the state"


def card_from(card: ActionCard, rules: Any) -> MoveCard:
    """A menu card from a plain-language card of :mod:`tripwire.session.cards` (its effects
    in words, its number, whether it is available and why not)."""
    move = rules.moves[card.index]
    return MoveCard(
        index=card.index,
        action=card.action,
        target=card.target,
        name=card.name,
        target_name=card.target_name,
        domain=card.domain,
        letter=DOMAIN_LETTERS.get(move.domain, "?"),
        colour=goldstein_colour(move.goldstein),
        description=card.description,
        cost=float(move.cost),
        chance=card.chance,
        on_success=tuple(e.words for e in card.on_success),
        on_failure=tuple(e.words for e in card.on_failure),
        number=card.number,
        available=card.available,
        reason=card.reason_text,
        partners=f"joint with {', '.join(card.partners)}" if card.partners else "",
        points=card.points,
    )


def move_card(rules: Any, move: Any, chance: float, names: Mapping[str, str]) -> MoveCard:
    """The card of one move (``rules`` compiled rules, ``move`` one of ``rules.moves``)."""
    spans = [hi - lo for lo, hi in zip(rules.lo_list, rules.hi_list, strict=True)]
    m = move.index
    return MoveCard(
        index=m,
        action=move.action,
        target=move.target,
        name=move.name,
        target_name=names.get(move.target, move.target) if move.target else "",
        domain=str(move.domain or "").capitalize(),
        letter=DOMAIN_LETTERS.get(move.domain, "?"),
        colour=goldstein_colour(move.goldstein),
        description=move.description,
        cost=float(move.cost),
        chance=float(chance),
        on_success=tuple(effect_words(rules.delta_success[m], rules.var_names, spans, 3)),
        on_failure=tuple(effect_words(rules.delta_failure[m], rules.var_names, spans, 2)),
    )


# --- the white cell's review -------------------------------------------------------------

C_HOLD: RGB = goldstein_colour(0.0)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One line of the review: a chosen move (``index`` set) or an actor holding.

    Attributes:
        actor: the actor's code.
        human: whether people play the actor.
        index: the chosen move's index, or None for a hold.
        label: "Deploy carrier group → North Korea", or "holds (chooses nothing)".
        letter: the domain's badge letter ("H" for a hold).
        colour: the Goldstein colour.
        chance: the chance of success (None for a hold).
        status: "rolls", "vetoed", "forced success" or "forced failure" ("" for a hold).
    """

    actor: str
    human: bool
    index: int | None
    label: str
    letter: str
    colour: RGB
    chance: float | None
    status: str


def review_rows(
    rules: Any,
    review: Review,
    *,
    humans: Iterable[str],
    names: Mapping[str, str],
) -> list[ReviewRow]:
    """Every actor's chosen moves (bots' too), in actor order, with the white cell's marks
    (``review``: :meth:`tripwire.session.Session.under_review`)."""
    chosen, vetoed, forced, success = review.chosen, review.vetoed, review.forced, review.success
    humans = set(humans)
    rows = []
    for a, code in enumerate(rules.actors):
        moves = list(chosen[a] or [])
        if not moves:
            rows.append(
                ReviewRow(
                    code, code in humans, None, "holds (chooses nothing)", "H", C_HOLD, None, ""
                )
            )
        for m in moves:
            card = move_card(rules, rules.moves[m], float(success[m]), names)
            if m in vetoed:
                status = "vetoed"
            elif m in forced:
                status = "forced success" if forced[m] else "forced failure"
            else:
                status = "rolls"
            rows.append(
                ReviewRow(
                    code,
                    code in humans,
                    m,
                    card.label,
                    card.letter,
                    card.colour,
                    card.chance,
                    status,
                )
            )
    return rows


def inject_effects(effects: Iterable[tuple[int, float]], var_names: Sequence[str]) -> str:
    """An inject's effects in words: "world.tension +5, PRK.posture -3" ("" for none)."""
    return ", ".join(f"{var_names[i]} {format_delta(d)}" for i, d in effects)


# --- the board's records ----------------------------------------------------------------


def live_records(session: Session, viewer: str = WHITE) -> list[dict[str, Any]]:
    """The records the board shows now, as ``viewer`` may see them (:func:`visible`).

    The event log holds a turn's snapshot only once it resolves, but the white cell's acts
    between turns (an inject, an ad-hoc inject, a set value) change the state at once, and
    so do the injects that open a turn: teams must decide on today's numbers. So when the
    state has moved since the last snapshot, that snapshot is shown with the state as it is
    now and the acts since then are added to its turn's feed (from the seq after the last).
    The log itself is not changed: this is only what the board draws.
    """
    log = session.log
    if session.under_way:
        extra = [e for e in session.turn_events() if e.get("kind") == "inject"]
    else:
        extra = [r for r in session.records()[len(log) :] if r.get("type") == "event"]
    last = next((i for i in range(len(log) - 1, -1, -1) if log[i].get("type") == "turn"), None)
    if last is None:
        return [r for r in log if visible(r, viewer)]
    snap = log[last]
    rules, now_state = session.rules, session.state
    idx = rules.snapshot_index.tolist()
    values = np.round(now_state[idx], DECIMALS).tolist()
    state = {rules.var_names[i]: (0.0 if v == 0 else v) for i, v in zip(idx, values, strict=True)}
    if not extra and state == snap.get("state"):
        return [r for r in log if visible(r, viewer)]
    turn = int(snap.get("turn", 0))
    seq = 1 + max((int(r.get("seq", -1)) for r in log if r.get("turn") == turn), default=-1)
    now = {
        **snap,
        "state": state,
        "rung": round(float(now_state[rules.rung_index])),
        "escalation_score": round(float(now_state[rules.score_index])),
    }
    added = [
        {**e, "type": "event", "turn": turn, "seq": seq + k}
        for k, e in enumerate(r for r in extra if visible(r, viewer))
    ]
    out = [r for r in log[:last] if visible(r, viewer)]
    return [*out, *added, now, *(r for r in log[last + 1 :] if visible(r, viewer))]


# --- typed inputs ------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float:
    """A typed number ("70", "-3", "+2.5", "0.4").

    Raises:
        ValueError: not a number (the message says what was typed).
    """
    t = text.strip().replace("−", "-").replace(",", ".")
    if not _NUMBER.match(t):
        raise ValueError(f"'{text.strip()}' is not a number")
    return float(t)


def is_share(lo: float, hi: float) -> bool:
    """Whether a variable of this range is a 0-1 share, which the board shows in percent."""
    return lo >= 0.0 and hi <= 1.0


def parse_value(text: str, lo: float, hi: float, *, percent: bool = False) -> float:
    """A value typed for a variable of range ``lo``-``hi``, in the units the board shows:
    percent for a 0-1 share ("45" or "45%" is 0.45), else the variable's own.

    Raises:
        ValueError: not a number, or outside the range (the message says the range in the
            units typed); nothing is clipped silently.
    """
    t = text.strip()
    if percent:
        t = t.removesuffix("%").strip()
    elif t.endswith("%"):
        raise ValueError(f"'{text.strip()}': this variable is not a percentage; type a number")
    v = parse_number(t)
    if percent:
        if not lo * 100 <= v <= hi * 100:
            raise ValueError(
                f"{text.strip()}% is outside {lo * 100:g}% to {hi * 100:g}%: type a percentage, "
                f"e.g. 45 for 45%"
            )
        return round(v / 100, 6)
    if not lo <= v <= hi:
        raise ValueError(f"{text.strip()} is outside {lo:g} to {hi:g}: type a value in the range")
    return v


def suggest_variables(text: str, var_names: Sequence[str], k: int = 5) -> list[str]:
    """Variable names matching what is typed: those starting with it, then containing it,
    then close spellings (for "did you mean")."""
    t = text.strip()
    if not t:
        return []
    low = t.lower()
    starts = [v for v in var_names if v.lower().startswith(low)]
    within = [v for v in var_names if low in v.lower() and v not in starts]
    close = [
        v
        for v in difflib.get_close_matches(t, var_names, n=k, cutoff=0.6)
        if v not in starts and v not in within
    ]
    return (starts + within + close)[:k]


def check_variable(text: str, var_names: Sequence[str]) -> str:
    """The variable named by ``text``.

    Raises:
        ValueError: no such variable (the message suggests close names).
    """
    name = text.strip()
    if name in var_names:
        return name
    if not name:
        raise ValueError("type a variable name, e.g. world.tension")
    near = suggest_variables(name, var_names, 3)
    hint = f" (did you mean {', '.join(near)}?)" if near else " (e.g. world.tension, PRK.posture)"
    raise ValueError(f"unknown variable '{name}'{hint}")


def parse_effects(text: str, var_names: Sequence[str]) -> dict[str, float]:
    """Effects typed as ``world.tension=+5, PRK.posture=-3`` (``:`` works for ``=``, ``;``
    for ``,``).

    Raises:
        ValueError: a piece is not ``NAME=NUMBER``, or a name is not a state variable.
    """
    out: dict[str, float] = {}
    pieces = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    if not pieces:
        raise ValueError("type at least one effect, e.g. world.tension=+5")
    for piece in pieces:
        parts = re.split(r"[=:]", piece, maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            raise ValueError(f"write '{piece}' as NAME=CHANGE, e.g. world.tension=+5")
        name, value = parts
        name = check_variable(name, var_names)
        try:
            out[name] = out.get(name, 0.0) + parse_number(value)
        except ValueError:
            raise ValueError(f"'{value.strip()}' in '{piece}' is not a number") from None
    return out


# --- the journal, for the white cell -----------------------------------------------------


def briefing_acts(lines: Sequence[Mapping[str, Any]]) -> list[str]:
    """The white cell's acts since the last turn was resolved (or undone), in words.

    Seats' decisions are never listed (the console may be open while a team chooses).
    """
    entries: list[Mapping[str, Any]] = []
    for line in lines:
        entries.extend(line.get("entries", [line]))
    since = 0
    for i, e in enumerate(entries):
        if e.get("do") in ("resolve", "undo"):
            since = i + 1
    out = []
    for e in entries[since:]:
        do = e.get("do")
        why = f" — {e['rationale']}" if e.get("rationale") else ""
        if do == "inject":
            what = e.get("id") or e.get("text") or "ad-hoc event"
            out.append(f"Inject: {what}{why}")
        elif do == "set":
            out.append(f"Set {e.get('variable')} to {e.get('value')}{why}")
        elif do == "note":
            out.append(f"Note: {e.get('text', '')}")
        elif do in ("veto", "force", "clear"):
            kind = {"veto": "Veto", "clear": "Let the dice decide"}.get(
                do, "Force success" if e.get("success") else "Force failure"
            )
            out.append(f"{kind}: {e.get('actor')} {e.get('action')}{why}")
    return out
