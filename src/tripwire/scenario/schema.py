"""The scenario and catalog file formats, as frozen pydantic models.

This module owns what a valid file looks like (docs/scenario-guide.md): field names and types,
ranges, unknown keys forbidden, exact types (no YAML 1.1 coercions). Names that refer to the
rest of the world (variables, actors, tags, CAMEO codes, the expressions of conditions) are
checked here too, against a :class:`Names` object passed as pydantic's validation context, so
that structural and naming mistakes are reported together. Checks that need several fields at
once live in :mod:`tripwire.scenario.loader`.

The field docstrings become the descriptions of the JSON Schema (``tripwire schema``), which
editors use for completion and hover help.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tripwire.errors import did_you_mean
from tripwire.scenario.expr import Expr, ExprContext, ExprError, parse_expr

ACTORS: tuple[str, ...] = ("RUS", "PRK", "CHN", "USA", "KOR", "JPN")
DOMAINS: tuple[str, ...] = ("diplomatic", "economic", "intelligence", "propaganda", "military")
ESCALATION: tuple[str, ...] = (
    "nuclear",
    "violent",
    "non_violent",
    "posturing",
    "de_escalation",
    "status_quo",
)
NAMESPACES = ("world", "alliance", "coop", "rel", "param", *ACTORS)

# How long a scenario's lists may be (docs/scenario-guide.md, "Limits"). The engine's set-up
# grows faster than linearly with the moves (docs: MAX_MOVES in the loader), and a game's
# records with turns x (injects + triggers): beyond these a file is refused, not played.
MAX_ACTIONS = 200
MAX_INJECTS = 200
MAX_TRIGGERS = 100
MAX_OUTCOMES = 50
MAX_DYNAMICS = 100
MAX_VARIABLES = 200
MAX_TAGS = 16
LIST_LIMITS = {
    "variables": MAX_VARIABLES,
    "injects": MAX_INJECTS,
    "triggers": MAX_TRIGGERS,
    "outcomes": MAX_OUTCOMES,
    "dynamics": MAX_DYNAMICS,
    "actions": MAX_ACTIONS,
}

ActorCode = Literal["RUS", "PRK", "CHN", "USA", "KOR", "JPN"]
Domain = Literal["diplomatic", "economic", "intelligence", "propaganda", "military"]
Escalation = Literal[
    "nuclear", "violent", "non_violent", "posturing", "de_escalation", "status_quo"
]

_SLUG = re.compile(r"[a-z][a-z0-9_]{0,63}")
_VAR = re.compile(r"([A-Za-z]+)\.([A-Za-z][A-Za-z0-9_]{0,63})")
_MONTH = re.compile(r"(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class Names:
    """Everything a file may refer to by name; the validation context of every model.

    Attributes:
        variables: state variable name -> (min, max).
        actor_vars: actor code -> its own variables' short names (for ``self.``/``target.``).
        tags: action tags.
        actions: action ids.
        events: trigger and inject ids (for ``fired()``).
        cameo: CAMEO code -> (description, Goldstein value).
    """

    variables: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    actor_vars: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    cameo: Mapping[str, tuple[str, float]] = field(default_factory=dict)

    def context(
        self, self_actors: list[str] | None = None, targets: list[str] | None = None
    ) -> ExprContext:
        """The expression context, with ``self.``/``target.`` when the actors are known."""

        def common(codes: list[str] | None) -> frozenset[str] | None:
            if codes is None:
                return None
            sets = [self.actor_vars.get(c, frozenset()) for c in codes]
            return frozenset.intersection(*sets) if sets else frozenset()

        return ExprContext(
            variables=self.variables,
            actors=ACTORS,
            tags=self.tags,
            actions=self.actions,
            events=self.events,
            self_vars=common(self_actors),
            target_vars=common(targets) if targets else None,
        )


def _names(info: ValidationInfo) -> Names | None:
    ctx = info.context
    return ctx if isinstance(ctx, Names) else None


def _expr_error(err: ExprError) -> PydanticCustomError:
    return PydanticCustomError(
        "expression", "{message}", {"message": err.message, "offset": err.offset}
    )


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise PydanticCustomError(
            "id",
            "'{value}' is not a valid id: use lowercase letters, digits and '_', "
            "starting with a letter",
            {"value": value},
        )
    return value


def _check_var_syntax(value: str) -> str:
    m = _VAR.fullmatch(value)
    if not m or m.group(1) not in NAMESPACES:
        raise PydanticCustomError(
            "variable",
            "'{value}' is not a variable name: write NAMESPACE.name with NAMESPACE one of {spaces}",
            {"value": value, "spaces": ", ".join(NAMESPACES)},
        )
    return value


def _check_var(value: str, info: ValidationInfo) -> str:
    names = _names(info)
    if names is not None and value not in names.variables:
        raise PydanticCustomError(
            "unknown_variable",
            "unknown variable '{name}'{hint}",
            {"name": value, "hint": did_you_mean(value, names.variables)},
        )
    return value


def _action_actors(info: ValidationInfo) -> tuple[list[str] | None, list[str] | None]:
    data = info.data or {}
    actors = data.get("actors")
    targets = data.get("targets")
    return (list(actors) if actors else None, list(targets) if targets else None)


def _check_effect_key(value: str, info: ValidationInfo) -> str:
    """Effect keys: a variable, or in an action ``self.x``/``target.x``."""
    names = _names(info)
    base, _, attr = value.partition(".")
    if base in ("self", "target"):
        if info.field_name not in ("effects", "on_failure") or "actors" not in (info.data or {}):
            raise PydanticCustomError(
                "placeholder", "'{base}.' can only be used in an action's effects", {"base": base}
            )
        if names is None:
            return value
        actors, targets = _action_actors(info)
        codes = actors if base == "self" else targets
        if not codes:
            raise PydanticCustomError(
                "placeholder", "'target.' needs the action to have targets", {}
            )
        missing = [c for c in codes if attr not in names.actor_vars.get(c, frozenset())]
        if missing:
            raise PydanticCustomError(
                "placeholder",
                "'{value}' is not a variable of {missing}",
                {"value": value, "missing": ", ".join(missing)},
            )
        return value
    return _check_var(_check_var_syntax(value), info)


def _parse(value: Any, info: ValidationInfo, kind: str) -> str:
    if not isinstance(value, str):
        what = "a condition" if kind == "bool" else "a number or an expression"
        raise PydanticCustomError(
            "expression", 'must be {what} in quotes, like "world.tension > 60"', {"what": what}
        )
    names = _names(info)
    if names is None:
        return value
    actors, targets = _action_actors(info) if "actors" in (info.data or {}) else (None, None)
    try:
        parse_expr(value, names.context(actors, targets), kind)
    except ExprError as err:
        raise _expr_error(err) from None
    return value


def _condition(value: Any, info: ValidationInfo) -> str:
    return _parse(value, info, "bool")


def _quantity(value: Any, info: ValidationInfo) -> float | str:
    """A number, or a numeric expression in quotes."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "quantity", "must be a number or an expression, not true/false", {}
        )
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise PydanticCustomError("quantity", "must be a finite number", {})
        return float(value)
    return _parse(value, info, "num")


def _known(kind: str, what: str, field: str) -> Callable[[str, ValidationInfo], str]:
    """A check that a value names one of the context's ``field`` (e.g. its actions)."""

    def check(value: str, info: ValidationInfo) -> str:
        names = _names(info)
        known = getattr(names, field) if names is not None else None
        if known and value not in known:
            raise PydanticCustomError(
                kind,
                "unknown {what} '{name}'{hint}",
                {"what": what, "name": value, "hint": did_you_mean(value, known)},
            )
        return value

    return check


_check_cameo = _known("cameo", "CAMEO code", "cameo")
_check_action_ref = _known("action", "action", "actions")


def _check_month(value: str) -> str:
    if not _MONTH.fullmatch(value):
        raise PydanticCustomError(
            "month", "'{value}' is not a month: write YYYY-MM, like 2026-01", {"value": value}
        )
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
ActionRef = Annotated[str, AfterValidator(_check_slug), AfterValidator(_check_action_ref)]
VarName = Annotated[str, AfterValidator(_check_var_syntax)]
VarRef = Annotated[str, AfterValidator(_check_var_syntax), AfterValidator(_check_var)]
EffectKey = Annotated[str, AfterValidator(_check_effect_key)]
Condition = Annotated[
    str,
    PlainValidator(_condition),
    WithJsonSchema({"type": "string", "description": 'A condition, e.g. "world.tension > 60"'}),
]
Quantity = Annotated[
    float | str,
    PlainValidator(_quantity),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}],
            "description": "A number, or a numeric expression in quotes",
        }
    ),
]
CameoCode = Annotated[str, Field(pattern=r"^[0-9]{2,4}$"), AfterValidator(_check_cameo)]
Month = Annotated[str, AfterValidator(_check_month)]
Delta = Annotated[float, Field(ge=-1e6, le=1e6)]
Effects = dict[EffectKey, Delta]


class Strict(BaseModel):
    """Base of every file model: frozen, exact types, unknown keys are errors."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


class VariableSpec(Strict):
    """A state variable: a named number with a range."""

    name: VarName
    """Namespaced name, e.g. `PRK.icbm` or `world.tension`."""
    min: float
    """Lowest value; effects and dynamics never push the variable below it."""
    max: float
    """Highest value."""
    default: float
    """Starting value unless the scenario's `state` sets another."""
    description: str
    """What the number means, in a sentence."""
    unit: str = ""
    """Unit or scale, e.g. `0-100 index`, `share 0-1`, `Kahn rung`."""
    source: str = ""
    """The passage of the analysis (or reference data) the variable traces to."""

    @model_validator(mode="after")
    def _range(self) -> VariableSpec:
        if not self.min < self.max:
            raise PydanticCustomError("range", "min must be below max", {})
        if not self.min <= self.default <= self.max:
            # pydantic fills {name} placeholders but ignores format specs, so format here
            message = f"default {self.default:g} is outside [{self.min:g}, {self.max:g}]"
            raise PydanticCustomError("range", message.replace("{", "{{").replace("}", "}}"))
        return self


class ObjectiveSpec(Strict):
    """One objective of an actor: a weighted sum of state variables it wants higher."""

    description: str
    """What the actor wants, in a sentence."""
    weight: float = Field(ge=0, le=100)
    """How much the actor cares, relative to its other objectives."""
    terms: dict[VarRef, float]
    """Variable -> coefficient; negative coefficients mean the actor wants the variable lower."""
    gain: Quantity = 1.0
    """Scales the objective with circumstances (a number or an expression, e.g.
    `RUS.war_urgency / 60`): how pressing it is this turn."""
    source: str
    """The passage of the analysis this objective implements."""


class ActorProfile(Strict):
    """An actor's catalog profile: who it is, what it wants, how it plays."""

    name: str
    """Display name."""
    capital: str
    """Capital city (shown on the board)."""
    risk_tolerance: float = Field(ge=0, le=1)
    """0 = shuns escalatory moves, 1 = ignores escalation risk."""
    action_points: int = Field(ge=1, le=4)
    """How many actions the actor may take per turn."""
    noise: float = Field(ge=0, le=50)
    """Scale of the seeded random taste added to each option's utility (Gumbel noise): how
    unpredictable the bot is. 0 = always the best-scoring move."""
    objectives: dict[Slug, ObjectiveSpec]
    """Objective id -> definition."""


class ActorOverride(Strict):
    """A scenario's changes to an actor's catalog profile."""

    objectives: dict[Slug, Annotated[float, Field(ge=0, le=100)] | ObjectiveSpec] = {}
    """Objective id -> new weight (0-100; a weight is never negative: to make an actor want
    a variable lower, give the term a negative coefficient), or a whole new objective
    (description, weight, terms, gain, source) that the actor pursues in this scenario."""
    risk_tolerance: float | None = Field(default=None, ge=0, le=1)
    """New risk tolerance (0-1)."""
    action_points: int | None = Field(default=None, ge=1, le=4)
    """New number of actions per turn."""
    noise: float | None = Field(default=None, ge=0, le=50)
    """New noise scale."""


class ActionSpec(Strict):
    """A move an actor can make: data, not code."""

    id: Slug
    """Unique id, e.g. `icbm_test`."""
    name: str = Field(max_length=40)
    """Short label for the board and tables."""
    description: str
    """Plain-language description for human players."""
    actors: list[ActorCode] = Field(min_length=1)
    """Who may take it."""
    targets: list[ActorCode] = []
    """Whom it may be aimed at (one option per target); empty for untargeted moves."""
    domain: Domain
    """Cooperation domain of the analysis (section III)."""
    tags: list[Slug] = Field(default=[], max_length=MAX_TAGS)
    """Labels for `count(actor, tag=...)` in conditions, e.g. `missile_test`."""
    precondition: Condition | None = None
    """When the action is legal; checked when choosing and again when resolving."""
    cost: float = Field(ge=0, le=100)
    """Political, economic or military price, in the units of objective utility."""
    success: Quantity = 1.0
    """Chance of success, 0-1: a number or an expression (clipped to [0, 1])."""
    effects: Effects = {}
    """Variable -> change when the action succeeds. `self.x`/`target.x` mean the acting or
    targeted actor's variable."""
    on_failure: Effects = {}
    """Variable -> change when it fails."""
    cameo: CameoCode
    """CAMEO event code (quoted, e.g. '150'); its Goldstein value comes from the table."""
    escalation: Escalation
    """Rivera et al. (2024) escalation category; its score is added to the turn's score."""
    rung: int = Field(ge=1, le=44)
    """Kahn escalation ladder rung the action signals (1-44)."""
    joint: bool = False
    """A move its actors make together (an exercise, a summit): it goes ahead only if every
    partner takes part (a bot partner when its own copy of the move is worth taking to it, a
    human partner when it chose the move the same turn), it counts for every partner, and a
    partner's copy chosen the same turn joins the one move instead of repeating it; the
    partners share its cost (each pays cost / number of parties). With
    targets among the actors (a summit), the partners are the mover and its target; else
    every actor listed."""
    reverses: list[ActionRef] = []
    """Actions this one undoes (a stance reversed, like relaxing a border just tightened).
    An actor that took one of them recently pays `param.reversal_cost` per (decayed) recent
    use when it takes this one (audience costs), and never takes both in one turn. The
    relation is symmetric: naming it on one side is enough."""
    source: str
    """The passage of the analysis this action implements."""

    @model_validator(mode="after")
    def _joint(self) -> ActionSpec:
        if self.joint and len(set(self.actors)) < 2:
            raise PydanticCustomError("joint", "a joint action needs at least two actors", {})
        return self

    @model_validator(mode="after")
    def _targets(self) -> ActionSpec:
        if self.targets and set(self.targets) <= set(self.actors) and len(self.targets) == 1:
            raise PydanticCustomError(
                "targets", "an actor cannot target itself: targets repeat the only actor", {}
            )
        return self


class InjectSpec(Strict):
    """An event from outside the players' control: scheduled, random or on call."""

    id: Slug
    """Unique id."""
    text: str
    """What happens, as the facilitator would read it out."""
    turn: int | None = Field(default=None, ge=1, le=600)
    """Fire on this turn."""
    chance: float | None = Field(default=None, ge=0, le=1)
    """Or: fire with this probability each turn (while `when` holds)."""
    when: Condition | None = None
    """Only fire while this condition holds."""
    once: bool = True
    """Fire at most once per game (chance injects)."""
    effects: Effects = {}
    """Variable -> change."""
    weights: dict[str, Annotated[float, Field(ge=-100, le=100)]] = {}
    """`ACTOR.objective` -> change of that objective's weight."""

    @model_validator(mode="after")
    def _when(self) -> InjectSpec:
        if self.turn is not None and self.chance is not None:
            raise PydanticCustomError("inject", "give `turn` or `chance`, not both", {})
        return self


class TriggerSpec(Strict):
    """A risk trigger: when its condition holds, its consequences follow."""

    id: Slug
    """Unique id."""
    text: str
    """What it means, in plain language (shown in the event feed)."""
    when: Condition
    """The condition, checked every turn after the dynamics."""
    effects: Effects = {}
    """Variable -> change when it fires."""
    weights: dict[str, Annotated[float, Field(ge=-100, le=100)]] = {}
    """`ACTOR.objective` -> change of that objective's weight when it fires."""
    inject: Slug | None = None
    """Id of an inject to fire with it."""
    once: bool = False
    """Fire at most once per game."""
    cooldown: int = Field(default=0, ge=0, le=120)
    """Turns to wait after firing before it may fire again."""
    source: str = ""
    """The passage of the analysis it implements."""


class OutcomeSpec(Strict):
    """A named end state, checked every turn; the first turn it holds is recorded."""

    id: Slug
    """Unique id."""
    title: str
    """Display name."""
    when: Condition
    """The condition that defines it."""
    description: str = ""
    """What it means."""
    rating: Literal["high", "medium", "low"] | None = None
    """How likely the analysis rates it (section VI), compared with batch results."""
    source: str = ""
    """The passage of the analysis it implements."""


class DynamicsTerm(Strict):
    """One term of the world's own motion, applied every turn after the actions."""

    id: Slug
    """Unique id."""
    var: VarRef
    """The variable it changes."""
    rate: Quantity
    """Change per turn (an expression of the state before the dynamics)."""
    description: str = ""
    """What it models."""
    source: str = ""
    """The passage of the analysis (or the model, e.g. Richardson 1960) it implements."""


class Disable(Strict):
    """Catalog entries to switch off in this scenario (for counterfactuals)."""

    actions: list[Slug] = []
    """Action ids nobody may take."""
    triggers: list[Slug] = []
    """Trigger ids that never fire."""
    dynamics: list[Slug] = []
    """Dynamics term ids to drop."""
    injects: list[Slug] = []
    """Inject ids (from a scenario this one extends) that never fire."""


class Scenario(Strict):
    """A crisis to play: a start state, a timeline of injects, and extra rules."""

    schema_version: Literal[1]
    """Format version; always 1."""
    id: Slug
    """Unique id, e.g. `missile_crisis_2`."""
    title: str
    """Display name."""
    summary: str = Field(default="", max_length=120)
    """One line for lists of scenarios (`tripwire scenarios`)."""
    description: str
    """A paragraph a facilitator can read aloud."""
    extends: str | None = None
    """A bundled scenario name or a path to build on; this file's entries override its."""
    turns: int = Field(ge=1, le=600)
    """Number of turns; one turn is one month."""
    start: Month
    """Month of turn 1, as YYYY-MM."""
    actors: dict[ActorCode, ActorOverride] = {}
    """Changes to actor profiles."""
    state: dict[VarRef, float] = {}
    """Starting values that differ from the catalog defaults."""
    variables: list[VariableSpec] = Field(default=[], max_length=MAX_VARIABLES)
    """Extra variables this scenario needs."""
    injects: list[InjectSpec] = Field(default=[], max_length=MAX_INJECTS)
    """Scheduled, random and on-call events."""
    triggers: list[TriggerSpec] = Field(default=[], max_length=MAX_TRIGGERS)
    """Extra risk triggers (same id replaces a catalog trigger)."""
    outcomes: list[OutcomeSpec] = Field(default=[], max_length=MAX_OUTCOMES)
    """Extra outcomes (same id replaces a catalog outcome)."""
    dynamics: list[DynamicsTerm] = Field(default=[], max_length=MAX_DYNAMICS)
    """Extra dynamics terms (same id replaces a catalog term)."""
    actions: list[ActionSpec] = Field(default=[], max_length=MAX_ACTIONS)
    """Extra actions (same id replaces a catalog action)."""
    disable: Disable = Disable()
    """Catalog entries switched off."""


class CatalogFile(Strict):
    """The catalog's rule files (actions, triggers, outcomes, dynamics) share this shape."""

    variables: list[VariableSpec] = []
    """State variables."""
    actions: list[ActionSpec] = []
    """Actions."""
    triggers: list[TriggerSpec] = []
    """Risk triggers."""
    outcomes: list[OutcomeSpec] = []
    """Outcomes."""
    dynamics: list[DynamicsTerm] = []
    """Dynamics terms."""
    actors: dict[ActorCode, ActorProfile] = {}
    """Actor profiles."""
    adjudication_order: list[Domain] = []
    """The order in which domains resolve within a turn."""


def parse_checked(source: str, names: Names, kind: str = "bool", **actors: Any) -> Expr:
    """Parse an expression already accepted by validation (used when compiling)."""
    return parse_expr(source, names.context(actors.get("self_actors"), actors.get("targets")), kind)
