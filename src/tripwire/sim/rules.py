"""Compiling a scenario into the arrays and functions a game runs on.

:func:`compile_rules` merges the catalog with a scenario (additions and replacements by id,
switched-off entries removed, actor profiles overridden), lays the state out as one float
array with a name -> index map, expands every action into *moves* (one per actor and
target), turns effects into dense delta matrices, and compiles every condition of a kind
into one function (see :func:`tripwire.scenario.expr.compile_group`). The result,
:class:`Rules`, is immutable and shared by every game of a scenario, so that building a model
costs almost nothing and batches pay the compile once.
"""

from __future__ import annotations

import functools

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tripwire.catalog import Catalog, Rung, load_catalog, names_from
from tripwire.scenario.expr import Binding, CompiledGroup, Expr, compile_group, count_keys, rel_name
from tripwire.scenario.loader import scenario_digest
from tripwire.scenario.schema import (
    ACTORS,
    ActionSpec,
    InjectSpec,
    Names,
    Scenario,
    parse_checked,
)

ANY = "any"
COUNT_ACTORS: tuple[str, ...] = (*ACTORS, ANY)
HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Move:
    """One option of one actor: an action, by that actor, at one target (or none)."""

    index: int
    action: str
    name: str
    description: str
    actor: str
    actor_index: int
    target: str | None
    domain: str
    tags: tuple[str, ...]
    cameo: str
    goldstein: float
    escalation: str
    escalation_score: int
    rung: int
    cost: float


@dataclass(frozen=True, slots=True)
class InjectRule:
    """A compiled inject."""

    id: str
    event_index: int
    text: str
    turn: int | None
    chance: float | None
    once: bool
    when: int | None  # index into Rules.inject_when results, or None
    effects: tuple[tuple[int, float], ...]
    weights: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """A compiled risk trigger."""

    id: str
    event_index: int
    text: str
    effects: tuple[tuple[int, float], ...]
    weights: tuple[tuple[int, float], ...]
    inject: str | None
    once: bool
    cooldown: int


@dataclass(frozen=True, slots=True)
class Objective:
    """One objective of one actor."""

    actor: str
    id: str
    description: str


@dataclass(frozen=True, slots=True, eq=False)
class Rules:
    """Everything a game of one scenario needs, compiled (see the module docstring).

    Arrays have one row per move (``M``), variable (``V``) or objective (``K``).
    """

    scenario: Scenario
    scenario_sha256: str
    catalog_sha256: str
    turns: int
    start_year: int
    start_month: int
    # state layout
    var_names: tuple[str, ...]
    index: Mapping[str, int]
    lo: np.ndarray
    hi: np.ndarray
    initial: np.ndarray
    snapshot_index: np.ndarray  # variables shown in turn snapshots (not param.*)
    rung_index: int
    score_index: int
    # actors
    actors: tuple[str, ...]
    risk_tolerance: np.ndarray  # (6,)
    action_points: tuple[int, ...]
    noise: np.ndarray  # (6,)
    # objectives
    objectives: tuple[Objective, ...]
    objective_actor: np.ndarray  # (K,) actor index
    weights0: np.ndarray  # (K,)
    terms: np.ndarray  # (K, V)
    gain_const: np.ndarray  # (K,) constant gains (1.0 where a gain expression applies)
    gain_slots: np.ndarray  # objectives with a gain expression
    gain_fn: CompiledGroup | None
    # moves
    moves: tuple[Move, ...]
    move_actor: np.ndarray  # (M,)
    move_group: np.ndarray  # (M,) one group per (actor, action): the unit of repetition fatigue
    n_groups: int
    actor_slices: tuple[slice, ...]  # moves of each actor (moves are grouped by actor)
    move_cost: np.ndarray  # (M,)
    move_risk: np.ndarray  # (M,) escalation points / 12, never negative
    move_score: np.ndarray  # (M,) escalation points
    delta_success: np.ndarray  # (M, V)
    delta_failure: np.ndarray  # (M, V)
    sparse: SparseEffects  # the nonzero entries of both delta matrices
    lo_list: list[float]  # bounds as Python floats, for scalar clipping
    hi_list: list[float]
    move_noise: np.ndarray  # (M,) noise scale of each move's actor
    move_aversion: np.ndarray  # (M,) (1 - risk tolerance) of each move's actor x risk_m
    effects_success: tuple[tuple[tuple[int, float], ...], ...]
    effects_failure: tuple[tuple[tuple[int, float], ...], ...]
    success_const: np.ndarray  # (M,), nan where an expression decides
    success_const_list: list[float]
    success_slots: np.ndarray  # moves whose success is an expression
    success_fn: CompiledGroup | None
    success_one: tuple[Callable[..., tuple] | None, ...]  # per move, for resolution
    precondition_fn: CompiledGroup | None  # moves that have a precondition -> tuple of bools
    precondition_slots: np.ndarray  # which moves those are
    all_legal: np.ndarray  # (M,) all True: the starting point of each turn's legality mask
    precondition_one: tuple[Callable[..., tuple] | None, ...]  # per move, for re-checks
    move_keys: tuple[tuple[int, ...], ...]  # count keys each move increments
    domain_rank: np.ndarray  # (M,) adjudication order of the move's domain
    resolve_key: list[int]  # (M,) domain rank x 8 + actor: sorting by it gives rules 1's order
    count_keys: tuple[str, ...]
    # events
    event_ids: tuple[str, ...]  # triggers then injects, for fired()
    injects_by_turn: Mapping[int, tuple[InjectRule, ...]]
    chance_injects: tuple[InjectRule, ...]
    library: Mapping[str, InjectRule]
    inject_when_fn: CompiledGroup | None
    triggers: tuple[TriggerRule, ...]
    trigger_fn: CompiledGroup | None
    outcome_ids: tuple[str, ...]
    outcome_titles: tuple[str, ...]
    outcome_fn: CompiledGroup | None
    dynamics_targets: np.ndarray
    dynamics_target_list: list[int]
    dynamics_unique: list[int]  # each dynamics target once, for clipping after all apply
    dynamics_fn: CompiledGroup | None
    # reference
    ladder: tuple[Rung, ...]
    names: Names = field(repr=False)

    def month(self, turn: int) -> str:
        """The calendar month of a turn (turn 1 is the scenario's start month)."""
        m = self.start_month - 1 + turn - 1
        return f"{self.start_year + m // 12:04d}-{m % 12 + 1:02d}"

    def objective_index(self, key: str) -> int:
        """Index of ``ACTOR.objective``."""
        actor, _, name = key.partition(".")
        for k, obj in enumerate(self.objectives):
            if obj.actor == actor and obj.id == name:
                return k
        raise KeyError(key)

    def moves_of(self, actor: str) -> tuple[Move, ...]:
        """The moves of one actor."""
        return self.moves[self.actor_slices[ACTORS.index(actor)]]


def _merge(base: Sequence[Any], extra: Sequence[Any], disabled: Sequence[str], key: str = "id") -> list[Any]:
    """Catalog entries, replaced or extended by the scenario's, minus the switched-off ones."""
    replaced = {getattr(e, key): e for e in extra}
    out = [replaced.pop(getattr(e, key), e) for e in base]
    out.extend(replaced.values())
    off = set(disabled)
    return [e for e in out if getattr(e, key) not in off]


def _effects(effects: Mapping[str, float], index: Mapping[str, int], actor: str | None, target: str | None) -> tuple[tuple[int, float], ...]:
    out = []
    for name, delta in effects.items():
        base, _, attr = name.partition(".")
        if base == "self":
            name = f"{actor}.{attr}"
        elif base == "target":
            name = f"{target}.{attr}"
        out.append((index[name], float(delta)))
    return tuple(out)


def compile_rules(scenario: Scenario, catalog: Catalog | None = None) -> Rules:
    """Compile a validated scenario against the catalog (see the module docstring)."""
    catalog = catalog or load_catalog()
    off = scenario.disable

    variables = [*catalog.variables, *scenario.variables]
    var_names = tuple(v.name for v in variables)
    index = {n: i for i, n in enumerate(var_names)}
    lo = np.array([v.min for v in variables], dtype=np.float64)
    hi = np.array([v.max for v in variables], dtype=np.float64)
    initial = np.array([v.default for v in variables], dtype=np.float64)
    for name, value in scenario.state.items():
        initial[index[name]] = value
    initial = np.clip(initial, lo, hi)
    init_map = {n: float(initial[i]) for i, n in enumerate(var_names)}
    snapshot_index = np.array([i for i, n in enumerate(var_names) if not n.startswith("param.")])

    actions = _merge(catalog.actions, scenario.actions, off.actions)
    triggers = _merge(catalog.triggers, scenario.triggers, off.triggers)
    outcomes = _merge(catalog.outcomes, scenario.outcomes, ())
    dynamics = _merge(catalog.dynamics, scenario.dynamics, off.dynamics)
    injects: list[InjectSpec] = list(scenario.injects)
    names = names_from(variables, actions, triggers, injects, catalog.cameo)

    # Count keys are numbered once every expression is parsed: only keys some rule asks
    # about are counted (see _number_count_keys), which keeps a turn's bookkeeping small.
    key_index: dict[str, int] = {}
    parsed: list[Expr] = []
    event_ids = (*(t.id for t in triggers), *(i.id for i in injects))
    event_index = {e: i for i, e in enumerate(event_ids)}
    actor_index = {a: i for i, a in enumerate(COUNT_ACTORS)}

    def binding(self_code: str | None = None, target_code: str | None = None) -> Binding:
        return Binding(index, actor_index, key_index, event_index, self_code, target_code, init_map)

    def parse(source: str, kind: str = "bool", **actors: Any) -> Expr:
        expr = parse_checked(source, names, kind, **actors)
        parsed.append(expr)
        return expr

    deferred: list[Callable[[], None]] = []

    # --- actors and objectives ----------------------------------------------------------
    profiles = {a: catalog.actors[a] for a in ACTORS}
    risk, points, noise = [], [], []
    objectives: list[Objective] = []
    obj_actor, weights0, term_rows, gain_const = [], [], [], []
    gain_items: list[tuple[Expr, Binding]] = []
    gain_slots = []
    for ai, code in enumerate(ACTORS):
        prof = profiles[code]
        over = scenario.actors.get(code)
        risk.append(over.risk_tolerance if over and over.risk_tolerance is not None else prof.risk_tolerance)
        points.append(over.action_points if over and over.action_points is not None else prof.action_points)
        noise.append(over.noise if over and over.noise is not None else prof.noise)
        for oid, obj in prof.objectives.items():
            k = len(objectives)
            objectives.append(Objective(code, oid, obj.description))
            obj_actor.append(ai)
            weights0.append(over.objectives.get(oid, obj.weight) if over else obj.weight)
            row = np.zeros(len(var_names))
            for name, coef in obj.terms.items():
                row[index[name]] += coef
            term_rows.append(row)
            if isinstance(obj.gain, str):
                gain_const.append(1.0)
                gain_slots.append(k)
                gain_items.append((parse(obj.gain, "num"), binding()))
            else:
                gain_const.append(float(obj.gain))

    # --- moves --------------------------------------------------------------------------
    order = {d: i for i, d in enumerate(catalog.adjudication_order)}
    k_rel = float(init_map["param.goldstein_to_relations"])
    moves: list[Move] = []
    specs: list[tuple[ActionSpec, str, str | None]] = []
    for code in ACTORS:
        for action in actions:
            if code not in action.actors:
                continue
            for target in action.targets or [None]:
                if target == code:
                    continue
                specs.append((action, code, target))
                _, goldstein = catalog.cameo[action.cameo]
                moves.append(
                    Move(
                        index=len(moves),
                        action=action.id,
                        name=action.name,
                        description=action.description,
                        actor=code,
                        actor_index=ACTORS.index(code),
                        target=target,
                        domain=action.domain,
                        tags=tuple(action.tags),
                        cameo=action.cameo,
                        goldstein=goldstein,
                        escalation=action.escalation,
                        escalation_score=catalog.escalation_scores[action.escalation],
                        rung=action.rung,
                        cost=action.cost,
                    )
                )
    n_moves, n_vars = len(moves), len(var_names)
    d_succ = np.zeros((n_moves, n_vars))
    d_fail = np.zeros((n_moves, n_vars))
    eff_s, eff_f, keys = [], [], []
    success_const = np.full(n_moves, np.nan)
    success_items, success_slots = [], []
    success_one: list[Callable[..., tuple] | None] = []
    pre_items: list[tuple[Expr, Binding]] = []
    pre_one: list[Callable[..., tuple] | None] = []
    pre_slots: list[int] = []
    for m, (action, code, target) in enumerate(specs):
        rel_effect: tuple[tuple[int, float], ...] = ()
        if target is not None:
            rel_effect = ((index[rel_name(code, target)], k_rel * moves[m].goldstein),)
        es = _effects(action.effects, index, code, target) + rel_effect
        ef = _effects(action.on_failure, index, code, target) + tuple((i, d / 2) for i, d in rel_effect)
        for i, d in es:
            d_succ[m, i] += d
        for i, d in ef:
            d_fail[m, i] += d
        eff_s.append(es)
        eff_f.append(ef)
        if isinstance(action.success, str):
            item = (
                parse(action.success, "num", self_actors=[code], targets=[target] if target else None),
                binding(code, target),
            )
            success_slots.append(m)
            success_items.append(item)
            success_one.append(None)
            deferred.append(functools.partial(_compile_into, success_one, m, item))
        else:
            success_const[m] = min(1.0, max(0.0, action.success))
            success_one.append(None)
        if action.precondition is not None:
            e = parse(action.precondition, self_actors=[code], targets=[target] if target else None)
            b = binding(code, target)
            pre_items.append((e, b))
            pre_slots.append(m)
            pre_one.append(None)
            deferred.append(functools.partial(_compile_into, pre_one, m, (e, b)))
        else:
            pre_one.append(None)
        keys.append(("*", *(f"tag:{t}" for t in action.tags), f"action:{action.id}"))
    move_actor = np.array([mv.actor_index for mv in moves], dtype=np.int64)
    group_ids: dict[tuple[str, str], int] = {}
    move_group = np.array([group_ids.setdefault((mv.actor, mv.action), len(group_ids)) for mv in moves], dtype=np.int64)
    slices = []
    for ai in range(len(ACTORS)):
        where = np.flatnonzero(move_actor == ai)
        slices.append(slice(int(where[0]), int(where[-1]) + 1) if len(where) else slice(0, 0))

    # --- injects, triggers, outcomes, dynamics ------------------------------------------
    inject_when: list[tuple[Expr, Binding]] = []
    by_turn: dict[int, list[InjectRule]] = {}
    chance: list[InjectRule] = []
    library: dict[str, InjectRule] = {}

    def weight_pairs(weights: Mapping[str, float]) -> tuple[tuple[int, float], ...]:
        lookup = {f"{o.actor}.{o.id}": k for k, o in enumerate(objectives)}
        return tuple((lookup[key], float(v)) for key, v in weights.items())

    for inj in injects:
        slot = None
        if inj.when is not None:
            slot = len(inject_when)
            inject_when.append((parse(inj.when), binding()))
        rule = InjectRule(
            id=inj.id,
            event_index=event_index[inj.id],
            text=inj.text,
            turn=inj.turn,
            chance=inj.chance,
            once=inj.once,
            when=slot,
            effects=_effects(inj.effects, index, None, None),
            weights=weight_pairs(inj.weights),
        )
        library[inj.id] = rule
        if inj.turn is not None:
            by_turn.setdefault(inj.turn, []).append(rule)
        elif inj.chance is not None:
            chance.append(rule)

    trigger_items = [(parse(t.when), binding()) for t in triggers]
    outcome_items = [(parse(o.when), binding()) for o in outcomes]
    dynamics_items = [
        (parse(d.rate if isinstance(d.rate, str) else repr(d.rate), "num"), binding()) for d in dynamics
    ]
    count_keys = _number_count_keys(parsed, key_index)
    for compile_later in deferred:
        compile_later()
    move_keys = tuple(tuple(key_index[k] for k in ks if k in key_index) for ks in keys)

    trigger_rules = tuple(
        TriggerRule(
            id=t.id,
            event_index=event_index[t.id],
            text=t.text,
            effects=_effects(t.effects, index, None, None),
            weights=weight_pairs(t.weights),
            inject=t.inject,
            once=t.once,
            cooldown=t.cooldown,
        )
        for t in triggers
    )

    def group(items: Sequence[tuple[Expr, Binding]]) -> CompiledGroup | None:
        return compile_group(items) if items else None

    year, month = (int(x) for x in scenario.start.split("-"))
    return Rules(
        scenario=scenario,
        scenario_sha256=scenario_digest(scenario),
        catalog_sha256=catalog.digest,
        turns=scenario.turns,
        start_year=year,
        start_month=month,
        var_names=var_names,
        index=index,
        lo=lo,
        hi=hi,
        initial=initial,
        snapshot_index=snapshot_index,
        rung_index=index["world.escalation_rung"],
        score_index=index["world.escalation_score"],
        actors=ACTORS,
        risk_tolerance=np.array(risk, dtype=np.float64),
        action_points=tuple(points),
        noise=np.array(noise, dtype=np.float64),
        objectives=tuple(objectives),
        objective_actor=np.array(obj_actor, dtype=np.int64),
        weights0=np.array(weights0, dtype=np.float64),
        terms=np.array(term_rows),
        gain_const=np.array(gain_const, dtype=np.float64),
        gain_slots=np.array(gain_slots, dtype=np.int64),
        gain_fn=group(gain_items),
        moves=tuple(moves),
        move_actor=move_actor,
        move_group=move_group,
        n_groups=len(group_ids),
        actor_slices=tuple(slices),
        move_cost=np.array([mv.cost for mv in moves], dtype=np.float64),
        move_risk=np.array([max(0, mv.escalation_score) / 12 for mv in moves], dtype=np.float64),
        move_score=np.array([mv.escalation_score for mv in moves], dtype=np.float64),
        delta_success=d_succ,
        delta_failure=d_fail,
        sparse=_sparse(d_succ, d_fail, move_actor, np.array(obj_actor), np.array(term_rows), lo, hi),
        lo_list=lo.tolist(),
        hi_list=hi.tolist(),
        move_noise=np.array([noise[mv.actor_index] for mv in moves], dtype=np.float64),
        move_aversion=np.array(
            [(1.0 - risk[mv.actor_index]) * max(0, mv.escalation_score) / 12 for mv in moves], dtype=np.float64
        ),
        effects_success=tuple(eff_s),
        effects_failure=tuple(eff_f),
        success_const=success_const,
        success_const_list=success_const.tolist(),
        success_slots=np.array(success_slots, dtype=np.int64),
        success_fn=group(success_items),
        success_one=tuple(success_one),
        precondition_fn=group(pre_items),
        precondition_slots=np.array(pre_slots, dtype=np.int64),
        all_legal=np.ones(n_moves, dtype=bool),
        precondition_one=tuple(pre_one),
        move_keys=move_keys,
        domain_rank=np.array([order[mv.domain] for mv in moves], dtype=np.int64),
        resolve_key=[order[mv.domain] * 8 + mv.actor_index for mv in moves],
        count_keys=count_keys,
        event_ids=event_ids,
        injects_by_turn={t: tuple(r) for t, r in by_turn.items()},
        chance_injects=tuple(chance),
        library=library,
        inject_when_fn=group(inject_when),
        triggers=trigger_rules,
        trigger_fn=group(trigger_items),
        outcome_ids=tuple(o.id for o in outcomes),
        outcome_titles=tuple(o.title for o in outcomes),
        outcome_fn=group(outcome_items),
        dynamics_targets=np.array([index[d.var] for d in dynamics], dtype=np.int64),
        dynamics_target_list=[index[d.var] for d in dynamics],
        dynamics_unique=sorted({index[d.var] for d in dynamics}),
        dynamics_fn=group(dynamics_items),
        ladder=catalog.ladder,
        names=names,
    )



def _number_count_keys(parsed: Sequence[Expr], key_index: dict[str, int]) -> tuple[str, ...]:
    """Number the count keys that some expression uses (fills ``key_index`` in place)."""
    used = sorted(set().union(*(count_keys(e) for e in parsed))) if parsed else []
    key_index.update({k: i for i, k in enumerate(used)})
    return tuple(used)


def _compile_into(slots: list[Any], m: int, item: tuple[Expr, Binding]) -> None:
    slots[m] = compile_group([item])


@dataclass(frozen=True, slots=True, eq=False)
class SparseEffects:
    """The nonzero entries of the success and failure delta matrices, ready for utility sums.

    Attributes:
        move: (E,) the move of each entry.
        var: (E,) the variable it changes.
        delta: (E,) by how much.
        lo, hi: (E,) the variable's bounds.
        on_success: (E,) True for an entry of the success effects, False for failure effects.
        coef: (E, K) the coefficient of the entry's variable in each objective of the move's
            own actor (zero for other actors' objectives), so that the entries' values for
            their actors are ``coef @ (weights x gains)``.
    """

    move: np.ndarray
    var: np.ndarray
    delta: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    on_success: np.ndarray
    coef: np.ndarray


def _sparse(
    d_succ: np.ndarray,
    d_fail: np.ndarray,
    move_actor: np.ndarray,
    obj_actor: np.ndarray,
    terms: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> SparseEffects:
    rs, cs = np.nonzero(d_succ)
    rf, cf = np.nonzero(d_fail)
    rows, cols = np.concatenate([rs, rf]), np.concatenate([cs, cf])
    deltas = np.concatenate([d_succ[rs, cs], d_fail[rf, cf]])
    own = move_actor[rows][:, None] == obj_actor[None, :]  # (E, K)
    coef = np.where(own, terms[:, cols].T, 0.0)
    flag = np.concatenate([np.ones(len(rs), dtype=bool), np.zeros(len(rf), dtype=bool)])
    return SparseEffects(rows, cols, deltas, lo[cols], hi[cols], flag, np.ascontiguousarray(coef))
