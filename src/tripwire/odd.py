"""The model described by the ODD protocol, generated from the catalog so it cannot drift.

ODD (Overview, Design concepts, Details) is the standard description of agent-based models:
Grimm et al. (2020), "The ODD Protocol for Describing Agent-Based and Other Simulation Models:
A Second Update to Improve Clarity, Replication, and Structural Realism", JASSS 23(2) 7.
``python -m tripwire.odd [PATH]`` (``make docs``) writes ``docs/odd.md``: the seven elements in
order, then the evidence ``tripwire calibrate`` checks. What the catalog, the targets, the
fitted values, the bundled scenarios and the rules' docstrings hold is read from them; only
the prose that explains it is written here. ``tests/test_odd.py`` fails when the file is stale.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tripwire import calibration, fit, targets
from tripwire.catalog import FITTED, Catalog, load_catalog
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.sim import adjudication, turn

ELEMENTS = (
    "1. Purpose and patterns",
    "2. Entities, state variables, and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialization",
    "6. Input data",
    "7. Submodels",
)
# What the reference tables load_catalog reads feed (the other CSV files are records).
FEEDS = {
    "cameo_goldstein.csv": "each action's CAMEO code -> Goldstein value: relations move by "
    "`param.goldstein_to_relations` x Goldstein (adjudication rule 5)",
    "escalation_categories.csv": "each action's escalation category -> score (Rivera et al. "
    "2024): the turn's escalation score",
    "kahn_escalation_ladder.csv": "the rungs actions signal (`world.escalation_rung`, rule 8; "
    "the bots' risk penalty)",
    "estimative_probability.csv": "the probability bands of the outcome ratings (section 1)",
}
_RISKY = re.compile(r"([-+*>]\s|\d+\.\s|#|\|)")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows])


def _code(items: Iterable[object]) -> str:
    return ", ".join(f"`{i}`" for i in items) or "none"


def _effects(effects: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:+g}" for k, v in effects.items())


def _quantity(value: float | str) -> str:
    return f"`{value}`" if isinstance(value, str) else f"{value:g}"


def _markdown(doc: str) -> str:
    """Docstring text as Markdown: Sphinx roles and double backticks become code spans."""
    return re.sub(r":\w+:`~?([^`]+)`", r"`\1`", doc).replace("``", "`")


def _numbered(obj: Any) -> str:
    """The numbered list of a docstring (from its line ``1.`` to the next blank line)."""
    doc = inspect.getdoc(obj) or ""
    found = re.search(r"^1\. .*?(?=\n\n|\Z)", doc, flags=re.MULTILINE | re.DOTALL)
    return _markdown(found.group(0) if found else doc)


def _reflow(block: str, width: int = 95) -> str:
    """A paragraph or list re-wrapped to ``width``; tables, headings and code stay as they are,
    and so does a block whose wrapped lines would read as Markdown syntax."""
    if block.startswith(("|", "#", "```")) or "\n|" in block:
        return block
    out = []
    for item in re.split(r"\n(?=\* |\d+\. )", block):
        marker = re.match(r"(\* |\d+\. )?", item).group(0)  # type: ignore[union-attr]
        text = " ".join(item[len(marker) :].split())
        lines = textwrap.wrap(text, width - len(marker), break_on_hyphens=False)
        if any(_RISKY.match(line) for line in lines[1:]):
            return block
        out.append(marker + ("\n" + " " * len(marker)).join(lines))
    return "\n".join(out)


def _default(catalog: Catalog, name: str) -> float:
    code, _, rest = name.partition(".")
    if code in catalog.actors and rest.startswith("objectives."):
        return catalog.actors[code].objectives[rest.removeprefix("objectives.")].weight
    return next(v.default for v in catalog.variables if v.name == name)


def _target_rows(doc: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for kind, entries in doc.items():
        for t in entries or ():
            if "range" in t:
                stat = t.get("statistic", "mean per game" if kind == "reversals" else "median")
                crit = f"{stat} in {t['range'][0]:g}..{t['range'][1]:g}"
                crit += " per year" if t.get("per_year") else ""
            elif "direction" in t:
                crit = f"mean end vs start: {t['direction']} (margin {t['margin']:g})"
            else:
                crit = f"`{t.get('most')}` most frequent of {', '.join(t.get('of', ()))}"
            what = t.get("label") or f"`{t.get('var')}`"
            rows.append([kind, f"`{t['id']}`", what, crit, t.get("source", "")])
    return rows


def _purpose(catalog: Catalog) -> str:
    bands = _table(
        ["Outcome", "Rating", "Band", "Source"],
        [
            [
                f"`{o.id}` {o.title}",
                o.rating,
                "{:g}-{:g}".format(*catalog.bands[o.rating]),
                o.source,
            ]
            for o in catalog.outcomes
            if o.rating
        ],
    )
    patterns = _table(
        ["Kind", "Target", "What", "Criterion", "Source"], _target_rows(targets.load_targets())
    )
    return f"""## {ELEMENTS[0]}

### Purpose

Tripwire models the Russia-DPRK-China triangle described by one analysis, "Russia's Deepening
Ties with North Korea: Strategic Axis or Tactical Convergence?", with the United States, South
Korea and Japan as the other players of Northeast Asia. Its purpose is to explain and explore,
not to forecast: how Russia's need for munitions and partners, the DPRK's quest for
technology, legitimacy and money, and China's fading leverage interact; how often each of the
analysis' four scenarios (section VI) comes about in a given situation, and through which
mechanisms; and to let trainees rehearse decisions in facilitated exercises. Its numbers are
indices on stated scales; its probabilities are frequencies of the model.

### Patterns

The model is evaluated against two kinds of pattern. First, the analysis' rating of each
scenario, read as a probability band (`catalog/estimative_probability.csv`): over a batch of
the calibrated scenario, each outcome's probability and its Wilson 95% interval must lie in
the band.

{bands}

Second, the observable record of 2017-2025 and the trends the analysis asserts
(`catalog/targets.yaml`), each with a range wide enough for its uncertainty and a source:

{patterns}
"""


def _entities(catalog: Catalog, scenarios: dict[str, Any]) -> str:
    profiles = _table(
        ["Agent", "Name", "Risk tolerance", "Action points", "Noise"],
        [
            [f"`{c}`", p.name, f"{p.risk_tolerance:g}", p.action_points, f"{p.noise:g}"]
            for c, p in catalog.actors.items()
        ],
    )
    objectives = _table(
        ["Agent", "Objective", "Weight", "Terms", "Gain", "Source"],
        [
            [c, f"`{oid}`", f"{o.weight:g}", _effects(o.terms), _quantity(o.gain), o.source]
            for c, p in catalog.actors.items()
            for oid, o in p.objectives.items()
        ],
    )
    groups: dict[str, list[Any]] = {}
    for v in catalog.variables:
        groups.setdefault(v.name.split(".")[0], []).append(v)
    variables = "\n\n".join(
        f"#### `{space}.*` ({len(vs)})\n\n"
        + _table(
            ["Variable", "Range", "Default", "Meaning", "Source"],
            [
                [f"`{v.name}`", f"{v.min:g}..{v.max:g}", f"{v.default:g}", v.description, v.source]
                for v in vs
            ],
        )
        for space, vs in groups.items()
    )
    horizons = ", ".join(f"`{n}` {s.turns} turns from {s.start}" for n, s in scenarios.items())
    return f"""## {ELEMENTS[1]}

### Entities

* **Country agents** (Mesa agents, `sim/agents.py`): the {len(catalog.actors)} actors below. An
  agent is a seat, played by a bot or a human; it chooses moves and never changes the state
  itself (adjudication does).
* **The world**: one vector of named state variables shared by all agents, including the
  relations `rel.A_B` between every pair of actors.
* **Moves**: an action of the catalog, taken by one of its actors (at one of its targets);
  the catalog has {len(catalog.actions)} actions (section 7).

Agent profiles (a scenario's `actors:` may override them):

{profiles}

Objectives: an agent wants each objective's terms (state variables times coefficients)
higher, scaled by its weight and its gain (1, or an expression of the state):

{objectives}

### State variables

Grouped by namespace; defaults include the fitted values (section 5). `param.*` are the
model's parameters: variables no rule changes during a game (a scenario may set them).

{variables}

### Scales

* Time: one turn is one month (`param.turn_months` = {_default(catalog, "param.turn_months"):g}).
* Horizon: the scenario's `turns` ({horizons}).
* Space: none; closeness is expressed by relations and cooperation indices.
"""


def _process(catalog: Catalog) -> str:
    return f"""## {ELEMENTS[2]}

A game plays its scenario's turns in order. Every turn has five phases, always in this order
(from `tripwire.sim.turn`, the rules of a turn, written once for both executors):

{_numbered(turn)}

Moves resolve in the catalog's order of domains ({_code(catalog.adjudication_order)}), then
by actor ({_code(catalog.actors)}), then in the order the actor ranked them. The adjudication
rules (from `tripwire.sim.adjudication`, each with a conformance test):

{_numbered(adjudication)}
"""


def _design(catalog: Catalog) -> str:
    acts = catalog.actions
    gains = [
        f"* {c} `{oid}`: `{o.gain}`"
        for c, p in catalog.actors.items()
        for oid, o in p.objectives.items()
        if isinstance(o.gain, str)
    ]
    reverses = [
        f"* `{a.id}` ({', '.join(a.actors)}) reverses {_code(a.reverses)}"
        for a in acts
        if a.reverses
    ]
    shifts = [f"* `{t.id}`: {_effects(t.weights)}" for t in catalog.triggers if t.weights]
    named = ("reversal_cost", "repetition_cost", "stance_memory")
    d = {n: f"{_default(catalog, f'param.{n}'):g}" for n in named}
    return f"""## {ELEMENTS[3]}

### Basic principles

Bounded rationality in a political-military wargame: each state pursues the objectives the
analysis attributes to it (section I) and weighs them against costs and escalation risk; the
consequences are adjudicated as in a wargame (success rolls, Kahn's escalation ladder,
escalation scores after Rivera et al. 2024, relations moved by the Goldstein value of each
event's CAMEO code). Slower forces are difference equations (section 7, Dynamics), such as
arms-race reactions between postures and the erosion of sanctions enforcement by the five
causes of section V.

### Emergence

The outcomes, the escalation rung, the state of the sanctions regime, the arms trade and the
relations arise from the agents' choices interacting with the dynamics and the risk triggers;
no outcome is scripted. Scenario injects set the stage, not the result.

### Adaptation

Bots maximise expected utility: each legal move is valued by the change it is expected to make
to the actor's objectives, minus its cost, a risk penalty, a repetition cost and an audience
cost (section 7, Decision); a standard Gumbel taste times the actor's `noise` is added, so
choices follow a softmax (logit) rule. An actor takes its best moves, up to its action points,
while they beat holding. Audience costs (Fearon 1994): a move that reverses the actor's own
recent stance costs `param.reversal_cost` ({d["reversal_cost"]}) per recent use of what it
reverses, counted with a slower memory (`param.stance_memory`,
{d["stance_memory"]} a month) than the repetition cost's (a stance
binds longer than a signal tires), and an actor never takes a move and its reversal in the
same turn. Actions with
`reverses`:

{chr(10).join(reverses) or "none"}

### Objectives

Each actor's objectives (section 2) are weighted sums of state variables; a *gain* makes some
of them situational. Objectives whose gain depends on the state:

{chr(10).join(gains) or "none"}

Risk triggers that shift objective weights for the rest of a game:

{chr(10).join(shifts) or "none"}

### Learning

None: agents do not change their decision rules. Repeated moves lose value
(`param.repetition_cost` = {d["repetition_cost"]}, decayed by `param.repetition_memory`), and
reversing a stance costs (decayed by `param.stance_memory`): memories of recent moves, not
learning. Momentum is state, not learning either: each DPRK
missile launch adds to `PRK.testing_campaign`, which fades by `param.campaign_fade`
({_default(catalog, "param.campaign_fade"):g}) a month, and the DPRK's `campaign` objective
values a further launch more the stronger the campaign already is, so tests come in series
(campaign years and quiet years, as in the record); satellite launches do not feed it.

### Prediction

Myopic: a bot predicts the one-turn expected effect of each move (its success and failure
effects weighted by its chance of success, clipped at the variables' ranges); it does not
anticipate replies or later turns.

### Sensing

Complete and shared: every actor decides on the same state, seen at the start of the decision
phase (`DecisionView`: every move's legality, chance and utility). There is no private
information; intelligence actions change state variables, not what actors know.

### Interaction

Indirect, through the shared state that all objectives read; direct through targeted moves
({sum(1 for a in acts if a.targets)} of {len(acts)} actions have targets, and move relations),
and through preconditions and conditions that read other actors' state or recent moves
(`count()`). Joint moves, made together (they go ahead only when every partner takes part,
a bot partner when its own copy is worth taking to it, a human one when it chose the move;
made once, counted for every partner): {_code(a.id for a in acts if a.joint)}. Actions open
to several actors, each taking them on its own:
{_code(a.id for a in acts if len(a.actors) > 1 and not a.joint)}.

### Stochasticity

Each game has its own seed and numpy generator (recorded, so any game replays). At the start of
every turn the dice are drawn in fixed-size blocks: a uniform roll per chance inject and per
move (its success roll) and a Gumbel taste per move, whether or not the move is chosen. So
scenarios that differ in one parameter play against the same dice (common random numbers),
and the lockstep batch engine reproduces each game bit for bit. Actions whose success chance
depends on the state: {_code(a.id for a in acts if isinstance(a.success, str))}.

### Collectives

No collective agents. Alignments are state variables: the Russia-DPRK cooperation domains
(`coop.*`), `alliance.cohesion` of the US-ROK-Japan alliance, and the pairwise relations.

### Observation

One game writes an event log (JSON Lines: every inject, move with its roll and chance, trigger,
outcome and the state after each turn; [event-log.md](event-log.md)). A batch writes
`runs.parquet` (per game: moves taken per action, triggers fired, outcomes reached, final
state) and `summary.json` (each outcome's probability with its Wilson 95% interval, fans of the
variables); reports and `tripwire calibrate` read them.
"""


def _initialization(catalog: Catalog, scenarios: dict[str, Any]) -> str:
    text = resources.files("tripwire.catalog").joinpath(FITTED).read_text(encoding="utf-8")
    values = (yaml.safe_load(text) or {}).get("values") or {}
    free = {f.name: f for f in fit.FREE}
    rows = []
    for name in [*free, *(n for n in values if n not in free)]:
        entry, prior = values.get(name) or {}, free.get(name)
        rows.append(
            [
                f"`{name}`",
                f"{prior.low:g}..{prior.high:g}" if prior else "",
                f"{_default(catalog, name):g}" + ("" if entry else " (not fitted)"),
                "{:g}..{:g}".format(*entry["interval"]) if "interval" in entry else "",
                prior.why if prior else "",
            ]
        )
    fitted = _table(["Parameter", "Prior (uniform)", "Value", "90% interval", "Why free"], rows)
    scen = _table(
        ["Scenario", "Title", "Start", "Turns", "Extends", "`state:` overrides", "`actors:`"],
        [
            [f"`{n}`", s.title, s.start, s.turns, s.extends or "", _code(s.state), _code(s.actors)]
            for n, s in scenarios.items()
        ],
    )
    return f"""## {ELEMENTS[4]}

A game starts from three layers, later ones winning:

1. the catalog's default of every state variable and objective weight (section 2);
2. the fitted values of the free parameters (`catalog/fitted.yaml`, written by `tripwire fit`:
   ABC-SMC with pyabc), which take the place of those defaults;
3. the scenario: its `state:` overrides, `actors:` profile overrides and its own variables,
   actions, triggers, dynamics and injects (`extends:` merges its parent first); then the
   command line's `--set NAME=VALUE`.

### Fitted values

The free parameters: their priors, their values now, and the central 90% of the fitted
(posterior) distribution:

{fitted}

### Bundled scenarios

{scen}
"""


def _when(inject: Any) -> str:
    cond = f" if `{inject.when}`" if inject.when else ""
    if inject.turn:
        return f"turn {inject.turn}{cond}"
    return f"chance {inject.chance:g} a turn{cond}" if inject.chance else f"by a trigger{cond}"


def _input(catalog: Catalog, scenarios: dict[str, Any]) -> str:
    entries = (*catalog.variables, *catalog.actions, *catalog.triggers, *catalog.dynamics)
    cited = [(getattr(x, "id", None) or x.name, x.source) for x in entries]
    cited += [
        (t["id"], t.get("source", "")) for ts in targets.load_targets().values() for t in ts or ()
    ]
    folder = resources.files("tripwire.catalog")
    rows = []
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv")):
        n = len(folder.joinpath(name).read_text(encoding="utf-8").strip().splitlines()) - 1
        feeds = FEEDS.get(name, "a record for the calibration targets (section 1)")
        rows.append([f"`{name}`", n, feeds, _code(who for who, src in cited if name in src)])
    seen: dict[str, tuple[Any, list[str]]] = {}
    for n, s in scenarios.items():
        for i in s.injects:
            seen.setdefault(i.id, (i, []))[1].append(f"`{n}`")
    injects = _table(
        ["Inject", "When", "Effects", "Scenarios"],
        [[f"`{i.id}`", _when(i), _effects(i.effects), ", ".join(ns)] for i, ns in seen.values()],
    )
    return f"""## {ELEMENTS[5]}

No time series drives the model during a game. The reference tables in
`src/tripwire/catalog/` code the catalog and the calibration targets ("cited by": the entries
whose source names the file):

{_table(["File", "Rows", "Feeds", "Cited by"], rows)}

Events from outside the model enter as scenario injects: on the timeline (at a turn, if their
condition holds), by chance (a probability each month), or fired by a trigger:

{injects}
"""


def _submodels(catalog: Catalog) -> str:
    doc = inspect.getdoc(turn.move_scores) or ""
    formula = re.search(r"^utility\(m\).*?(?=\n\n)", doc, flags=re.MULTILINE | re.DOTALL)
    where = re.search(r"^where .*?(?=\nSums run|\n\n|\Z)", doc, flags=re.MULTILINE | re.DOTALL)
    choice = _markdown((inspect.getdoc(turn.choose_moves) or "").split("\n\n")[0])

    def action(a: Any) -> list[object]:
        failure = f"; on failure {_effects(a.on_failure)}" if a.on_failure else ""
        return [
            f"`{a.id}`",
            ", ".join(a.actors) + (" → " + ", ".join(a.targets) if a.targets else ""),
            a.domain,
            f"{a.cost:g}",
            _quantity(a.success),
            _effects(a.effects) + failure,
            f"`{a.precondition}`" if a.precondition else "",
            _code(a.reverses) if a.reverses else "",
            a.source,
        ]

    def trigger(t: Any) -> list[object]:
        weights = f"; weights {_effects(t.weights)}" if t.weights else ""
        inject = f"; inject `{t.inject}`" if t.inject else ""
        repeat = "once" if t.once else f"cooldown {t.cooldown}"
        return [
            f"`{t.id}`",
            f"`{t.when}`",
            _effects(t.effects) + weights + inject,
            repeat,
            t.source,
        ]

    dynamics = _table(
        ["Term", "Variable", "Rate per turn", "Source"],
        [[f"`{d.id}`", f"`{d.var}`", f"`{d.rate}`", d.source] for d in catalog.dynamics],
    )
    outcomes = _table(
        ["Outcome", "Condition", "Rating"],
        [[f"`{o.id}` {o.title}", f"`{o.when}`", o.rating or ""] for o in catalog.outcomes],
    )
    head = ("Action", "Actors → targets", "Domain", "Cost", "Success", "Effects", "Precondition")
    return f"""## {ELEMENTS[6]}

### Decision

From `tripwire.sim.turn.move_scores`:

```
{formula.group(0) if formula else doc}
```

{_markdown(where.group(0)) if where else ""}

{choice}

### Actions ({len(catalog.actions)})

A targeted action also moves relations between actor and target by
`param.goldstein_to_relations` x its Goldstein value (half on failure).

{_table([*head, "Reverses", "Source"], map(action, catalog.actions))}

### Dynamics ({len(catalog.dynamics)})

Each term adds its rate (an expression of the state) to its variable every turn, clipped to
the variable's range.

{dynamics}

### Risk triggers ({len(catalog.triggers)})

{_table(["Trigger", "Condition", "Effects", "Repeat", "Source"], map(trigger, catalog.triggers))}

### Outcomes ({len(catalog.outcomes)})

An outcome is recorded the first turn its condition holds.

{outcomes}
"""


def _evidence(catalog: Catalog) -> str:
    def check(c: calibration.CausalCheck) -> list[object]:
        way = "falls to at most" if c.direction == "down" else "rises to at least"
        return [c.name, f"{c.label} {way} {c.factor:g} x, by at least {c.margin:g}", c.source]

    checks = _table(["Counterfactual", "Expected", "Source"], map(check, calibration.CAUSAL_CHECKS))
    return f"""## Evidence

`tripwire calibrate baseline --out docs/calibration.md` (which `make fit` runs after a new fit)
plays these checks and writes the measured verdicts to [calibration.md](calibration.md)
(absent until that command has run):

* **Bands**: the {sum(1 for o in catalog.outcomes if o.rating)} rated outcomes' probabilities
  and intervals inside their bands (section 1).
* **Causes and motives**: each counterfactual changes one cause in the scenario, and a measure
  must move the way the analysis says; the rows "... without its '...' motive" switch off one
  motive of one actor in turn, and the moves that motive is for must follow it (a motive
  that moves nothing, or moves its moves the wrong way, is a broken mechanism):

{checks}

* **Scenarios**: each bundled crisis scenario ({_code(calibration.CRISIS_SCENARIOS)}) must make
  its own outcome clearly more likely (odds at least doubled, probability up by at least 0.1).
* **Targets**: the record's base rates, the mix of tests, policy reversals, trends and levels
  (section 1); no variable pinned, in 90% of games, at a bound it did not start at; every risk
  trigger fires in some game.
* **Uncertainty** (reported): each outcome's probability over the posterior draws of
  `catalog/fitted.yaml`.
* **History** (reported, not judged): the escalation score per turn, next to
  {calibration.RIVERA}.
"""


def render(catalog: Catalog | None = None) -> str:
    """The whole ODD document.

    Args:
        catalog: the catalog to describe (default: the bundled one, fitted values applied).

    Returns:
        The Markdown text of ``docs/odd.md``.
    """
    catalog = catalog or load_catalog()
    scenarios = {n: load_scenario(p) for n, p in bundled_scenarios().items()}
    head = """# Tripwire: ODD description

The model described with the ODD protocol (Grimm et al. 2020, "The ODD Protocol for Describing
Agent-Based and Other Simulation Models: A Second Update to Improve Clarity, Replication, and
Structural Realism", JASSS 23(2) 7). Generated from the catalog by `python -m tripwire.odd`
(`make docs`): do not edit by hand. The [model card](model-card.md) says what the model is for
and where its numbers come from; [architecture.md](architecture.md) how it is built.
"""
    parts = (
        head,
        _purpose(catalog),
        _entities(catalog, scenarios),
        _process(catalog),
        _design(catalog),
        _initialization(catalog, scenarios),
        _input(catalog, scenarios),
        _submodels(catalog),
        _evidence(catalog),
    )
    text = "\n\n".join(p.strip() for p in parts)
    return "\n\n".join(_reflow(block) for block in text.split("\n\n")) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the ODD description to the path given (default ``docs/odd.md``)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path("docs/odd.md")
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
