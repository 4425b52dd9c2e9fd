"""Compiling a scenario into the arrays and functions a game runs on.

:func:`compile_rules` merges the catalog with a scenario (additions and replacements by id,
switched-off entries removed, actor profiles overridden), lays the state out as one float
array with a name -> index map, expands every action into *moves* (one per actor and
target), turns effects into delta matrices, and compiles every condition of a kind into one
function (see :func:`tripwire.scenario.expr.compile_group`). The result, :class:`Rules`, is
immutable and shared by every game of a scenario, so that building a model costs almost
nothing and batches pay the compile once. Its fields are flat on purpose: a turn reads them
in its inner loops.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tripwire.catalog import Catalog, Rung, load_catalog, names_from
from tripwire.dates import turn_month
from tripwire.scenario.expr import (
    Binding,
    CompiledGroup,
    Expr,
    Progress,
    compile_group,
    compile_update,
    count_keys,
    rel_name,
)
from tripwire.scenario.loader import scenario_digest
from tripwire.scenario.schema import (
    ACTORS,
    ActionSpec,
    Names,
    ObjectiveSpec,
    Scenario,
    parse_checked,
)

ANY = "any"
COUNT_ACTORS: tuple[str, ...] = (*ACTORS, ANY)

Effects = tuple[tuple[int, float], ...]


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
    reverses: tuple[str, ...] = ()  # actions this one undoes (ActionSpec.reverses)
    partners: tuple[str, ...] = ()  # the other actors of a joint move (ActionSpec.joint)


@dataclass(frozen=True, slots=True)
class InjectRule:
    """A compiled inject."""

    id: str
    event_index: int
    text: str
    turn: int | None
    chance: float | None
    once: bool
    when: int | None  # position in the results of Rules.inject_when_fn, or None
    effects: Effects
    weights: Effects  # (objective index, change of weight)


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """A compiled risk trigger."""

    id: str
    event_index: int
    text: str
    effects: Effects
    weights: Effects
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
class SparseEffects:
    """The nonzero entries of the success and failure delta matrices, ready for utility sums.

    Attributes:
        move: (E,) the move of each entry.
        var: (E,) the variable it changes.
        delta: (E,) by how much.
        lo, hi: (E,) the variable's bounds.
        on_success: (E,) True for an entry of the success effects, False for failure effects.
        coef: (E, K) the coefficient of the entry's variable in each objective of the move's
            own actor (zero for other actors' objectives).
        coef_obj, coef_val: (E, J) the same coefficients as a short list per entry (the
            objectives with a nonzero coefficient, padded with coefficient 0), so that an
            entry's value for its actor, ``sum_j coef_val[e, j] x (weights x gains)[coef_obj[e,
            j]]``, is summed in one fixed order by every backend (a matrix product's order
            is BLAS's choice).
    """

    move: np.ndarray
    var: np.ndarray
    delta: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    on_success: np.ndarray
    coef: np.ndarray
    coef_obj: np.ndarray
    coef_val: np.ndarray
    # the same, laid out for the turn's array calls (hoisted out of every turn): (E, 1)
    # columns that broadcast over games, one contiguous index array per coefficient column,
    # and each entry's weight by the move's chance c as ``sign x c + base`` (c on success,
    # 1 - c on failure, exactly)
    delta_col: np.ndarray = field(init=False)
    lo_col: np.ndarray = field(init=False)
    hi_col: np.ndarray = field(init=False)
    sign_col: np.ndarray = field(init=False)
    base_col: np.ndarray = field(init=False)
    coef_obj_cols: tuple[np.ndarray, ...] = field(init=False)
    coef_val_cols: tuple[np.ndarray, ...] = field(init=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "delta_col", self.delta[:, None].copy())
        put(self, "lo_col", self.lo[:, None].copy())
        put(self, "hi_col", self.hi[:, None].copy())
        put(self, "sign_col", np.where(self.on_success, 1.0, -1.0)[:, None])
        put(self, "base_col", np.where(self.on_success, 0.0, 1.0)[:, None])
        put(self, "coef_obj_cols", tuple(np.ascontiguousarray(c) for c in self.coef_obj.T))
        put(self, "coef_val_cols", tuple(c[:, None].copy() for c in self.coef_val.T))


@dataclass(frozen=True, slots=True, eq=False)
class RuleSources:
    """The checked expressions behind each compiled function of :class:`Rules`, kept so that
    other backends (:mod:`tripwire.sim.lockstep`) can compile them their own way."""

    gain: tuple[tuple[Expr, Binding], ...]
    success: tuple[tuple[Expr, Binding], ...]
    precondition: tuple[tuple[Expr, Binding], ...]
    inject_when: tuple[tuple[Expr, Binding], ...]
    trigger: tuple[tuple[Expr, Binding], ...]
    outcome: tuple[tuple[Expr, Binding], ...]
    dynamics: tuple[tuple[int, Expr, Binding], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Rules:
    """Everything a game of one scenario needs, compiled (see the module docstring).

    Arrays have one row per move (``M``), variable (``V``) or objective (``K``). Compiled
    functions take ``(state_list, count, fired, turn)`` and return a tuple.
    """

    scenario: Scenario
    scenario_sha256: str
    catalog_sha256: str
    turns: int
    # --- state layout
    var_names: tuple[str, ...]
    index: Mapping[str, int]
    lo: np.ndarray
    hi: np.ndarray
    lo_list: list[float]  # the bounds as Python floats, for scalar clipping
    hi_list: list[float]
    initial: np.ndarray
    snapshot_index: np.ndarray  # variables shown in turn snapshots (not param.*)
    rung_index: int
    score_index: int
    tension_index: int
    tension_rungs_index: int  # param.tension_rungs: how much tension lifts a military signal
    # --- actors and objectives
    actors: tuple[str, ...]
    risk_tolerance: np.ndarray  # (6,)
    action_points: tuple[int, ...]
    noise: np.ndarray  # (6,)
    objectives: tuple[Objective, ...]
    objective_actor: np.ndarray  # (K,) actor index
    weights0: np.ndarray  # (K,)
    terms: np.ndarray  # (K, V)
    gain_const: np.ndarray  # (K,) constant gains (1.0 where a gain expression applies)
    gain_slots: np.ndarray  # objectives with a gain expression
    gain_fn: CompiledGroup | None
    # --- moves
    moves: tuple[Move, ...]
    move_actor: np.ndarray  # (M,)
    actor_slices: tuple[slice, ...]  # moves of each actor (moves are grouped by actor)
    move_group: np.ndarray  # (M,) one group per (actor, action): the unit of repetition
    n_groups: int
    move_cost: np.ndarray  # (M,)
    move_noise: np.ndarray  # (M,) noise scale of the move's actor
    move_risk: np.ndarray  # (M,) the escalation a move signals, (rung - 1) / 3 (at least 0)
    move_aversion: np.ndarray  # (M,) (1 - actor's risk tolerance) x move_risk
    delta_success: np.ndarray  # (M, V)
    delta_failure: np.ndarray  # (M, V)
    sparse: SparseEffects
    effects_success: tuple[Effects, ...]
    effects_failure: tuple[Effects, ...]
    success_const: np.ndarray  # (M,), nan where an expression decides
    success_const_list: list[float]
    success_slots: np.ndarray  # moves whose success is an expression
    success_fn: CompiledGroup | None
    success_one: tuple[CompiledGroup | None, ...]  # per move, for resolution
    all_legal: np.ndarray  # (M,) all True: each turn's legality mask starts from it
    precondition_slots: np.ndarray  # moves that have a precondition
    precondition_fn: CompiledGroup | None  # those preconditions at once -> tuple of bools
    precondition_one: tuple[CompiledGroup | None, ...]  # per move, for re-checks
    resolve_key: list[int]  # (M,) domain rank x 8 + actor: adjudication rule 1's order
    resolve_keys: np.ndarray  # the same as an array
    point_rank: np.ndarray  # (P,) each action point's rank within its actor's block
    actor_moves: np.ndarray  # (A, n) each actor's moves, padded with 0
    actor_move_real: np.ndarray  # (A, n) False where actor_moves is padding
    points_of: np.ndarray  # (A,) action points
    point_blocks: tuple[slice, ...]  # each actor's columns in a turn's (G, P) choices
    max_points: int
    min_points: int
    point_mask: np.ndarray  # (A, max_points) True for an actor's own action points
    move_reversed: np.ndarray  # (M, W) groups each move reverses, padded with n_groups
    joint_key: np.ndarray  # (M,) the joint move a move is a copy of, or -1
    joint_key_list: list[int]  # the same as Python ints, for one game's resolution
    n_joint: int  # how many joint moves there are
    joint_partners: np.ndarray  # (M, W) the partners' copies of a joint move, padded with M
    actor_conflicts: np.ndarray  # (A, n, n) moves an actor cannot take in one turn together
    count_keys: tuple[str, ...]  # the keys some rule counts ('*', 'tag:x', 'action:y')
    move_keys: tuple[tuple[int, ...], ...]  # per move, the count keys it adds to
    move_count_rows: tuple[tuple[int, ...], ...]  # per move, the History rows it adds 1 to
    # --- the same tables laid out for the turn's array calls, so that a turn does not
    # reshape, pad or slice them again (numpy's per-call cost is most of a one-game turn)
    move_cost_col: np.ndarray  # (M, 1)
    move_noise_col: np.ndarray  # (M, 1)
    move_aversion_col: np.ndarray  # (M, 1)
    reversal_move: np.ndarray  # (R,) move_reversed's real entries, move by move: the move
    reversal_group: np.ndarray  # (R,) and the group it reverses
    joint_partner_cols: tuple[np.ndarray, ...]  # joint_partners' columns, each (M,)
    actor_move_pad: np.ndarray  # (A, n, 1) True where actor_moves is padding
    actor_offsets: np.ndarray  # (A, 1) each actor's first row in a flat (A x n) table
    pick_moves: np.ndarray  # (A x n + 1,) actor_moves flat, then -1 (no move) at row A x n
    conflict_rows: np.ndarray  # (A x n + 1, n) actor_conflicts by flat row, then no conflict
    point_open: np.ndarray  # (max_points, A, 1) whether an actor has point p
    point_cells: np.ndarray  # (P,) the cells of point_mask, row-major: the turn's columns
    # --- events
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
    outcome_progress: tuple[Progress, ...]  # closeness of each outcome, for the log
    dynamics_update: Callable[..., None]  # (s, c, f, t): one step of all dynamics terms
    # --- reference
    ladder: tuple[Rung, ...]
    names: Names = field(repr=False)
    sources: RuleSources = field(repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # other backends' builds

    def month(self, turn: int) -> str:
        """The calendar month of a turn (turn 1 is the scenario's start month)."""
        return turn_month(self.scenario.start, turn)

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


def compile_rules(scenario: Scenario, catalog: Catalog | None = None) -> Rules:
    """Compile a validated scenario against the catalog (see the module docstring)."""
    return _Compiler(scenario, catalog or load_catalog()).build()


def _merge(
    base: Sequence[Any], extra: Sequence[Any], disabled: Sequence[str], key: str = "id"
) -> list[Any]:
    """Catalog entries, replaced or extended by the scenario's, minus the switched-off ones."""
    replaced = {getattr(e, key): e for e in extra}
    out = [replaced.pop(getattr(e, key), e) for e in base]
    out.extend(replaced.values())
    off = set(disabled)
    return [e for e in out if getattr(e, key) not in off]


def _group(items: Sequence[tuple[Expr, Binding]]) -> CompiledGroup | None:
    return compile_group(items) if items else None


class _Compiler:
    """Builds :class:`Rules` part by part; each ``_part`` method returns some of its fields.

    Expressions are parsed as the parts are built but compiled only at the end, once the
    count keys that any rule asks about are known and numbered: only those are counted,
    which keeps a turn's bookkeeping small.
    """

    def __init__(self, scenario: Scenario, catalog: Catalog):
        self.scenario = scenario
        self.catalog = catalog
        off = scenario.disable
        self.variables = [*catalog.variables, *scenario.variables]
        every_action = _merge(catalog.actions, scenario.actions, ())
        every_trigger = _merge(catalog.triggers, scenario.triggers, ())
        self.actions = [a for a in every_action if a.id not in off.actions]
        self.triggers = [t for t in every_trigger if t.id not in off.triggers]
        self.outcomes = _merge(catalog.outcomes, scenario.outcomes, ())
        self.dynamics = _merge(catalog.dynamics, scenario.dynamics, off.dynamics)
        every_inject = list(scenario.injects)
        self.injects = [i for i in every_inject if i.id not in off.injects]
        # Switched-off actions, triggers and injects stay nameable: counting them gives 0.
        self.names = names_from(
            self.variables, every_action, every_trigger, every_inject, catalog.cameo
        )
        self.var_names = tuple(v.name for v in self.variables)
        self.index = {n: i for i, n in enumerate(self.var_names)}
        self.lo = np.array([v.min for v in self.variables], dtype=np.float64)
        self.hi = np.array([v.max for v in self.variables], dtype=np.float64)
        initial = np.array([v.default for v in self.variables], dtype=np.float64)
        for name, value in scenario.state.items():
            initial[self.index[name]] = value
        self.initial = np.clip(initial, self.lo, self.hi)
        self.event_ids = (*(t.id for t in every_trigger), *(i.id for i in every_inject))
        self.key_index: dict[str, int] = {}  # filled by _number_count_keys
        self.parsed: list[Expr] = []
        self.objectives: list[Objective] = []

    # --- expressions --------------------------------------------------------------------
    def binding(self, self_code: str | None = None, target_code: str | None = None) -> Binding:
        return Binding(
            index=self.index,
            actors={a: i for i, a in enumerate(COUNT_ACTORS)},
            keys=self.key_index,
            events={e: i for i, e in enumerate(self.event_ids)},
            self_code=self_code,
            target_code=target_code,
            initial={n: float(v) for n, v in zip(self.var_names, self.initial, strict=True)},
        )

    def parse(
        self, source: str, kind: str = "bool", actor: str | None = None, target: str | None = None
    ) -> tuple[Expr, Binding]:
        expr = parse_checked(
            source,
            self.names,
            kind,
            self_actors=[actor] if actor else None,
            targets=[target] if target else None,
        )
        self.parsed.append(expr)
        return expr, self.binding(actor, target)

    def effects(
        self, effects: Mapping[str, float], actor: str | None = None, target: str | None = None
    ) -> Effects:
        out = []
        for key, delta in effects.items():
            base, _, attr = key.partition(".")
            name = {"self": f"{actor}.{attr}", "target": f"{target}.{attr}"}.get(base, key)
            out.append((self.index[name], float(delta)))
        return tuple(out)

    def weight_pairs(self, weights: Mapping[str, float]) -> Effects:
        lookup = {f"{o.actor}.{o.id}": k for k, o in enumerate(self.objectives)}
        return tuple((lookup[key], float(v)) for key, v in weights.items())

    # --- the parts ----------------------------------------------------------------------
    def _layout(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "scenario_sha256": scenario_digest(self.scenario),
            "catalog_sha256": self.catalog.digest,
            "turns": self.scenario.turns,
            "var_names": self.var_names,
            "index": self.index,
            "lo": self.lo,
            "hi": self.hi,
            "lo_list": self.lo.tolist(),
            "hi_list": self.hi.tolist(),
            "initial": self.initial,
            "snapshot_index": np.array(
                [i for i, n in enumerate(self.var_names) if not n.startswith("param.")]
            ),
            "rung_index": self.index["world.escalation_rung"],
            "score_index": self.index["world.escalation_score"],
            "tension_index": self.index["world.tension"],
            "tension_rungs_index": self.index["param.tension_rungs"],
            "ladder": self.catalog.ladder,
            "names": self.names,
        }

    def _actors(self) -> dict[str, Any]:
        risk, points, noise = [], [], []
        obj_actor, weights0, terms, gain_const, gain_slots, gain_items = [], [], [], [], [], []
        for ai, code in enumerate(ACTORS):
            prof = self.catalog.actors[code]
            over = self.scenario.actors.get(code)

            def pick(attr: str, over: Any = over, prof: Any = prof) -> Any:
                value = getattr(over, attr) if over is not None else None
                return getattr(prof, attr) if value is None else value

            risk.append(pick("risk_tolerance"))
            points.append(pick("action_points"))
            noise.append(pick("noise"))
            changes = dict(over.objectives) if over else {}
            added = {o: spec for o, spec in changes.items() if isinstance(spec, ObjectiveSpec)}
            for oid, obj in {**prof.objectives, **added}.items():
                k = len(self.objectives)
                self.objectives.append(Objective(code, oid, obj.description))
                obj_actor.append(ai)
                change = changes.get(oid, obj.weight)
                weights0.append(change.weight if isinstance(change, ObjectiveSpec) else change)
                row = np.zeros(len(self.var_names))
                for name, coef in obj.terms.items():
                    row[self.index[name]] += coef
                terms.append(row)
                if isinstance(obj.gain, str):
                    gain_const.append(1.0)
                    gain_slots.append(k)
                    gain_items.append(self.parse(obj.gain, "num"))
                else:
                    gain_const.append(float(obj.gain))
        self.risk, self.noise = risk, noise
        self.obj_actor, self.terms = np.array(obj_actor), np.array(terms)
        self.gain_items = gain_items
        return {
            "actors": ACTORS,
            "risk_tolerance": np.array(risk, dtype=np.float64),
            "action_points": tuple(points),
            "noise": np.array(noise, dtype=np.float64),
            "objectives": tuple(self.objectives),
            "objective_actor": self.obj_actor,
            "weights0": np.array(weights0, dtype=np.float64),
            "terms": self.terms,
            "gain_const": np.array(gain_const, dtype=np.float64),
            "gain_slots": np.array(gain_slots, dtype=np.int64),
        }

    def _expand_moves(self) -> list[tuple[Move, ActionSpec]]:
        out: list[tuple[Move, ActionSpec]] = []
        for ai, code in enumerate(ACTORS):
            for action in self.actions:
                if code not in action.actors:
                    continue
                for target in action.targets or [None]:
                    if target == code:
                        continue
                    move = Move(
                        index=len(out),
                        action=action.id,
                        name=action.name,
                        description=action.description,
                        actor=code,
                        actor_index=ai,
                        target=target,
                        domain=action.domain,
                        tags=tuple(action.tags),
                        cameo=action.cameo,
                        goldstein=self.catalog.cameo[action.cameo][1],
                        escalation=action.escalation,
                        escalation_score=self.catalog.escalation_scores[action.escalation],
                        rung=action.rung,
                        cost=action.cost,
                        reverses=tuple(action.reverses),
                        partners=_partners(action, code, target),
                    )
                    out.append((move, action))
        return out

    def _moves(self) -> dict[str, Any]:
        expanded = self._expand_moves()
        moves = [m for m, _ in expanded]
        n_moves, n_vars = len(moves), len(self.var_names)
        k_rel = float(self.initial[self.index["param.goldstein_to_relations"]])
        d_succ, d_fail = np.zeros((n_moves, n_vars)), np.zeros((n_moves, n_vars))
        eff_s, eff_f = [], []
        success_const = np.full(n_moves, np.nan)
        self.success_items: list[tuple[Expr, Binding]] = []
        self.success_single: dict[int, tuple[Expr, Binding]] = {}
        self.pre_items: list[tuple[Expr, Binding]] = []
        self.pre_single: dict[int, tuple[Expr, Binding]] = {}
        success_slots, pre_slots = [], []
        self.raw_keys: list[tuple[str, ...]] = []
        for m, (move, action) in enumerate(expanded):
            code, target = move.actor, move.target
            # adjudication rule 5: relations move by k x Goldstein (half of it on failure)
            rel: Effects = ()
            if target is not None:
                rel = ((self.index[rel_name(code, target)], k_rel * move.goldstein),)
            es = self.effects(action.effects, code, target) + rel
            ef = self.effects(action.on_failure, code, target) + tuple((i, d / 2) for i, d in rel)
            for i, d in es:
                d_succ[m, i] += d
            for i, d in ef:
                d_fail[m, i] += d
            eff_s.append(es)
            eff_f.append(ef)
            if isinstance(action.success, str):
                item = self.parse(action.success, "num", code, target)
                success_slots.append(m)
                self.success_items.append(item)
                self.success_single[m] = item
            else:
                success_const[m] = min(1.0, max(0.0, action.success))
            if action.precondition is not None:
                item = self.parse(action.precondition, "bool", code, target)
                pre_slots.append(m)
                self.pre_items.append(item)
                self.pre_single[m] = item
            self.raw_keys.append(("*", *(f"tag:{t}" for t in action.tags), f"action:{action.id}"))

        move_actor = np.array([mv.actor_index for mv in moves], dtype=np.int64)
        groups: dict[tuple[str, str], int] = {}
        move_group = np.array(
            [groups.setdefault((mv.actor, mv.action), len(groups)) for mv in moves], dtype=np.int64
        )
        slices = []
        for ai in range(len(ACTORS)):
            where = np.flatnonzero(move_actor == ai)
            slices.append(slice(int(where[0]), int(where[-1]) + 1) if len(where) else slice(0, 0))
        order = {d: i for i, d in enumerate(self.catalog.adjudication_order)}
        # a move's risk is the escalation it signals on Kahn's ladder (rung 1: none; every
        # three rungs up, one unit): how far it invites a response, whatever its category
        risk = np.array([max(0, mv.rung - 1) / 3 for mv in moves])
        return {
            "moves": tuple(moves),
            "move_actor": move_actor,
            "actor_slices": tuple(slices),
            "move_group": move_group,
            "n_groups": len(groups),
            # the partners of a joint move share its cost (each pays its part)
            "move_cost": np.array(
                [mv.cost / (1 + len(mv.partners)) for mv in moves], dtype=np.float64
            ),
            "move_noise": np.array(self.noise, dtype=np.float64)[move_actor],
            "move_risk": risk,
            "move_aversion": (1.0 - np.array(self.risk))[move_actor] * risk,
            "delta_success": d_succ,
            "delta_failure": d_fail,
            "sparse": self._sparse(d_succ, d_fail, move_actor),
            "effects_success": tuple(eff_s),
            "effects_failure": tuple(eff_f),
            "success_const": success_const,
            "success_const_list": success_const.tolist(),
            "success_slots": np.array(success_slots, dtype=np.int64),
            "all_legal": np.ones(n_moves, dtype=bool),
            "precondition_slots": np.array(pre_slots, dtype=np.int64),
            "resolve_key": [order[mv.domain] * 8 + mv.actor_index for mv in moves],
        }

    def _sparse(
        self, d_succ: np.ndarray, d_fail: np.ndarray, move_actor: np.ndarray
    ) -> SparseEffects:
        rs, cs = np.nonzero(d_succ)
        rf, cf = np.nonzero(d_fail)
        rows, cols = np.concatenate([rs, rf]), np.concatenate([cs, cf])
        deltas = np.concatenate([d_succ[rs, cs], d_fail[rf, cf]])
        own = move_actor[rows][:, None] == self.obj_actor[None, :]  # (E, K)
        coef = np.where(own, self.terms[:, cols].T, 0.0)
        flag = np.concatenate([np.ones(len(rs), dtype=bool), np.zeros(len(rf), dtype=bool)])
        # Entries on variables the mover does not care about add nothing to its utility.
        keep = np.any(coef != 0, axis=1)
        rows, cols, deltas, flag, coef = (
            rows[keep],
            cols[keep],
            deltas[keep],
            flag[keep],
            coef[keep],
        )
        width = max(1, int(np.count_nonzero(coef, axis=1).max(initial=0)))
        coef_obj = np.zeros((len(coef), width), dtype=np.int64)
        coef_val = np.zeros((len(coef), width))
        for e, row in enumerate(coef):
            (nonzero,) = np.nonzero(row)
            coef_obj[e, : len(nonzero)] = nonzero
            coef_val[e, : len(nonzero)] = row[nonzero]
        return SparseEffects(
            rows,
            cols,
            deltas,
            self.lo[cols],
            self.hi[cols],
            flag,
            np.ascontiguousarray(coef),
            coef_obj,
            coef_val,
        )

    def _events(self) -> dict[str, Any]:
        event_index = {e: i for i, e in enumerate(self.event_ids)}
        self.inject_when: list[tuple[Expr, Binding]] = []
        by_turn: dict[int, list[InjectRule]] = {}
        chance: list[InjectRule] = []
        library: dict[str, InjectRule] = {}
        for inj in self.injects:
            slot = None
            if inj.when is not None:
                slot = len(self.inject_when)
                self.inject_when.append(self.parse(inj.when))
            rule = InjectRule(
                id=inj.id,
                event_index=event_index[inj.id],
                text=inj.text,
                turn=inj.turn,
                chance=inj.chance,
                once=inj.once,
                when=slot,
                effects=self.effects(inj.effects),
                weights=self.weight_pairs(inj.weights),
            )
            library[inj.id] = rule
            if inj.turn is not None:
                by_turn.setdefault(inj.turn, []).append(rule)
            elif inj.chance is not None:
                chance.append(rule)
        self.trigger_items = [self.parse(t.when) for t in self.triggers]
        self.outcome_items = [self.parse(o.when) for o in self.outcomes]
        self.dynamics_items = [
            self.parse(d.rate if isinstance(d.rate, str) else repr(d.rate), "num")
            for d in self.dynamics
        ]
        self.dynamics_targets = [self.index[d.var] for d in self.dynamics]
        return {
            "event_ids": self.event_ids,
            "injects_by_turn": {t: tuple(r) for t, r in by_turn.items()},
            "chance_injects": tuple(chance),
            "library": library,
            "triggers": tuple(
                TriggerRule(
                    id=t.id,
                    event_index=event_index[t.id],
                    text=t.text,
                    effects=self.effects(t.effects),
                    weights=self.weight_pairs(t.weights),
                    inject=t.inject,
                    once=t.once,
                    cooldown=t.cooldown,
                )
                for t in self.triggers
            ),
            "outcome_ids": tuple(o.id for o in self.outcomes),
            "outcome_titles": tuple(o.title for o in self.outcomes),
        }

    def _compiled(self) -> dict[str, Any]:
        """Number the count keys every parsed expression uses, then compile everything."""
        used = sorted(set().union(*(count_keys(e) for e in self.parsed)))
        self.key_index.update({k: i for i, k in enumerate(used)})
        n_moves = len(self.raw_keys)
        dynamics = tuple(
            (i, e, b) for i, (e, b) in zip(self.dynamics_targets, self.dynamics_items, strict=True)
        )
        return {
            "sources": RuleSources(
                gain=tuple(self.gain_items),
                success=tuple(self.success_items),
                precondition=tuple(self.pre_items),
                inject_when=tuple(self.inject_when),
                trigger=tuple(self.trigger_items),
                outcome=tuple(self.outcome_items),
                dynamics=dynamics,
            ),
            "count_keys": tuple(used),
            "move_keys": tuple(
                tuple(self.key_index[k] for k in ks if k in self.key_index) for ks in self.raw_keys
            ),
            "gain_fn": _group(self.gain_items),
            "success_fn": _group(self.success_items),
            "success_one": tuple(
                compile_group([self.success_single[m]]) if m in self.success_single else None
                for m in range(n_moves)
            ),
            "precondition_fn": _group(self.pre_items),
            "precondition_one": tuple(
                compile_group([self.pre_single[m]]) if m in self.pre_single else None
                for m in range(n_moves)
            ),
            "inject_when_fn": _group(self.inject_when),
            "trigger_fn": _group(self.trigger_items),
            "outcome_fn": _group(self.outcome_items),
            "outcome_progress": tuple(
                Progress(e, b, {v.name: (v.min, v.max) for v in self.variables})
                for e, b in self.outcome_items
            ),
            "dynamics_update": compile_update(dynamics, self.lo.tolist(), self.hi.tolist()),
        }

    def build(self) -> Rules:
        # Order matters: objectives exist before the moves' utilities and the triggers'
        # weight shifts refer to them; compiling comes last.
        parts = {**self._layout(), **self._actors(), **self._moves(), **self._events()}
        compiled = self._compiled()
        return Rules(**parts, **compiled, **_tables(parts, compiled))


def _partners(action: ActionSpec, code: str, target: str | None) -> tuple[str, ...]:
    """The other parties of a joint move: its target when the targets are the actors
    themselves (a summit), else every other actor of the action."""
    if not action.joint:
        return ()
    if target is not None and set(action.targets) <= set(action.actors):
        return (target,)
    return tuple(a for a in action.actors if a != code)


def _joint_tables(moves: Sequence[Move]) -> tuple[np.ndarray, int, list[list[int]]]:
    """Per move, its joint move's key (-1 if not joint) and its partners' copies."""
    keys: dict[tuple[str, frozenset[str], str | None], int] = {}
    index = {(mv.actor, mv.action, mv.target): mv.index for mv in moves}
    joint_key = np.full(len(moves), -1, dtype=np.int64)
    copies: list[list[int]] = []
    for mv in moves:
        found: list[int] = []
        if mv.partners:
            summit = mv.partners == (mv.target,)
            outside = None if summit else mv.target
            parties = frozenset((mv.actor, *mv.partners))
            joint_key[mv.index] = keys.setdefault((mv.action, parties, outside), len(keys))
            for p in mv.partners:
                other = index.get((p, mv.action, mv.actor if summit else mv.target))
                if other is not None:
                    found.append(other)
        copies.append(found)
    return joint_key, len(keys), copies


def _reversals(moves: Sequence[Move], move_group: np.ndarray) -> list[set[int]]:
    """Per move, the groups (the same actor's actions) it reverses, either way round."""
    group_of = {(mv.actor, mv.action): int(g) for mv, g in zip(moves, move_group, strict=True)}
    pairs = {(mv.action, other) for mv in moves for other in mv.reverses}
    pairs |= {(b, a) for a, b in pairs}
    return [
        {
            group_of[(mv.actor, b)]
            for a, b in pairs
            if a == mv.action and (mv.actor, b) in group_of and b != mv.action
        }
        for mv in moves
    ]


def _tables(parts: Mapping[str, Any], compiled: Mapping[str, Any]) -> dict[str, Any]:
    """Index tables both executors of a turn read (:mod:`tripwire.sim.turn`)."""
    slices = parts["actor_slices"]
    width = max((sl.stop - sl.start for sl in slices), default=0)
    actor_moves = np.zeros((len(slices), width), dtype=np.int64)
    real = np.zeros((len(slices), width), dtype=bool)
    for a, sl in enumerate(slices):
        actor_moves[a, : sl.stop - sl.start] = np.arange(sl.start, sl.stop)
        real[a, : sl.stop - sl.start] = True
    points = parts["action_points"]
    n_moves, move_group = len(parts["moves"]), parts["move_group"]
    reversed_groups = _reversals(parts["moves"], move_group)
    # two moves of an actor conflict (not both in one turn): one action, or one reverses the other
    conflicts = np.zeros((len(slices), width, width), dtype=bool)
    undoes = np.zeros((n_moves, parts["n_groups"]), dtype=bool)  # move -> groups it reverses
    for m, groups in enumerate(reversed_groups):
        undoes[m, sorted(groups)] = True
    for a, sl in enumerate(slices):
        g = move_group[sl]
        conflicts[a, : len(g), : len(g)] = (g[:, None] == g[None, :]) | undoes[sl][:, g]
    rev_width = max(1, max((len(r) for r in reversed_groups), default=0))
    move_reversed = np.full((n_moves, rev_width), parts["n_groups"], dtype=np.int64)
    for m, groups in enumerate(reversed_groups):
        move_reversed[m, : len(groups)] = sorted(groups)
    n_keys, any_actor = len(compiled["count_keys"]), COUNT_ACTORS.index(ANY)
    joint_key, n_joint, copies = _joint_tables(parts["moves"])
    # a move counts under each of its keys, for its actor and for 'any'; a joint move for
    # each of its partners too
    count_rows = tuple(
        (
            *(a * n_keys + k for a in (mv.actor_index, *partner_actors) for k in keys),
            *(any_actor * n_keys + k for k in keys),
        )
        for mv, keys, partner_actors in zip(
            parts["moves"],
            compiled["move_keys"],
            ([parts["moves"][c].actor_index for c in cs] for cs in copies),
            strict=True,
        )
    )
    joint_width = max(1, max((len(c) for c in copies), default=0))
    joint_partners = np.full((len(copies), joint_width), len(copies), dtype=np.int64)
    for m, cs in enumerate(copies):
        joint_partners[m, : len(cs)] = cs
    max_points = max(points, default=0)
    return {
        "move_cost_col": parts["move_cost"][:, None].copy(),
        "move_noise_col": parts["move_noise"][:, None].copy(),
        "move_aversion_col": parts["move_aversion"][:, None].copy(),
        "reversal_move": np.nonzero(move_reversed < parts["n_groups"])[0],
        "reversal_group": move_reversed[move_reversed < parts["n_groups"]],
        "joint_partner_cols": tuple(np.ascontiguousarray(c) for c in joint_partners.T),
        "actor_move_pad": ~real[:, :, None],
        "actor_offsets": (np.arange(len(slices), dtype=np.int64) * width)[:, None],
        "pick_moves": np.append(actor_moves.ravel(), -1),
        "conflict_rows": np.vstack(
            [conflicts.reshape(len(slices) * width, width), np.zeros((1, width), dtype=bool)]
        ),
        "point_open": np.arange(max_points)[:, None, None] < np.asarray(points)[None, :, None],
        "resolve_keys": np.asarray(parts["resolve_key"], dtype=np.int64),
        "point_rank": np.concatenate(
            [np.arange(p, dtype=np.int64) for p in parts["action_points"]]
            or [np.zeros(0, dtype=np.int64)]
        ),
        "actor_moves": actor_moves,
        "actor_move_real": real,
        "points_of": np.asarray(parts["action_points"], dtype=np.int64),
        "point_blocks": tuple(
            slice(start - points, start)
            for start, points in zip(
                itertools.accumulate(parts["action_points"]), parts["action_points"], strict=True
            )
        ),
        "max_points": max(points, default=0),
        "min_points": min(points, default=0),
        "point_mask": np.arange(max(points, default=0))[None, :] < np.array(points)[:, None],
        "point_cells": np.flatnonzero(
            np.arange(max(points, default=0))[None, :] < np.array(points)[:, None]
        ),
        "move_reversed": move_reversed,
        "joint_key": joint_key,
        "joint_key_list": joint_key.tolist(),
        "n_joint": n_joint,
        "joint_partners": joint_partners,
        "actor_conflicts": conflicts,
        "move_count_rows": count_rows,
    }
