"""Layers point one way (docs/architecture.md): every module's imports, read from its source,
go to its own layer or below, and the engine never reaches pygame or matplotlib."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tripwire"

# The layers of docs/architecture.md, lowest first.
LAYERS: dict[str, int] = {
    **dict.fromkeys(("errors", "files", "dates"), 0),
    **dict.fromkeys(("scenario", "catalog", "scenarios", "assets"), 1),
    **dict.fromkeys(("sim", "logfile", "gamelog"), 2),
    **dict.fromkeys(("batch", "workers"), 3),
    **dict.fromkeys(("session", "authoring", "calibration", "targets", "fit", "docgen", "odd"), 4),
    **dict.fromkeys(("board", "report", "room", "listing", "turntable"), 5),
    **dict.fromkeys(("commands",), 6),
    **dict.fromkeys(("cli", "api", "__main__", "__init__"), 7),
}
# Known, documented exceptions still to be removed (docs/architecture.md, issue 13).
KNOWN: set[tuple[str, str]] = set()
ENGINE = ("scenario", "catalog", "sim", "logfile", "batch", "workers", "session", "authoring")


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import of the file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


MODULES = sorted(p for p in SRC.rglob("*.py"))


def test_every_package_has_a_layer():
    assert {_part(p) for p in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path):
    here = _part(path)
    rel = str(path.relative_to(SRC))
    wrong = []
    for module, line in _imports(path):
        parts = module.split(".")
        if parts[0] != "tripwire" or len(parts) < 2:
            continue
        there = parts[1]
        if LAYERS[there] > LAYERS[here] and (rel, there) not in KNOWN:
            wrong.append(f"{rel}:{line} imports {module} (layer {LAYERS[there]} > {LAYERS[here]})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", [p for p in MODULES if _part(p) in ENGINE],
                         ids=lambda p: str(p.relative_to(SRC)))  # fmt: skip
def test_the_engine_never_imports_a_renderer(path: Path):
    """Playing a thousand games never initialises pygame, and the engine draws nothing."""
    rel = str(path.relative_to(SRC))
    for module, line in _imports(path):
        top = module.split(".")[0]
        assert top != "pygame", f"{rel}:{line} imports pygame"
        assert top != "matplotlib", f"{rel}:{line} imports matplotlib"


def test_scenario_layer_does_not_import_the_engine():
    """scenario/ turns files into a Scenario; it never compiles or plays one."""
    for path in (SRC / "scenario").rglob("*.py"):
        for module, line in _imports(path):
            assert not module.startswith(("tripwire.sim", "tripwire.batch")), (path, line)


def test_no_source_cites_a_document_outside_the_repository():
    """Comments, docstrings, catalog sources and docs cite the project's own documents, not a
    blueprint or seed files it lacks."""
    outside = ("DESIGN.md", "STYLE.md", "../shared", "analysis.txt")
    root = SRC.parents[1]
    files = [
        *MODULES,
        *SRC.rglob("*.yaml"),
        *(root / "docs").rglob("*.md"),
        root / "README.md",
    ]
    cited = [
        f"{p.relative_to(root)}:{n}"
        for p in files
        for n, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in text for name in outside)
    ]
    assert not cited, cited


def test_the_catalog_package_is_data_on_one_side_of_the_scenario_layer():
    """The catalog's loader and schema live in scenario/ (scenario/catalog.py); the catalog
    package holds data and re-exports the loader, so scenario/ never imports it back."""
    for path in (SRC / "scenario").rglob("*.py"):
        for module, line in _imports(path):
            assert module.split(".")[:2] != ["tripwire", "catalog"], (path, line)
    code = [p for p in (SRC / "catalog").rglob("*.py")]
    assert [p.name for p in code] == ["__init__.py"]
    assert {m for m, _ in _imports(code[0])} == {"tripwire.scenario.catalog"}


def test_the_board_and_the_room_read_the_session_not_its_model():
    """The exercise board, the projector and the room read the game through the session's
    own methods (the session owns the model and replaces it on undo and resume)."""
    reached = []
    for path in [*(SRC / "board").rglob("*.py"), *(SRC / "room").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "model":
                owner = ast.unparse(node.value)
                if owner.endswith("session") or owner == "s":
                    reached.append(f"{path.relative_to(SRC)}:{node.lineno} {owner}.model")
    assert not reached, reached


WHITE_CELL_ACTS = (
    "veto", "clear", "force", "inject", "set_value", "note", "record_undo", "record_fork",
)  # fmt: skip


def test_the_white_cells_acts_are_the_sessions_not_the_engines():
    """The white cell's acts live in session/whitecell.py; the engine keeps only what a turn
    needs (the turn under way, the records made between turns, firing an inject), and no
    module below the session makes a note or an intervention record."""
    from tripwire.session import whitecell
    from tripwire.sim.lockstep import LockstepModel
    from tripwire.sim.model import CrisisModel

    for engine in (CrisisModel, LockstepModel):
        on_engine = [name for name in WHITE_CELL_ACTS if hasattr(engine, name)]
        assert not on_engine, f"{engine.__name__} has white-cell acts: {on_engine}"
    assert all(callable(getattr(whitecell, name)) for name in WHITE_CELL_ACTS)
    made = []
    for path in MODULES:
        if LAYERS[_part(path)] >= LAYERS["session"]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                pairs = zip(node.keys, node.values, strict=True)
                if any(
                    isinstance(k, ast.Constant) and k.value == "kind"
                    and isinstance(v, ast.Constant) and v.value in ("intervention", "note")
                    for k, v in pairs
                ):  # fmt: skip
                    made.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not made, made


# --- one reader and one describer of the event log (docs/event-log.md) ---------------------
OWNER = "sim/events.py"  # every record kind's fields and words
READER = "gamelog.py"  # the one reader of a log


def test_one_reader_of_the_log():
    """A log is read into turns by tripwire.gamelog alone: no other module defines a game of
    the log or reads a log file past the check (tripwire.logfile.read_log)."""
    found = []
    for path in MODULES:
        rel = str(path.relative_to(SRC))
        if rel in (READER, "logfile.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in ("Game", "TurnData"):
                found.append(f"{rel}:{node.lineno} class {node.name}")
            if isinstance(node, ast.Name | ast.Attribute) and "read_log" in ast.unparse(node):
                found.append(f"{rel}:{node.lineno} read_log")
    assert not found, found


def _event_kinds() -> set[str]:
    from tripwire.sim.events import EVENT_KINDS

    return set(EVENT_KINDS)


def _reads_kind(node: ast.AST) -> bool:
    """``x.get("kind")``, ``x["kind"]`` or ``x.kind``: a record's kind."""
    return any(
        (isinstance(n, ast.Attribute) and n.attr == "kind")
        or (isinstance(n, ast.Constant) and n.value == "kind")
        for n in ast.walk(node)
    )


def _kind_names(function: ast.AST) -> set[str]:
    """The local names ``function`` gives a record's kind (``kind = e.get("kind")``)."""
    return {
        t.id
        for n in ast.walk(function)
        if isinstance(n, ast.Assign) and _reads_kind(n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


def _tests_a_kind(test: ast.AST, kinds: set[str], names: set[str]) -> bool:
    """Whether ``test`` compares a record's kind with one of the event kinds."""
    for n in ast.walk(test):
        if not isinstance(n, ast.Compare):
            continue
        left = n.left
        if not (_reads_kind(left) or (isinstance(left, ast.Name) and left.id in names)):
            continue
        for c in n.comparators:
            if any(isinstance(m, ast.Constant) and m.value in kinds for m in ast.walk(c)):
                return True
    return False


def _says_words(nodes: list[ast.AST]) -> bool:
    """Whether code builds text: an f-string with words, or a string with a space in it."""
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.JoinedStr) and any(
                isinstance(v, ast.Constant) and any(c.isalpha() for c in v.value) for v in n.values
            ):
                return True
            if (
                isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and " " in n.value.strip()
                and any(c.isalpha() for c in n.value)
            ):
                return True
    return False


def _worded_branches(function: ast.AST, kinds: set[str]) -> list[int]:
    """The lines of the branches of ``function`` chosen by a record's kind that say words:
    an ``if``, ``elif``, ``else`` or conditional expression, or a comprehension that picks
    records by kind to say them."""
    lines = []
    names = _kind_names(function)
    for node in ast.walk(function):
        if isinstance(node, ast.If | ast.IfExp) and _tests_a_kind(node.test, kinds, names):
            body = node.body if isinstance(node, ast.If) else [node.body]
            orelse = node.orelse if isinstance(node, ast.If) else [node.orelse]
            if _says_words(body):
                lines.append(node.lineno)
            an_elif = len(orelse) == 1 and isinstance(orelse[0], ast.If)
            if orelse and not an_elif and _says_words(orelse):
                lines.append(node.lineno)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            picked = any(_tests_a_kind(t, kinds, names) for g in node.generators for t in g.ifs)
            said = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            if picked and _says_words(said):
                lines.append(node.lineno)
    return lines


def test_one_describer_of_the_records():
    """Every record kind is said in words by tripwire.sim.events.describe alone: no function
    elsewhere picks its words by a record's kind in two or more branches (a second describer:
    "News:" here, "Event:" there). Filtering by kind and styling by kind stay free."""
    kinds = _event_kinds()
    found = []
    for path in MODULES:
        rel = str(path.relative_to(SRC))
        if rel == OWNER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                worded = _worded_branches(node, kinds)
                if len(worded) >= 2:
                    found.append(f"{rel}:{node.lineno} {node.name}() words kinds at {worded}")
    assert not found, "\n".join(found)


def test_the_check_finds_a_second_describer():
    """The check above catches the room's old feed line (its own words for each kind) and the
    review's old story of a turn, and lets a filter by kind pass."""
    kinds = _event_kinds()
    old_feed = """
def describe(record, who):
    kind = record.get("kind")
    if kind == "inject":
        return f"News: {record.get('text')}"
    if kind == "trigger":
        return f"Risk: {record.get('text')}"
    return str(record.get("text") or kind)
"""
    assert len(_worded_branches(ast.parse(old_feed).body[0], kinds)) == 2
    old_story = """
def story(here):
    parts = [f"{p.title} reached" for p in here if p.kind == "outcome"]
    parts += [f"event {p.title}" for p in here if p.kind == "inject"]
"""
    assert len(_worded_branches(ast.parse(old_story).body[0], kinds)) == 2
    filtering = "def f(log):\n    return [r for r in log if r.get('kind') == 'action']\n"
    assert _worded_branches(ast.parse(filtering).body[0], kinds) == []


def test_the_command_line_only_declares_commands():
    """cli.py declares the commands and their options and calls one function of
    tripwire.commands for each: of Tripwire it imports only those, its version and the
    errors it prints (docs/architecture.md, issue 13)."""
    imported = {m for m, _ in _imports(SRC / "cli.py") if m.split(".")[0] == "tripwire"}
    others = {m for m in imported if m.split(".")[:2] != ["tripwire", "commands"]}
    assert others <= {"tripwire", "tripwire.errors"}, sorted(others)
