"""The crisis model: one Mesa model, six country agents, one step per turn (a month).

A turn (docs/architecture.md; its rules are the functions of tripwire.sim.turn):

1. injects due this turn fire (scheduled ones, chance ones whose roll succeeds, and any
   queued by a facilitator);
2. every actor decides, simultaneously, on the same :class:`DecisionView`;
3. adjudication resolves the moves (:mod:`tripwire.sim.adjudication`), then the turn's
   escalation score and rung are set;
4. the dynamics terms move the world, then risk triggers fire, then outcomes are checked;
5. a snapshot of the state closes the turn's record; the DataCollector collects.

All chance comes from ``self.rng``, seeded from the run's seed, in fixed-size blocks drawn at
the start of every turn (one roll per chance inject, one Gumbel taste and one success roll
per move, whether or not it is chosen). So the same seed gives the same game, and two
scenarios that differ in one parameter play against the same dice (common random numbers),
which makes comparisons between them sharper.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np

from tripwire import __version__
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.scenario.schema import Scenario
from tripwire.sim import events as ev
from tripwire.sim import turn as rule
from tripwire.sim.adjudication import apply_effects, named, resolve
from tripwire.sim.agents import CountryAgent
from tripwire.sim.policies import BotPolicy, DecisionView, HumanSeat, Policy
from tripwire.sim.rules import COUNT_ACTORS, InjectRule, Rules, compile_rules
from tripwire.sim.state import History
from tripwire.sim.turn import SCALAR

DEFAULT_SCENARIO = "missile_crisis_2"


@functools.lru_cache(maxsize=16)
def _bundled_rules(name: str) -> Rules:
    return compile_rules(load_scenario(bundled_scenarios()[name]))


def rules_for(scenario: str | Scenario | Rules) -> Rules:
    """Compiled rules for a scenario given as rules, a validated Scenario or the name of a
    bundled scenario (package data, compiled once per process).

    The engine never reads a path: a file may change between two games of one process, so
    the caller loads it (``load_scenario(path)``) and passes the Scenario.

    Raises:
        ValueError: a name that is not a bundled scenario (a path, say).
    """
    if isinstance(scenario, Rules):
        return scenario
    if isinstance(scenario, Scenario):
        return compile_rules(scenario)
    if isinstance(scenario, str) and scenario in bundled_scenarios():
        return _bundled_rules(scenario)
    raise ValueError(
        f"{scenario!r} is not a bundled scenario: pass a Scenario (load_scenario(path)) "
        "or compiled Rules"
    )


def game_seed(rng: int | np.random.Generator | None) -> int:
    """The seed a game records: ``rng`` itself, one drawn from a generator, or one drawn
    from the operating system's entropy."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be an int seed or a numpy Generator, not {type(rng).__name__}")
    return int(rng)


class CrisisModel(mesa.Model):
    """A game of a scenario.

    Args:
        scenario: a validated Scenario, compiled Rules, or a bundled scenario's name.
        rng: the seed (an int) of the game; a ``numpy.random.Generator`` (Mesa's habit)
            draws the seed from it; None draws one from the operating system. The seed is
            recorded either way, so the game can be replayed with ``tripwire run --seed``.
        turns: number of turns to play (default: the scenario's).
        policies: actor code -> policy for seats not played by the default bot.
        record: keep the full event log in ``self.log`` (off for lean batch runs).
        collect: run the Mesa DataCollector every turn.
        series: variables whose value to keep every turn (turn 0 included) in
            ``self.series``, a list of rows; a lean alternative to the log for batches.
        **overrides: the names ``tripwire batch --set`` takes, with their values
            (``**{"world.tension": 90, "PRK.risk_tolerance": 0.2}``), so that
            ``mesa.batch_run`` can sweep them.

    Raises:
        InputError: (a ValueError) an unknown override name or a value out of range.

    What a facilitator's session (:mod:`tripwire.session`) builds on; the white cell's acts
    themselves are the session's (:mod:`tripwire.session.whitecell`), not the model's:

    Attributes:
        pending: the turn under way (:class:`PendingTurn`: its chosen moves, the moves
            vetoed and the results forced, its events so far), or None between turns.
            Resolution reads its ``vetoed`` and ``forced``; records added to its ``events``
            are logged with the turn.
        briefing_events: records made between turns (the white cell's acts, the injects it
            fires); they open the next turn's events when it begins, and :meth:`records`
            shows them after the log until then.
    """

    def __init__(
        self,
        scenario: str | Scenario | Rules = DEFAULT_SCENARIO,
        *,
        rng: int | np.random.Generator | None = None,
        turns: int | None = None,
        policies: Mapping[str, Policy] | None = None,
        record: bool = True,
        collect: bool = True,
        series: tuple[str, ...] = (),
        **overrides: float,
    ):
        seed = game_seed(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.rules = rules_for(scenario)
        if overrides:
            changes = [Assignment(name, float(value)) for name, value in overrides.items()]
            spec = apply_overrides(self.rules.scenario, changes, option="overrides")
            self.rules = compile_rules(spec)
        self.spec = self.rules.scenario
        self.turns = self.rules.turns if turns is None else int(turns)
        self.turn = 0
        self.state: np.ndarray = self.rules.initial.copy()
        self.weights: np.ndarray = self.rules.weights0.copy()
        self.recent: np.ndarray = np.zeros(self.rules.n_groups)  # decayed uses per (actor, action)
        self.stance: np.ndarray = np.zeros(self.rules.n_groups)  # the same, kept longer
        self.move_counts: np.ndarray = np.zeros(len(self.rules.moves), dtype=np.int64)
        self.history = History(
            len(COUNT_ACTORS), len(self.rules.count_keys), len(self.rules.event_ids)
        )
        self.reached: dict[str, int | None] = dict.fromkeys(self.rules.outcome_ids)
        self.trigger_counts: dict[str, int] = dict.fromkeys((t.id for t in self.rules.triggers), 0)
        self._trigger_last = [-(10**9)] * len(self.rules.triggers)
        self._queued_injects: list[InjectRule] = []
        self.briefing_events: list[dict[str, Any]] = []  # white-cell acts before a turn
        self.pending: PendingTurn | None = None
        self.peak_rung = float(self.state[self.rules.rung_index])
        self.total_score = 0.0
        self.record = record
        self._series_index = np.array([self.rules.index[name] for name in series], dtype=np.int64)
        self.series: list[list[float]] = []
        self.log: list[dict[str, Any]] = []
        self.view: DecisionView | None = None
        self._actor_agents: list[CountryAgent] = []
        policies = dict(policies or {})
        bot = BotPolicy()
        for code in self.rules.actors:
            self._actor_agents.append(CountryAgent(self, code, policies.pop(code, bot)))
        if policies:
            raise ValueError(f"unknown actors in policies: {', '.join(policies)}")
        self.datacollector = _collector(self.rules) if collect else None
        if record:
            self.log.append(
                ev.header(
                    version=__version__,
                    scenario=self.spec.id,
                    title=self.spec.title,
                    scenario_sha256=self.rules.scenario_sha256,
                    catalog_sha256=self.rules.catalog_sha256,
                    seed=self.seed,
                    turns=self.turns,
                    start=self.spec.start,
                    actors=self.rules.actors,
                    outcomes=dict(
                        zip(self.rules.outcome_ids, self.rules.outcome_titles, strict=True)
                    ),
                    humans=[a.code for a in self._actor_agents if isinstance(a.policy, HumanSeat)],
                )
            )
            self._snapshot()
        if len(self._series_index):
            self.series.append(self.state[self._series_index].tolist())
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # --- reading the state --------------------------------------------------------------
    def value(self, name: str) -> float:
        """The current value of a state variable."""
        return float(self.state[self.rules.index[name]])

    def country(self, code: str) -> CountryAgent:
        """The agent of one actor."""
        return self._actor_agents[self.rules.actors.index(code)]

    @property
    def trigger_last(self) -> list[int]:
        """The turn each trigger last fired (a large negative number if never)."""
        return list(self._trigger_last)

    @property
    def queued_injects(self) -> tuple[InjectRule, ...]:
        """Library injects queued to fire at the start of the next turn."""
        return tuple(self._queued_injects)

    # --- facilitator hooks --------------------------------------------------------------
    def queue_inject(self, inject_id: str) -> None:
        """Fire an inject from the scenario's library at the start of the next turn."""
        self._queued_injects.append(self.rules.library[inject_id])

    def apply_inject(self, inject: InjectRule, cause: str, events: list[dict[str, Any]]) -> None:
        """Fire ``inject`` now: its effects move the state (clipped), its weight shifts and
        its event count apply, and, when the game is recorded, its ``inject`` record (with
        ``cause``) is appended to ``events`` (:attr:`briefing_events` between turns)."""
        s = self.state.tolist()
        self._apply_inject(s, inject, cause, events)
        self.state[:] = s

    # --- the turn -----------------------------------------------------------------------
    def step(self) -> None:
        """Play one turn (see the module docstring for its phases).

        In an exercise the turn is begun first (:meth:`begin_turn`), seats decide and the white
        cell reviews; ``step`` then resolves it. Otherwise ``step`` does both.
        """
        if self.pending is None:
            self.begin_turn()
        self.resolve_turn()

    def begin_turn(self) -> None:
        """Phases 1-2: fire the turn's injects, draw its dice, let the bots decide.

        Human seats are left pending until :meth:`decide` is called for them.
        """
        if self.pending is not None:
            raise RuntimeError(f"turn {self.turn} has begun and is not resolved yet")
        if not self.running:
            raise RuntimeError("the game is over")
        rules = self.rules
        self.turn += 1
        turn = self.turn
        self.history.begin_turn(turn)
        n_chance = len(rules.chance_injects)
        draws, gumbel = rule.roll_dice(self.rng, rules)
        events, self.briefing_events = self.briefing_events, []
        s = self.state.tolist()
        if self._fire_injects(s, turn, draws[:n_chance], events):
            self.state[:] = s
        chosen = self._decide(s, turn, gumbel)
        self.pending = PendingTurn(turn, draws[n_chance:].tolist(), chosen, events)

    def resolve_turn(self) -> None:
        """Phases 3-5: adjudicate, move the world, fire triggers, check outcomes, record."""
        pending = self.pending
        if pending is None:
            raise RuntimeError("no turn has begun")
        waiting = [self.rules.actors[a] for a, moves in enumerate(pending.chosen) if moves is None]
        if waiting:
            raise RuntimeError(f"waiting for {', '.join(waiting)} to decide")
        self.pending = None
        rules, turn, turn_events = self.rules, pending.turn, pending.events
        chosen = [moves or [] for moves in pending.chosen]
        s = self.state.tolist()
        res = resolve(
            rules,
            s,
            self.history,
            turn,
            chosen,
            rolls=pending.rolls,
            record=self.record,
            vetoed=frozenset(pending.vetoed),
            forced=pending.forced,
            humans=frozenset(
                a.actor_index for a in self._actor_agents if isinstance(a.policy, HumanSeat)
            ),
        )
        for event in res.events:  # moves are public once the turn resolves
            event["seen"] = ev.PUBLIC
        turn_events.extend(res.events)
        taken = np.array(res.taken, dtype=np.intp)
        rule.remember(rules, s, self.recent, self.stance, rules.move_group.take(taken))
        self.move_counts[taken] += 1
        if self.record:
            for agent, moves in zip(self._actor_agents, chosen, strict=True):
                if not moves:
                    turn_events.append(_hold_event(agent.code))
        s[rules.score_index] = res.score
        s[rules.rung_index] = rule.next_rung(
            s[rules.rung_index],
            res.max_rung,
            s[rules.tension_index],
            s[rules.tension_rungs_index],
            SCALAR,
        )
        self._apply_dynamics(s, turn)
        self._fire_triggers(s, turn, turn_events)
        self.state[:] = s
        self._check_outcomes(s, turn, turn_events)
        self.total_score += res.score
        self.peak_rung = max(self.peak_rung, s[rules.rung_index])
        self._close_turn(turn, turn_events)

    # --- the seats ----------------------------------------------------------------------
    def waiting_for(self) -> list[str]:
        """The human seats that have not decided the turn under way."""
        if self.pending is None:
            return []
        return [self.rules.actors[a] for a, m in enumerate(self.pending.chosen) if m is None]

    def decide(self, actor: str, moves: list[int], *, who: str | None = None) -> None:
        """Record a human seat's moves for the turn under way.

        Raises:
            ValueError: a move that is not the seat's, not legal now, repeats an action, or
                more moves than the seat's action points.
        """
        pending = self._require_pending()
        a = self.rules.actors.index(actor)
        check_moves(self.rules, self.view, a, moves)
        pending.chosen[a] = list(moves)
        pending.events.append(
            {
                "kind": "decision",
                "actor": actor,
                "who": who or f"{actor} team",
                "moves": [
                    {"action": self.rules.moves[m].action, "target": self.rules.moves[m].target}
                    for m in moves
                ],
                "seen": ev.team(actor),  # the team's (and the white cell's) alone
            }
        )

    def _require_pending(self) -> PendingTurn:
        if self.pending is None:
            raise ValueError("no turn under way: begin the turn first")
        return self.pending

    def _decide(self, s: list[float], turn: int, gumbel: np.ndarray) -> list[list[int]]:
        """Phase 2: every actor chooses, simultaneously, from one view of the state."""
        rules = self.rules
        count, fired = self.history.count, self.history.fired
        legal = rules.all_legal.copy()
        if rules.precondition_fn is not None:
            legal[rules.precondition_slots] = rules.precondition_fn(s, count, fired, turn)
        success = rules.success_const.copy()
        if rules.success_fn is not None:
            values = rules.success_fn(s, count, fired, turn)
            success[rules.success_slots] = [rule.success_chance(p, SCALAR) for p in values]
        gains = rules.gain_const.copy()
        if rules.gain_fn is not None:
            gains[rules.gain_slots] = rules.gain_fn(s, count, fired, turn)
        utility, scores = (
            column[:, 0]
            for column in rule.move_scores(
                rules,
                self.state[:, None],
                self.weights[:, None],
                gains[:, None],
                success[:, None],
                self.recent[:, None],
                self.stance[:, None],
                gumbel[:, None],
                legal[:, None],
            )
        )
        picks = rule.choose_moves(rules, scores[:, None])[0].tolist()
        ranked = [[m for m in picks[block] if m >= 0] for block in rules.point_blocks]
        self.view = DecisionView(
            turn=turn,
            rules=rules,
            state=self.state.copy(),
            legal=legal,
            utility=utility,
            success=success,
            gumbel=gumbel,
            scores=scores,
            ranked=ranked,
        )
        self.agents.do("decide")
        return [agent.chosen for agent in self._actor_agents]

    def _apply_dynamics(self, s: list[float], turn: int) -> None:
        """Phase 4a: every rate from the same state, then all applied and clipped."""
        self.rules.dynamics_update(s, self.history.count, self.history.fired, turn)

    def _close_turn(self, turn: int, turn_events: list[dict[str, Any]]) -> None:
        """Phase 5: the turn's record, the DataCollector, and the end of the game."""
        if self.record:
            for seq, event in enumerate(turn_events):
                self.log.append({"type": "event", "turn": turn, "seq": seq, **event})
            self._snapshot()
        if len(self._series_index):
            self.series.append(self.state[self._series_index].tolist())
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if turn >= self.turns:
            self.running = False
            if self.record:
                self.log.append(
                    ev.result(
                        turn, self.reached, self.peak_rung, self.total_score, self.trigger_counts
                    )
                )

    def _fire_injects(
        self, s: list[float], turn: int, rolls: np.ndarray, out: list[dict[str, Any]]
    ) -> bool:
        """Fire the injects due this turn; return whether any fired."""
        rules = self.rules
        queued, self._queued_injects = self._queued_injects, []
        when = (
            rules.inject_when_fn(s, self.history.count, self.history.fired, turn)
            if rules.inject_when_fn
            else None
        )
        fired = False
        for inject, cause, fires in rule.due_injects(
            rules, turn, queued, when, rolls.tolist(), self.history.total_events, True, SCALAR
        ):
            if fires:
                self._apply_inject(s, inject, cause, out)
                fired = True
        return fired

    def _apply_inject(
        self, s: list[float], inject: InjectRule, cause: str, out: list[dict[str, Any]]
    ) -> None:
        applied = apply_effects(s, inject.effects, self.rules, track=self.record)
        self._shift_weights(inject.weights)
        self.history.add_event(inject.event_index)
        if self.record:
            out.append(
                {
                    "kind": "inject",
                    "id": inject.id,
                    "cause": cause,
                    "text": inject.text,
                    "effects": named(self.rules, applied),
                    "seen": ev.PUBLIC,  # the world's news, whoever fired it
                }
            )

    def _fire_triggers(self, s: list[float], turn: int, out: list[dict[str, Any]]) -> None:
        rules = self.rules
        if rules.trigger_fn is None:
            return
        holds = rules.trigger_fn(s, self.history.count, self.history.fired, turn)
        for i, trigger in enumerate(rules.triggers):
            count = self.trigger_counts[trigger.id]
            last = self._trigger_last[i]
            if not rule.trigger_fires(
                holds[i], turn, last, trigger.cooldown, trigger.once, count, SCALAR
            ):
                continue
            self._trigger_last[i] = turn
            self.trigger_counts[trigger.id] += 1
            self.history.add_event(trigger.event_index)
            applied = apply_effects(s, trigger.effects, rules, track=self.record)
            self._shift_weights(trigger.weights)
            if self.record:
                out.append(
                    {
                        "kind": "trigger",
                        "id": trigger.id,
                        "text": trigger.text,
                        "effects": named(rules, applied),
                        "seen": ev.PUBLIC,
                    }
                )
            if trigger.inject is not None:
                self._apply_inject(s, rules.library[trigger.inject], f"trigger:{trigger.id}", out)

    def _shift_weights(self, pairs: tuple[tuple[int, float], ...]) -> None:
        for k, delta in pairs:
            self.weights[k] = rule.shift_weight(float(self.weights[k]), delta, SCALAR)

    def _check_outcomes(self, s: list[float], turn: int, out: list[dict[str, Any]]) -> None:
        rules = self.rules
        if rules.outcome_fn is None:
            return
        holds = rules.outcome_fn(s, self.history.count, self.history.fired, turn)
        for i, oid in enumerate(rules.outcome_ids):
            if rule.newly_reached(holds[i], self.reached[oid] is None, SCALAR):
                self.reached[oid] = turn
                if self.record:
                    out.append(
                        {"kind": "outcome", "id": oid, "title": rules.outcome_titles[i],
                         "seen": ev.PUBLIC}
                    )  # fmt: skip

    def _snapshot(self) -> None:
        rules = self.rules
        idx = rules.snapshot_index
        values = np.round(self.state[idx], ev.DECIMALS).tolist()
        state = {
            rules.var_names[i]: (0.0 if v == 0 else v)
            for i, v in zip(idx.tolist(), values, strict=True)
        }
        s = self.state.tolist()
        progress = {
            oid: watch(s, self.history.count, self.history.fired, max(self.turn, 1))
            for oid, watch in zip(rules.outcome_ids, rules.outcome_progress, strict=True)
        }
        self.log.append(
            ev.snapshot(
                self.turn,
                rules.month(max(self.turn, 1)),
                state,
                escalation_score=self.state[rules.score_index],
                rung=self.state[rules.rung_index],
                progress=progress,
            )
        )

    def records(self) -> list[dict[str, Any]]:
        """The event log so far, with the white cell's acts since the last turn as the first
        events of the next one (its snapshot follows when it is played)."""
        if not self.record or self.pending is not None or not self.briefing_events:
            return self.log
        turn = self.turn + 1
        return [
            *self.log,
            *(
                {"type": "event", "turn": turn, "seq": seq, **event}
                for seq, event in enumerate(self.briefing_events)
            ),
        ]

    def run(self) -> CrisisModel:
        """Play every remaining turn; return self."""
        while self.running:
            self.step()
        return self


@dataclass(slots=True)
class PendingTurn:
    """A turn that has begun and awaits human decisions and the white cell's review.

    Attributes:
        turn: the turn's number.
        rolls: its success rolls, one per move (drawn when it began).
        chosen: per actor (``rules.actors`` order), its chosen move indices (None: a human
            seat still to decide).
        events: the turn's records so far (its injects, decisions, the white cell's review).
        vetoed: moves that resolve as stopped.
        forced: move -> the result that replaces its roll (True: success).
    """

    turn: int
    rolls: list[float]
    chosen: list[list[int] | None]  # None: a human seat still to decide
    events: list[dict[str, Any]]
    vetoed: set[int] = field(default_factory=set)
    forced: dict[int, bool] = field(default_factory=dict)


def check_moves(rules: Rules, view: DecisionView | None, actor: int, moves: list[int]) -> None:
    """Raise ValueError unless ``moves`` is a choice the seat may make this turn."""
    code = rules.actors[actor]
    if len(moves) > rules.action_points[actor]:
        raise ValueError(
            f"{code} has {rules.action_points[actor]} action point(s), not {len(moves)}"
        )
    sl = rules.actor_slices[actor]
    taken: list[int] = []
    for m in moves:
        if not sl.start <= m < sl.stop:
            raise ValueError(f"move {m} is not one of {code}'s")
        name = rules.moves[m].action
        if view is not None and not view.legal[m]:
            raise ValueError(f"{code} cannot take '{name}' now: its precondition does not hold")
        for other in taken:
            if rules.actor_conflicts[actor, m - sl.start, other - sl.start]:
                if rules.move_group[m] == rules.move_group[other]:
                    raise ValueError(f"{code} takes '{name}' twice")
                raise ValueError(
                    f"{code} cannot take '{name}' and '{rules.moves[other].action}' in one "
                    "turn: one reverses the other"
                )
        taken.append(m)


def _collector(rules: Rules) -> mesa.DataCollector:
    """The Mesa DataCollector of a game: every turn (turn 0 included), the main variables,
    each outcome reached so far by name (``reached.OUTCOME``: True or False) and the names of
    those reached (``outcomes``); and per country agent (``get_agent_vars_dataframe``), the
    moves it chose this turn and the moves it made, by name (``action`` or
    ``action>TARGET``; a joint move is made by the actor that resolved it), and its posture.
    """
    model_reporters: dict[str, Any] = {
        "tension": lambda m: m.value("world.tension"),
        "rung": lambda m: m.value("world.escalation_rung"),
        "escalation_score": lambda m: m.value("world.escalation_score"),
        "sanctions_enforcement": lambda m: m.value("world.sanctions_enforcement"),
        "icbm": lambda m: m.value("PRK.icbm"),
        "china_influence": lambda m: m.value("CHN.influence_over_PRK"),
        "alliance_cohesion": lambda m: m.value("alliance.cohesion"),
        "outcomes_reached": lambda m: sum(t is not None for t in m.reached.values()),
        "outcomes": lambda m: [oid for oid, t in m.reached.items() if t is not None],
    }
    for oid in rules.outcome_ids:
        model_reporters[f"reached.{oid}"] = lambda m, oid=oid: m.reached[oid] is not None
    return mesa.DataCollector(
        model_reporters=model_reporters,
        agent_reporters={
            "actor": "code",
            "chosen": lambda a: [_move_name(a.model.rules.moves[m]) for m in a.chosen],
            "made": _moves_made,
            "posture": lambda a: (
                a.model.value(f"{a.code}.posture")
                if f"{a.code}.posture" in a.model.rules.index
                else None
            ),
        },
    )


def _move_name(move: Any) -> str:
    return f"{move.action}>{move.target}" if move.target else move.action


def _moves_made(agent: Any) -> list[str]:
    """The moves the agent made since the last collection (its move counts that grew)."""
    model, rules = agent.model, agent.model.rules
    mine = [m.index for m in rules.moves if m.actor_index == agent.actor_index]
    counts = model.move_counts[mine]
    seen = getattr(agent, "_counts_collected", np.zeros_like(counts))
    agent._counts_collected = counts.copy()
    return [_move_name(rules.moves[mine[k]]) for k in np.flatnonzero(counts > seen).tolist()]


def _hold_event(actor: str) -> dict[str, Any]:
    return {
        "kind": "action",
        "actor": actor,
        "target": None,
        "action": "hold",
        "name": "Hold",
        "domain": None,
        "cameo": None,
        "goldstein": 0.0,
        "escalation": "status_quo",
        "score": 0,
        "p": None,
        "roll": None,
        "success": True,
        "effects": {},
        "seen": ev.PUBLIC,
    }
