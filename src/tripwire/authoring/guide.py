"""The generated parts of ``docs/scenario-guide.md``, so the guide cannot drift from the code.

``python -m tripwire.authoring.guide`` rewrites, in place:

* the reference section between ``BEGIN``/``END`` markers: every scenario key (from the
  JSON Schema), every state variable, objective, action and tag (from the catalog), and the
  condition functions (whose examples are checked against the parser);
* the output shown under each ``$ tripwire ...`` command of the walkthrough, produced by
  running the command on the walkthrough scenario as it stands at that point of the guide;
* the message under each error and warning example, produced by validating and linting
  the example;
* ``docs/examples/seventh_test_election.yaml``, the walkthrough's scenario assembled from
  its steps.

Blocks are marked with HTML comments. In the walkthrough, ``<!-- walkthrough: step -->``
before a YAML block appends it to the scenario, ``<!-- walkthrough: try -->`` appends it for
the next command only (a first attempt the text then corrects), and ``<!-- walkthrough:
output -->`` before a text block whose first line is ``$ tripwire ...`` has the rest of the
block regenerated. ``<!-- example -->`` before a YAML block and a text block has the text
block regenerated: what Tripwire says about the ``<!-- example: head -->`` file with the
YAML lines added.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from tripwire.authoring.dryrun import format_table, trigger_frequencies
from tripwire.authoring.lint import lint, summary_line
from tripwire.catalog import Catalog, load_catalog
from tripwire.errors import InputError
from tripwire.scenario import expr
from tripwire.scenario.loader import load_scenario
from tripwire.scenario.schema import Scenario

BEGIN = "<!-- BEGIN GENERATED: python -m tripwire.authoring.guide -->"
END = "<!-- END GENERATED -->"
GUIDE = Path("docs/scenario-guide.md")
EXAMPLE = Path("docs/examples/seventh_test_election.yaml")
_BLOCK = re.compile(r"<!-- walkthrough: (step|try|output) -->\n```(\w*)\n(.*?)```", re.DOTALL)
_HEAD = re.compile(r"<!-- example: head -->\n```yaml\n(.*?)```", re.DOTALL)
_EXAMPLE = re.compile(r"<!-- example -->\n```yaml\n(.*?)```\n```text\n(.*?)```", re.DOTALL)
_SECTIONS = (  # $defs model -> where its keys stand in a file
    ("InjectSpec", "Each entry of `injects`"),
    ("TriggerSpec", "Each entry of `triggers`"),
    ("OutcomeSpec", "Each entry of `outcomes`"),
    ("VariableSpec", "Each entry of `variables`"),
    ("ActorOverride", "Each actor under `actors` (`RUS`, `PRK`, `CHN`, `USA`, `KOR`, `JPN`)"),
    ("ObjectiveSpec", "A new objective under `actors: ACTOR: objectives:` (instead of a weight)"),
    ("Disable", "`disable`"),
    ("DynamicsTerm", "Each entry of `dynamics`"),
    ("ActionSpec", "Each entry of `actions`"),
)

# --- examples the reference is generated from --------------------------------------------

FUNCTION_DOCS = {  # name -> (call, meaning, example); the examples must parse
    "count": (
        "count(ACTOR, tag=T, last=N)",
        "How many actions ACTOR (`'PRK'`, ..., or `'any'`) took in the last N turns, this one "
        "included (N defaults to 1). `tag=` counts actions with that tag, `action=` one "
        "action id, neither counts every action. Only actions that were carried out count "
        "(successful or failed, not cancelled).",
        "count('PRK', tag='missile_test', last=3) >= 2",
    ),
    "fired": (
        "fired(ID, last=N)",
        "How many times the trigger or inject ID fired in the last N turns, this one included "
        "(an inject's `when:` does not see the injects of its own turn: see How a turn works).",
        "fired('provocation_spiral', last=6) == 0",
    ),
    "turn": ("turn()", "The current turn: 1 on the first turn.", "turn() >= 6"),
    "start": (
        "start(VARIABLE)",
        "The variable's value at the start of the game (after `state:`).",
        "KOR.nuclear_debate >= start(KOR.nuclear_debate) + 10",
    ),
    "rel": (
        "rel(A, B)",
        "Relations between two actors, -100 (hostile) to +100 (allied): the same as the "
        "variable `rel.A_B` with the pair in alphabetical order.",
        "rel('CHN', 'PRK') < 20",
    ),
    "min": (
        "min(X, Y, ...)",
        "The smallest of two or more numbers.",
        "min(KOR.posture, JPN.posture) >= 60",
    ),
    "max": (
        "max(X, Y, ...)",
        "The largest of two or more numbers.",
        "max(world.taiwan_strait, RUS.war_urgency) >= 80",
    ),
    "abs": ("abs(X)", "X without its sign.", "abs(rel.CHN_RUS - start(rel.CHN_RUS)) >= 10"),
}

# --- the walkthrough ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """A marked block of the walkthrough: its kind, its text and where it stands."""

    kind: str
    text: str
    start: int
    end: int


def blocks(document: str) -> list[Block]:
    """The walkthrough's marked blocks, in order."""
    return [Block(m.group(1), m.group(3), m.start(3), m.end(3)) for m in _BLOCK.finditer(document)]


def assemble(document: str) -> str:
    """The walkthrough's scenario: its step blocks, one after the other."""
    return "".join(b.text for b in blocks(document) if b.kind == "step")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows])


def command_output(command: str, text: str) -> str:
    """What ``tripwire validate|lint|triggers FILE`` prints for a scenario file's text.

    The file is written under its own name into a temporary folder, which becomes the
    working directory meanwhile, so that paths print as a user in that folder sees them.
    """
    words = command.split()
    if len(words) < 3 or words[0] != "tripwire" or words[1] not in ("validate", "lint", "triggers"):
        raise ValueError(f"cannot run {command!r} in the guide")
    name, options = words[2], dict(zip(words[3::2], words[4::2], strict=False))
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        Path(name).write_text(text, encoding="utf-8")
        try:
            if words[1] == "validate":
                sc = load_scenario(name)
                return f"{name}: ok ({sc.id}, {sc.turns} turns from {sc.start})\n"
            if words[1] == "lint":
                found = lint(name)
                return "".join(d.format() + "\n" for d in found) + summary_line(name, found) + "\n"
            result = trigger_frequencies(
                name, int(options.get("--runs", 200)), seed=int(options.get("--seed", 1))
            )
        except InputError as err:
            return "".join(d.format() + "\n" for d in err.diagnostics)
    out = io.StringIO()
    Console(file=out, width=100, color_system=None, highlight=False).print(format_table(result))
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def refresh_outputs(document: str) -> str:
    """The document with every walkthrough output block regenerated."""
    parts, pos, scenario, pending = [], 0, "", ""
    for b in blocks(document):
        if b.kind == "step":
            scenario += b.text
            pending = ""
        elif b.kind == "try":
            pending = b.text
        else:
            command = b.text.splitlines()[0].removeprefix("$ ").strip()
            text = f"$ {command}\n" + command_output(command, scenario + pending)
            parts += [document[pos : b.start], text]
            pos = b.end
            pending = ""
    return "".join([*parts, document[pos:]])


def example_output(text: str) -> str:
    """What Tripwire says about a file ``my_crisis.yaml``: its errors, or else its warnings."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        Path("my_crisis.yaml").write_text(text, encoding="utf-8")
        try:
            found = lint("my_crisis.yaml")
        except InputError as err:
            found = list(err.diagnostics)
    if not found:
        raise ValueError(f"this example of the guide reports nothing:\n{text}")
    return "".join(d.format() + "\n" for d in found)


def refresh_examples(document: str) -> str:
    """The document with the output of every error and warning example regenerated.

    Each example's YAML lines are added to the file of the ``<!-- example: head -->`` block.
    """
    head = _HEAD.search(document)
    if head is None:
        return document
    parts, pos = [], 0
    for m in _EXAMPLE.finditer(document):
        parts += [document[pos : m.start(2)], example_output(head.group(1) + m.group(1))]
        pos = m.end(2)
    return "".join([*parts, document[pos:]])


# --- the reference ------------------------------------------------------------------------


# Keys whose JSON Schema type ("string") says less than what they hold.
_KINDS = {
    "when": "condition",
    "precondition": "condition",
    "success": "number or numeric expression",
    "rate": "number or numeric expression",
    "start": "month, YYYY-MM",
    "extends": "scenario name or path",
    "id": "id",
    "var": "variable name",
    "cameo": "CAMEO code, quoted",
}


def _type(prop: dict[str, Any]) -> str:
    """A JSON Schema type in words."""
    if "anyOf" in prop:
        return " or ".join(
            dict.fromkeys(_type(p) for p in prop["anyOf"] if p.get("type") != "null")
        )
    if "$ref" in prop:
        return "mapping (keys below)"
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        item = prop.get("items", {})
        return "list of entries (keys below)" if "$ref" in item else f"list of {_type(item)}"
    if kind == "object":
        value = prop.get("additionalProperties", {})
        return "mapping: each (keys below)" if "$ref" in value else f"mapping to {_type(value)}"
    bounds = ""
    if "minimum" in prop and "maximum" in prop and abs(prop["maximum"]) < 1e6:
        bounds = f" {prop['minimum']:g} to {prop['maximum']:g}"
    words = {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "true/false",
    }
    return words.get(kind, "text") + bounds


def _default(value: Any) -> str:
    """A default as it would be written in YAML."""
    if isinstance(value, dict) and not any(value.values()):
        value = {}
    return "none" if value is None else f"`{json.dumps(value)}`"


def _keys(model: dict[str, Any]) -> str:
    rows = []
    for name, prop in model["properties"].items():
        default = "required" if name in model.get("required", ()) else _default(prop.get("default"))
        kind = _KINDS.get(name, "") if _type(prop) == "text" else ""
        rows.append([f"`{name}`", kind or _type(prop), default, prop.get("description", "")])
    return _table(["Key", "Type", "Default", "What it is"], rows)


def _effects(effects: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:+g}" for k, v in effects.items())


def reference(catalog: Catalog) -> str:
    """The generated reference section (Markdown)."""
    schema = Scenario.model_json_schema()
    out = ["### Scenario keys\n", "The top level of a scenario file:\n", _keys(schema)]
    for name, where in _SECTIONS:
        out += [f"\n#### {where}\n", schema["$defs"][name].get("description", ""), ""]
        out.append(_keys(schema["$defs"][name]))
    out.append("\n### State variables\n")
    out.append(
        "Every variable a condition, `state:` or `effects:` may name, with its range (effects "
        "and dynamics never push it outside) and its default starting value.\n"
    )
    out.append(
        _table(
            ["Variable", "Range", "Default", "Unit", "Meaning"],
            [
                [f"`{v.name}`", f"{v.min:g} to {v.max:g}", f"{v.default:g}", v.unit, v.description]
                for v in catalog.variables
            ],
        )
    )
    out.append("\n### Actors and their objectives\n")
    out.append(
        "What each bot wants (the weights are what `actors:` changes) and how it plays by "
        "default. A term's coefficient is how much the actor values one point of the variable "
        "(negative: it wants the variable lower).\n"
    )
    rows = []
    for code, prof in catalog.actors.items():
        head = f"{code} ({prof.name}; risk {prof.risk_tolerance:g}, {prof.action_points} actions)"
        for oid, obj in prof.objectives.items():
            gain = "" if obj.gain == 1.0 else f"`{obj.gain}`"
            terms = ", ".join(f"{k} {v:+g}" for k, v in obj.terms.items())
            rows.append([head, f"`{oid}`", f"{obj.weight:g}", terms, gain, obj.description])
            head = ""
    out.append(_table(["Actor", "Objective", "Weight", "Terms", "Gain", "What it wants"], rows))
    out.append(f"\n### Actions ({len(catalog.actions)})\n")
    out.append(
        "Who may take each action and at whom, its tags (for `count(..., tag=...)`), when it "
        "is legal, and what it does when it succeeds. `self.x`/`target.x` mean the acting or "
        "targeted actor's variable; a targeted action also moves the pair's relations by "
        "`param.goldstein_to_relations` × the Goldstein value of its CAMEO code.\n"
    )
    rows = []
    for a in catalog.actions:
        who = ", ".join(a.actors) + (" → " + ", ".join(a.targets) if a.targets else "")
        effects = _effects(a.effects) + (
            f"; on failure {_effects(a.on_failure)}" if a.on_failure else ""
        )
        success = a.success if isinstance(a.success, str) else f"{a.success:g}"
        rows.append(
            [
                f"`{a.id}` {a.name}",
                who,
                a.domain,
                ", ".join(a.tags),
                f"`{a.precondition}`" if a.precondition else "",
                effects,
                f"{a.cost:g}, {success}",
                f'"{a.cameo}", {a.escalation}, {a.rung}',
            ]
        )
    header = ["Action", "Actors → targets", "Domain", "Tags", "Precondition", "Effects"]
    out.append(_table([*header, "Cost, success", "CAMEO, escalation, rung"], rows))
    tags: dict[str, list[str]] = {}
    for a in catalog.actions:
        for t in a.tags:
            tags.setdefault(t, []).append(f"`{a.id}` ({', '.join(a.actors)})")
    out.append("\n### Action tags\n")
    out.append(
        _table(
            ["Tag", "Actions (who)"], [[f"`{t}`", ", ".join(v)] for t, v in sorted(tags.items())]
        )
    )
    out.append("\n### Catalog triggers, outcomes and dynamics\n")
    out.append(
        "Ids for `fired()`, for `disable:`, and for replacing an entry (a scenario entry "
        "with the same id replaces the catalog's). docs/model-card.md gives their sources.\n"
    )
    out.append(
        _table(
            ["Trigger", "When", "Effects", "Repeat"],
            [
                [
                    f"`{t.id}`",
                    f"`{t.when}`",
                    _effects(t.effects),
                    "once" if t.once else f"cooldown {t.cooldown}",
                ]
                for t in catalog.triggers
            ],
        )
    )
    out.append("")
    out.append(
        _table(
            ["Outcome", "When"], [[f"`{o.id}` {o.title}", f"`{o.when}`"] for o in catalog.outcomes]
        )
    )
    out.append("")
    out.append(
        _table(
            ["Dynamics term", "Variable", "Rate per turn"],
            [[f"`{d.id}`", f"`{d.var}`", f"`{d.rate}`"] for d in catalog.dynamics],
        )
    )
    out.append(_conditions(catalog))
    return "\n".join(out) + "\n"


def _conditions(catalog: Catalog) -> str:
    ctx = catalog.names().context()
    rows = []
    if set(FUNCTION_DOCS) != set(expr.FUNCTIONS):
        raise ValueError("FUNCTION_DOCS must document exactly expr.FUNCTIONS")
    for name in expr.FUNCTIONS:
        call, meaning, example = FUNCTION_DOCS[name]
        expr.parse_expr(example, ctx, "bool")  # an example that stops parsing fails the build
        rows.append([f"`{call}`", meaning, f"`{example}`"])
    limits = (
        f"A condition is at most {expr.MAX_SOURCE} characters and {expr.MAX_NODES} parts, "
        f"brackets nest at most {expr.MAX_BRACKETS} deep, numbers are at most "
        f"{expr.MAX_CONSTANT:g}, `last=` is 1 to {expr.MAX_LAST} turns and powers are whole "
        f"numbers from 0 to {expr.MAX_POWER}."
    )
    return "\n".join(
        [
            "\n### Condition functions\n",
            _table(["Function", "Meaning", "Example"], rows),
            "",
            limits,
        ]
    )


def render_reference() -> str:
    """The reference section of the guide (Markdown), from the schema and the catalog."""
    return reference(load_catalog())


def render(document: str) -> str:
    """The guide with its reference section and its walkthrough outputs regenerated."""
    head, found, rest = document.partition(BEGIN)
    if not found or END not in rest:
        raise ValueError(f"markers {BEGIN!r} ... {END!r} not found")
    _, _, tail = rest.partition(END)
    return refresh_examples(refresh_outputs(f"{head}{BEGIN}\n\n{render_reference()}\n{END}{tail}"))


def main(argv: list[str] | None = None) -> int:
    """Rewrite the guide (or the file given) in place, and the walkthrough's example file."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else GUIDE
    text = render(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    example = path.parent / "examples" / EXAMPLE.name
    example.parent.mkdir(parents=True, exist_ok=True)
    example.write_text(assemble(text), encoding="utf-8")
    print(f"updated {path} and {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
