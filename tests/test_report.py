"""Reports: the after-action review of a game and the report of a batch.

Both are one self-contained HTML file (every image embedded, nothing loaded from anywhere)
and a Markdown twin with the same sections. The tests build a real exercise game (with
white-cell interventions, a note and a human decision), a real small batch and a small sweep,
and read the files back as a browser and a Markdown reader would.
"""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from tripwire.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
GAME_SECTIONS = [
    "Summary",
    "Escalation curve",
    "Turning points",
    "Board at the turning points",
    "Actors against their objectives",
    "In its ensemble",
    "Timeline",
    "About this report",
]
BATCH_SECTIONS = [
    "Summary",
    "Outcomes at each point",
    "Time to each outcome",
    "Escalation over time",
    "Risk triggers",
    "Sensitivity",
    "About this report",
]
PLAIN_SECTIONS = [
    "Outcome probabilities" if s == "Outcomes at each point" else s
    for s in BATCH_SECTIONS
    if s != "Sensitivity"
]
VETO_RATIONALE = "A launch now would pre-empt the negotiation phase we want to exercise."
SET_RATIONALE = "Bring the crisis to the threshold for the final phase."


class Page(HTMLParser):
    """What a browser would see: sections and headings, images, links, scripts."""

    def __init__(self, text: str):
        super().__init__()
        self.h2: list[str] = []
        self.h3: list[str] = []
        self.section_ids: list[str] = []
        self.images: list[dict[str, str]] = []
        self.attrs_with_urls: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self._heading: str | None = None
        self._section: str | None = None
        self.text_by_section: dict[str, list[str]] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "section":
            self._section = attrs.get("id", "")
            self.section_ids.append(self._section)
        if tag in ("h2", "h3"):
            self._heading = tag
            getattr(self, tag).append("")
        if tag == "img":
            self.images.append(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if name in attrs:
                self.attrs_with_urls.append((tag, name, attrs[name] or ""))

    def handle_endtag(self, tag):
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            getattr(self, self._heading)[-1] += data
        if self._section:
            self.text_by_section.setdefault(self._section, []).append(data)

    def section_text(self, section_id: str) -> str:
        return " ".join(" ".join(self.text_by_section.get(section_id, [])).split())


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def _md_headings(text: str, level: int) -> list[str]:
    prefix = "#" * level + " "
    return [
        line[len(prefix) :].replace("\\", "")
        for line in text.splitlines()
        if line.startswith(prefix)
    ]


def _md_images(text: str) -> list[bytes]:
    refs = re.findall(r"^\[(image-\d+)\]: data:image/png;base64,(\S+)$", text, re.MULTILINE)
    used = re.findall(r"!\[[^\]]*\]\[(image-\d+)\]", text)
    assert sorted(used) == sorted(name for name, _ in refs)  # every image is defined, once
    return [base64.b64decode(data, validate=True) for _, data in refs]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An exercise game's log, a 40-game batch of its scenario and a 2-point sweep."""
    from tripwire.batch.runner import run_batch
    from tripwire.logfile import write_log
    from tripwire.session import whitecell
    from tripwire.sim.model import CrisisModel

    tmp = tmp_path_factory.mktemp("report")
    model = CrisisModel("missile_crisis_2", rng=7, turns=12, collect=False)
    model.step()
    whitecell.inject(
        model,
        text="A defector reveals a hidden enrichment site.",
        effects={"world.tension": 8},
        rationale="Test the US team's escalation control.",
    )
    whitecell.note(model, "Players debated the US response for twenty minutes.")
    model.begin_turn()
    vetoed = next(a for a, moves in enumerate(model.pending.chosen) if moves)
    whitecell.veto(model, model.pending.chosen[vetoed][0], rationale=VETO_RATIONALE)
    usa = model.rules.actors.index("USA")
    model.decide("USA", list(model.pending.chosen[usa]), who="USA team")
    model.resolve_turn()
    whitecell.set_value(model, "world.tension", 75, rationale=SET_RATIONALE)
    while model.running:
        model.step()
    log = tmp / "exercise.jsonl"
    write_log(log, model.log)
    batch = run_batch("missile_crisis_2", 40, seed=3, jobs=1, out=tmp / "batch").out
    sweep = run_batch(
        "baseline",
        15,
        seed=3,
        jobs=1,
        out=tmp / "sweep",
        sweeps=[("param.war_urgency_target", [40.0, 85.0])],
    ).out
    return {
        "tmp": tmp,
        "log": log,
        "batch": batch,
        "sweep": sweep,
        "records": model.log,
        "vetoed": model.rules.actors[vetoed],
    }


@pytest.fixture(scope="module")
def game_report(built):
    from tripwire.report.aar import write_game_report

    html, md = write_game_report(
        built["log"], built["tmp"] / "out" / "game.html", batch=built["batch"]
    )
    return html.read_text(encoding="utf-8"), md.read_text(encoding="utf-8"), (html, md)


@pytest.fixture(scope="module")
def sweep_report(built):
    from tripwire.report.batch_report import write_batch_report

    html, md = write_batch_report(built["sweep"], built["tmp"] / "sweep.html")
    return html.read_text(encoding="utf-8"), md.read_text(encoding="utf-8")


def test_game_report_writes_html_and_its_markdown_twin(game_report, built):
    """`tripwire report LOG --out FILE.html` writes FILE.html and FILE.md, and nothing else."""
    _, _, (html, md) = game_report
    assert html == built["tmp"] / "out" / "game.html"
    assert md == html.with_suffix(".md")
    assert sorted(p.name for p in html.parent.iterdir()) == ["game.html", "game.md"]


def test_game_report_has_every_section_in_order_in_both_files(game_report):
    """The facilitator finds the summary first, then curve, turning points, boards, actors,
    the ensemble, the timeline; the Markdown has the same sections."""
    html, md, _ = game_report
    page = Page(html)
    assert page.h2 == GAME_SECTIONS
    assert _md_headings(md, 2) == GAME_SECTIONS
    assert _md_headings(md, 1) == ["Missile Crisis 2.0: after-action review"]
    assert page.section_ids[0] == "summary"
    summary = page.section_text("summary")
    assert "missile_crisis_2" in summary and "Seed 7" in summary.replace(":", "")


def test_game_report_images_are_embedded_decodable_pngs(game_report):
    """Every image is a PNG inside the file (a data: URI), of a size a page can show."""
    html, md, _ = game_report
    page = Page(html)
    assert len(page.images) >= 6  # curve, outcome watch, boards, ensemble figures
    for img in page.images:
        src = img["src"]
        assert src.startswith("data:image/png;base64,")
        image = _png(base64.b64decode(src.split(",", 1)[1], validate=True))
        assert 400 <= image.width <= 4000 and 150 <= image.height <= 6000
        assert img.get("alt")
        assert 0 < int(img["width"]) <= image.width
    boards = [i for i in page.images if i["alt"].startswith("The board at turn")]
    assert boards and all(
        _png(base64.b64decode(i["src"].split(",")[1])).size == (1280, 800) for i in boards
    )
    markdown_pngs = _md_images(md)
    assert len(markdown_pngs) == len(page.images)
    assert all(_png(data).width >= 400 for data in markdown_pngs)


def test_game_report_loads_nothing_from_outside(game_report):
    """The file opens offline: no scripts, no stylesheets or fonts fetched, no remote URLs."""
    html, _, _ = game_report
    page = Page(html)
    assert not page.tags & {"script", "link", "iframe", "object", "embed"}
    for tag, name, value in page.attrs_with_urls:
        assert value.startswith(("data:image/png;base64,", "#")), (tag, name, value[:40])
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html
    assert "Content-Security-Policy" in html


def test_turning_points_show_white_cell_rationale_and_largest_changes(game_report, built):
    """White-cell interventions appear with their rationale; the largest one-turn changes
    are listed with what caused them."""
    from tripwire.report.labels import actor_names

    html, md, _ = game_report
    text = Page(html).section_text("turning-points")
    assert VETO_RATIONALE in text and SET_RATIONALE in text
    assert f"Vetoed {actor_names()[built['vetoed']]}'s" in text
    assert "Largest single-turn changes" in text and "Logged causes" in text
    for outcome in (r for r in built["records"] if r.get("kind") == "outcome"):
        assert outcome["title"] in text
    assert VETO_RATIONALE in md and "### Largest single-turn changes" in md


def test_timeline_lists_every_turn_with_each_actors_moves(game_report, built):
    """The timeline has every turn and, in it, what each actor did."""
    html, md, _ = game_report
    text = Page(html).section_text("timeline")
    actions = [r for r in built["records"] if r.get("kind") == "action" and r.get("turn") == 12]
    for turn in range(13):
        assert f"Turn {turn}" in text
        assert f"**Turn {turn} ·" in md
    for action in actions:
        if action["action"] != "hold":
            assert action["name"] in text
    assert "USA team decided:" in text
    assert "Players debated the US response" in text


def test_actor_summary_covers_each_actor_and_its_objectives(game_report):
    """Each actor gets its objectives' variables, start vs end, good or bad for it."""
    html, md, _ = game_report
    page = Page(html)
    for name in ("Russia", "North Korea", "China", "United States", "South Korea", "Japan"):
        assert any(h.startswith(name) for h in page.h3)
        assert any(h.startswith(name) for h in _md_headings(md, 3))
    text = page.section_text("actors")
    assert "good for it" in text and "bad for it" in text
    assert "Did most:" in text
    assert "resupply" in text and "technology" in text


def test_ensemble_section_draws_bands_and_places_the_outcomes(game_report):
    """With --batch, the game's curves are drawn over the batch's bands and each outcome's
    place in the batch's distribution is stated."""
    html, md, _ = game_report
    page = Page(html)
    text = page.section_text("ensemble")
    assert "40 games" in text
    assert "Where this game sits" in text
    assert re.search(r"(Reached|Not reached), like [\d.]+% of batch games", text)
    assert "lower in" in text and "higher in" in text
    alts = [i["alt"] for i in page.images]
    assert "This game's rung, escalation score and tension over the batch's bands" in alts
    assert any(a.startswith("When each outcome was reached") for a in alts)
    assert "## In its ensemble" in md and "Where this game sits" in md


def test_game_report_without_batch_has_no_ensemble_section(built):
    """Without --batch the report has the game's own sections only."""
    from tripwire.report.aar import write_game_report

    html, md = write_game_report(built["log"], built["tmp"] / "alone.html")
    page = Page(html.read_text(encoding="utf-8"))
    assert page.h2 == [s for s in GAME_SECTIONS if s != "In its ensemble"]
    assert _md_headings(md.read_text(encoding="utf-8"), 2) == page.h2


def test_truncated_log_is_bad_input_and_writes_nothing(built):
    """A log cut mid-line raises InputError located at its last line; no report is written."""
    from tripwire.report.aar import write_game_report

    text = built["log"].read_text(encoding="utf-8")
    cut = built["tmp"] / "cut.jsonl"
    cut.write_text(text[: len(text) - 40], encoding="utf-8")
    out = built["tmp"] / "cut.html"
    with pytest.raises(InputError) as err:
        write_game_report(cut, out)
    lines = text[: len(text) - 40].count("\n") + 1
    assert f"{cut}:{lines}:" in str(err.value) and "truncated" in str(err.value)
    assert not out.exists() and not out.with_suffix(".md").exists()


def test_batch_folder_that_is_not_a_finished_batch_is_bad_input(built, tmp_path):
    """A folder without summary.json (empty, or a batch still running) is refused with a
    located message; the game report refuses it as --batch too."""
    from tripwire.report.aar import write_game_report
    from tripwire.report.batch_report import write_batch_report

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"empty:1:1: error: not a Tripwire batch folder"):
        write_batch_report(empty, tmp_path / "r.html")
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "batch.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"not finished.*--resume"):
        write_batch_report(unfinished, tmp_path / "r.html")
    with pytest.raises(InputError, match="no such batch folder"):
        write_game_report(built["log"], tmp_path / "g.html", batch=tmp_path / "missing")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "summary.json").write_text('{"runs": 3,\n  oops}', encoding="utf-8")
    with pytest.raises(InputError, match=r"summary\.json:2:"):
        write_batch_report(broken, tmp_path / "r.html")
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.md"))


def test_out_must_name_the_html_file(built, tmp_path):
    """--out names the HTML file; the Markdown twin is derived from it."""
    from tripwire.report.batch_report import write_batch_report

    with pytest.raises(InputError, match="name the HTML file"):
        write_batch_report(built["batch"], tmp_path / "report.md")


def test_sweep_report_has_sensitivity_tornado_and_every_section(sweep_report):
    """A sweep's report has each point's outcome probabilities with intervals and paired
    differences (never pooled, never judged against the bands by default), cumulative
    incidence, fan charts, trigger frequencies, the sensitivity table and the tornado plot,
    in HTML and Markdown."""
    html, md = sweep_report
    page = Page(html)
    assert page.h2 == BATCH_SECTIONS
    assert _md_headings(md, 2) == BATCH_SECTIONS
    alts = [i["alt"] for i in page.images]
    assert any(a.startswith("Tornado plot") for a in alts)
    assert any(a.startswith("Outcome probability at each sweep point") for a in alts)
    assert any(a.startswith("Cumulative incidence") for a in alts)
    assert any(a.startswith("Fan charts") for a in alts)
    assert any(a.startswith("Share of games in which each risk trigger fired") for a in alts)
    for img in page.images:
        assert img["src"].startswith("data:image/png;base64,")
        assert _png(base64.b64decode(img["src"].split(",", 1)[1])).width >= 400
    assert len(_md_images(md)) == len(page.images)
    sensitivity = page.section_text("sensitivity")
    assert "param.war_urgency_target" in sensitivity and "Swing" in sensitivity
    outcomes = page.section_text("outcomes")
    assert "95% interval (paired)" in outcomes and "Newcombe" in outcomes
    assert "Analysis band" not in outcomes and "inside the band" not in html
    assert "| Outcome | Swept parameter | Probability at each value | Swing |" in md


def test_batch_report_of_a_plain_batch_has_no_sensitivity(built, tmp_path):
    """Without a sweep there is no sensitivity section; trigger frequencies are there."""
    from tripwire.report.batch_report import write_batch_report

    html, md = write_batch_report(built["batch"], tmp_path / "batch.html")
    page = Page(html.read_text(encoding="utf-8"))
    assert page.h2 == PLAIN_SECTIONS
    assert "Analysis band" in page.section_text("outcomes")  # a bundled scenario as shipped
    text = page.section_text("triggers")
    assert "Share of games" in text and "Times per game" in text
    markdown = md.read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert table and all(line.endswith(" |") for line in table)  # well-formed rows


def _fake_path(tmp: Path, *, with_chromium: bool) -> str:
    """A PATH holding only the tools the render script uses (and maybe a fake Chromium)."""
    bin_dir = tmp / ("bin-with" if with_chromium else "bin-without")
    bin_dir.mkdir()
    for tool in ("sh", "dirname", "basename", "mktemp", "rm", "cat"):
        real = subprocess.run(
            ["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=True
        )
        os.symlink(real.stdout.strip(), bin_dir / tool)
    if with_chromium:
        fake = bin_dir / "chromium"
        fake.write_text(
            '#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\n'
            'for a in "$@"; do case $a in --screenshot=*) : > "${a#--screenshot=}";; esac; done\n',
            encoding="utf-8",
        )
        fake.chmod(0o755)
    return str(bin_dir)


def test_render_script_skips_without_chromium_and_passes_safe_flags(tmp_path):
    """tools/render_report.sh exits 0 with a message when Chromium is missing, and otherwise
    runs it headless, offline and sandbox-free with a throwaway profile."""
    page = tmp_path / "r.html"
    page.write_text("<!DOCTYPE html><title>t</title>", encoding="utf-8")
    script = str(ROOT / "tools" / "render_report.sh")
    without = subprocess.run(
        ["sh", script, str(page)],
        capture_output=True,
        text=True,
        env={"PATH": _fake_path(tmp_path, with_chromium=False)},
        check=False,
    )
    assert without.returncode == 0 and "Chromium is not installed" in without.stdout
    bin_dir = _fake_path(tmp_path, with_chromium=True)
    done = subprocess.run(
        ["sh", script, str(page), str(tmp_path / "shot.png"), "3000"],
        capture_output=True,
        text=True,
        env={"PATH": bin_dir},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    args = (Path(bin_dir) / "args").read_text(encoding="utf-8")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,3000",
        f"--screenshot={tmp_path / 'shot.png'}",
        f"file://{page}",
    ):
        assert flag in args
    assert "--user-data-dir=" in args


# --- the command line ------------------------------------------------------------------------


def test_cli_report_of_a_game_and_of_a_batch(built, tmp_path):
    """`tripwire report LOG --batch DIR` and `tripwire report BATCH_DIR` write both files."""
    import shutil

    from typer.testing import CliRunner

    from tripwire.cli import app

    runner = CliRunner()
    log = tmp_path / "game.jsonl"
    shutil.copy(built["log"], log)
    done = runner.invoke(app, ["report", str(log), "--batch", str(built["batch"])])
    assert done.exit_code == 0, done.output
    assert f"wrote {tmp_path / 'game.html'}" in done.stdout
    assert (tmp_path / "game.md").stat().st_size > 0
    out = tmp_path / "batch.html"
    done = runner.invoke(app, ["report", str(built["batch"]), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.exists() and out.with_suffix(".md").exists()


def test_cli_report_bad_input_exits_2_and_writes_nothing(built, tmp_path):
    from typer.testing import CliRunner

    from tripwire.cli import app

    runner = CliRunner()
    cut = tmp_path / "cut.jsonl"
    text = built["log"].read_text(encoding="utf-8")
    cut.write_text(text[:-40], encoding="utf-8")
    cases = [
        (["report", str(cut)], "truncated"),
        (["report", str(tmp_path / "missing.jsonl")], "missing.jsonl:1:1: error:"),
        (["report", str(built["batch"]), "--batch", str(built["batch"])], "--batch goes with"),
        (["report", str(tmp_path)], "not a Tripwire batch folder"),
    ]
    for args, message in cases:
        done = runner.invoke(app, args)
        assert done.exit_code == 2, (args, done.output)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.output
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.md"))


def test_timeline_marks_a_vetoed_move_as_the_white_cells_not_a_failure(game_report, built):
    """A veto is the facilitator's choice, not a model outcome: the timeline says so."""
    _, md, _ = game_report
    vetoed = next(e for e in built["records"] if e.get("kind") == "action" and e.get("vetoed"))
    line = next(
        line for line in md.splitlines() if str(vetoed["name"]) in line and "vetoed" in line
    )
    assert "(vetoed by the white cell)" in line and "(failed)" not in line


def test_forced_move_and_undo_are_described_for_the_hotwash():
    from tripwire.report.labels import record_names
    from tripwire.report.timeline import _action
    from tripwire.sim.events import describe_intervention

    forced = {"kind": "action", "name": "Trilateral exercise", "target": "PRK",
              "success": True, "forced": True}  # fmt: skip
    assert _action(forced)[0].text == (
        "Trilateral exercise → North Korea (forced to succeed by the white cell)"
    )
    undo = {"what": "undo", "undone_turn": 3, "undone": [
        {"actor": "KOR", "action": "trilateral_exercise", "target": "PRK",
         "result": "forced to succeed"}]}  # fmt: skip
    assert describe_intervention(undo, record_names(), subject=False) == (
        "Undid turn 3 (it was played again); it had: South Korea Trilateral exercise → "
        "North Korea (forced to succeed)"
    )
    force = {"what": "force_failure", "actor": "USA", "action": "offer_talks", "target": "PRK"}
    assert describe_intervention(force, record_names(), subject=False) == (
        "Forced United States' Offer talks → North Korea to fail"
    )


def test_one_wording_of_an_intervention_serves_the_log_and_every_reader():
    """The log's text and the readers' lines come from one describer, from the record's data:
    the log says who acted ("White cell ..."), readers whose heading says it start with the
    verb, and a reader never cuts the log's prose: a record older than the data fields shows
    its own text."""
    from tripwire.sim.events import Names
    from tripwire.sim.events import describe_intervention as words

    clear = {"what": "clear", "actor": "PRK", "action": "srbm_salvo", "target": None}
    assert words(clear) == "White cell let the dice decide PRK's srbm_salvo again"
    assert words(clear, Names(actions={"srbm_salvo": "SRBM salvo"}), subject=False) == (
        "Let the dice decide PRK's SRBM salvo again"
    )
    inject = {"what": "inject", "inject": "adhoc", "headline": "A ferry sinks"}
    assert words(inject) == "White cell injected: A ferry sinks"
    old = {"what": "inject", "inject": "adhoc", "text": "White cell injected: A ferry sinks"}
    assert words(old, subject=False) == "White cell injected: A ferry sinks"  # as logged
    setting = {"what": "set", "variable": "world.tension", "value": 91.0, "previous": 55.0}
    assert words(setting) == "White cell set world.tension to 91 (was 55)"
