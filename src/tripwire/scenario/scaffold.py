"""``tripwire new``: a commented scenario file to start from, valid and lint-clean as written.

This module owns the text of a new scenario: every top-level key with a one-line comment,
working examples of a timeline inject, a risk trigger and an outcome written with real
variable names, and commented-out examples of the rest (extra variables, chance injects,
actor overrides, switching catalog entries off). Given a base scenario, the new file
``extends`` it, starts where it starts and lists what it already contains. It also owns the
JSON Schema file that editors read (``scenario.schema.json``, the same text as ``tripwire
schema``), which the new file names in its first line for the YAML language server.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import textwrap
from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import create_text
from tripwire.scenario.loader import bundled_scenarios, load_scenario, resolve_ref
from tripwire.scenario.schema import Scenario

SCHEMA_FILE = "scenario.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema={SCHEMA_FILE}"
_DEFAULT_TURNS = 24
_DEFAULT_START = "2026-01"


def schema_json() -> str:
    """The JSON Schema of scenario files, exactly as ``tripwire schema`` prints it."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Tripwire scenario"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def scenario_id(name: str) -> str:
    """The id a scenario NAME gets: ``Seventh test`` or ``seventh_test.yaml`` -> ``seventh_test``.

    Raises:
        InputError: nothing usable is left, or it does not start with a letter.
    """
    stem = Path(name).name
    stem = stem.removesuffix(".yaml").removesuffix(".yml")
    ident = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:64]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ident):
        raise InputError(
            [
                Diagnostic(
                    Location("NAME"),
                    f"'{name}' cannot be a scenario id: use letters, digits and '_', "
                    "starting with a letter (e.g. my_crisis)",
                )
            ]
        )
    return ident


def _title(name: str, ident: str) -> str:
    stem = Path(name).name.removesuffix(".yaml").removesuffix(".yml").strip()
    if " " in stem:
        return stem
    words = ident.replace("_", " ")
    return words[:1].upper() + words[1:]


def scaffold(name: str, *, base: str | None = None) -> str:
    """The text of a new scenario file, commented key by key.

    Args:
        name: the scenario's name: an id (``my_crisis``), words (``"My crisis"``) or a file
            name (``my_crisis.yaml``); the id is derived from it (see :func:`scenario_id`).
        base: a bundled scenario name or a path to build on (written as ``extends:``, as
            given: a path must be relative to where the new file will stand).

    Returns:
        YAML text that validates as written and passes ``tripwire lint`` without warnings.

    Raises:
        InputError: the name cannot be an id.
        ScenarioError: the base does not exist or is not valid.
    """
    ident = scenario_id(name)
    title = _title(name, ident)
    parent = load_scenario(base) if base is not None else None
    turns = parent.turns if parent else _DEFAULT_TURNS
    start = parent.start if parent else _DEFAULT_START
    tension = parent.state.get("world.tension", 50.0) if parent else 50.0
    known = f"{base} starts at {tension:g}, the catalog at 50" if parent else "catalog default 50"
    prefix = ident[:48]
    file = f"{ident}.yaml"
    lines = [
        SCHEMA_COMMENT,
        f"# {title}: a Tripwire scenario. docs/scenario-guide.md explains every key and",
        "# lists every variable and action. Lines starting with # are comments: to use a",
        "# commented example, remove the '# ' in front of its lines.",
        f"#   tripwire validate {file}   is it valid? (errors point at LINE:COLUMN)",
        f"#   tripwire lint {file}       will it play as you mean it to?",
        f"#   tripwire triggers {file}   how often, and how early, does each event happen?",
        "",
        "schema_version: 1  # the file format's version: always 1",
        f"id: {ident}  # unique id: lowercase letters, digits and _",
        f"title: {title}  # the name shown in lists, tables and on the board",
        'summary: "One line for the list of scenarios."  # at most 120 characters',
        "description: >-  # a paragraph a facilitator can read aloud before turn 1",
        "  Say where the crisis stands on turn 1: who has just done what, what each capital",
        "  fears, and what the players must decide.",
    ]
    if parent is not None:
        lines.append(f"extends: {base}  # build on this scenario; entries here override its own")
    else:
        lines.append("# extends: baseline  # build on a bundled scenario (its chance events...)")
    lines += [
        f"turns: {turns}  # how many turns to play; one turn is one month",
        f"start: {start}  # the month of turn 1, as YYYY-MM",
        "",
        "# Starting values that differ from the catalog defaults (the guide lists them all).",
        "state:",
        f"  world.tension: {tension:g}  # 0-100 index; {known}",
    ]
    if parent is not None:
        lines += _inherited(str(base), parent)
    lines += [
        "",
        "# Extra variables this scenario needs (a scale the catalog does not have).",
        "# variables:",
        "#   - name: USA.election_pressure  # NAMESPACE.name: world, alliance, coop, rel, param",
        "#     min: 0                       # or an actor code (RUS, PRK, CHN, USA, KOR, JPN)",
        "#     max: 100",
        "#     default: 40                  # its starting value (state: may set another)",
        "#     description: How much the US election campaign constrains Washington.",
        "",
        "# Events from outside the players' control: on a turn, by chance, or when a trigger",
        "# names them in `inject:`. They happen at the start of a turn, before anyone acts;",
        "# their `when:` conditions all read the state from before any of that turn's injects.",
        "injects:",
        f"  - id: {prefix}_opening  # unique id",
        "    turn: 1  # happens on this turn...",
        f"    text: Describe the opening event of {title}, as a facilitator would read it.",
        "    effects: {world.tension: 5}  # variable: change (clipped to its range)",
        f"  # - id: {prefix}_chance_event",
        "  #   chance: 0.05  # ...or with this probability every turn",
        '  #   when: "world.tension >= 60"  # only while this condition holds',
        "  #   once: true  # at most once per game (chance injects)",
        "  #   text: A second event, by chance.",
        "  #   effects: {USA.attention_elsewhere: 10}",
        "",
        "# Risk triggers: checked at the end of every turn (after the actions and the world's",
        "# own motion); when the condition holds, the effects follow.",
        "triggers:",
        f"  - id: {prefix}_flashpoint",
        f"    text: Say what it means when {title} reaches its flashpoint (for the feed).",
        "    when: \"world.tension >= 70 and count('PRK', tag='missile_test', last=2) >= 1\"",
        "    effects: {KOR.posture: 3, alliance.cohesion: 2}",
        "    cooldown: 3  # turns to wait before it may fire again (or `once: true`)",
        "",
        "# Outcomes: named end states, checked every turn; the first turn each holds is kept.",
        "outcomes:",
        f"  - id: {prefix}_outcome",
        f"    title: {title} boils over",
        '    when: "world.tension >= 80 and alliance.cohesion <= 55"',
        "",
        "# Changes to actor profiles: objective weights, risk tolerance 0-1, action points 1-4.",
        "# actors:",
        "#   PRK:",
        "#     risk_tolerance: 0.8",
        "#     objectives: {technology: 1.2, posture: 0.5}",
        "",
        "# More of the world's own motion: a change per turn, computed from the state.",
        "# dynamics:",
        f"#   - id: {prefix}_cooling",
        "#     var: world.tension",
        '#     rate: "-0.05 * (world.tension - 50)"  # drifts back toward 50',
        "",
        "# New actions (an id of the catalog's replaces that action; the guide lists them).",
        "# actions:",
        f"#   - id: {prefix}_hotline_call",
        "#     name: Hotline call",
        "#     description: Seoul calls Pyongyang on the inter-Korean hotline.",
        "#     actors: [KOR]",
        "#     targets: [PRK]",
        "#     domain: diplomatic",
        "#     tags: [talks]",
        "#     cost: 0.5",
        "#     effects: {world.tension: -2, world.talks_prospects: 3}",
        '#     cameo: "040"  # CAMEO event code: Consult',
        "#     escalation: de_escalation",
        "#     rung: 1",
        "#     source: The designer's assumption.",
        "",
        "# Catalog entries to switch off (counterfactuals: what if this never happened?).",
        "# disable:",
        "#   actions: [transfer_missile_tech]",
        "#   triggers: [provocation_spiral]",
    ]
    return "\n".join(lines) + "\n"


def _inherited(base: str, parent: Scenario) -> list[str]:
    """Comment lines saying what the base already has (so the designer can build on it)."""
    lines = ["", f"# {base} already has (an entry with the same id here replaces its own):"]
    injects = [
        f"{i.id} (turn {i.turn})" if i.turn else f"{i.id} (chance)" if i.chance else i.id
        for i in parent.injects
    ]
    for label, names in (
        ("injects", injects),
        ("triggers", [t.id for t in parent.triggers]),
        ("outcomes", [o.id for o in parent.outcomes]),
        ("state", [f"{k}={v:g}" for k, v in parent.state.items()]),
    ):
        if names:
            lines += textwrap.wrap(
                ", ".join(names),
                width=90,
                initial_indent=f"#   {label}: ",
                subsequent_indent="#     ",
                break_on_hyphens=False,
            )
    return lines


def write_scaffold(name: str, *, base: str | None = None, folder: str | Path = ".") -> list[Path]:
    """Write a new scenario file (and the schema file its first line names, if missing).

    The file is ``NAME`` itself when it ends in ``.yaml``, else ``ID.yaml``, inside
    ``folder``. A path ``base`` is rewritten relative to the new file.

    Returns:
        The files written: the scenario, then ``scenario.schema.json`` if it was missing.

    Raises:
        InputError: the name cannot be an id, or the file exists (never overwritten).
        ScenarioError: the base does not exist or is not valid.
    """
    ident = scenario_id(name)
    target = Path(folder) / (name if name.endswith((".yaml", ".yml")) else f"{ident}.yaml")
    if target.exists() or target.is_symlink():
        raise InputError([Diagnostic(Location(str(target)), "already exists: choose another name")])
    extends = base
    if base is not None and base not in bundled_scenarios():
        path = resolve_ref(base)
        if path is not None:
            extends = os.path.relpath(path.resolve(), target.parent.resolve())
    text = scaffold(name, base=base)
    if extends != base:
        text = text.replace(f"extends: {base} ", f"extends: {extends} ", 1)
    written = [target]
    schema = target.parent / SCHEMA_FILE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        create_text(target, text)
        if not schema.exists() and not schema.is_symlink():
            with contextlib.suppress(FileExistsError):  # made meanwhile: keep it
                create_text(schema, schema_json())
                written.append(schema)
    except FileExistsError:
        raise InputError(
            [Diagnostic(Location(str(target)), "already exists: choose another name")]
        ) from None
    except OSError as err:
        raise InputError(
            [Diagnostic(Location(str(target)), f"cannot write: {err.strerror or err}")]
        ) from None
    return written
