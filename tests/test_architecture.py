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
    **dict.fromkeys(("sim", "logfile"), 2),
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


def test_the_command_line_only_declares_commands():
    """cli.py declares the commands and their options and calls one function of
    tripwire.commands for each: of Tripwire it imports only those, its version and the
    errors it prints (docs/architecture.md, issue 13)."""
    imported = {m for m, _ in _imports(SRC / "cli.py") if m.split(".")[0] == "tripwire"}
    others = {m for m in imported if m.split(".")[:2] != ["tripwire", "commands"]}
    assert others <= {"tripwire", "tripwire.errors"}, sorted(others)
