"""The after-action review of one game: ``tripwire report LOG --out FILE.html``.

It reads the game's event log and writes a self-contained HTML report and its Markdown twin:
a summary, the escalation curve (rung, score and tension per turn) and outcome watch, the
turning points (outcomes, risk triggers, scenario events, white-cell interventions with their
rationale, the largest single-turn changes and what caused them), board pictures at those
turns, each actor's record against its objectives, the game in its ensemble (with
``batch=``) and the full turn-by-turn timeline. Nothing needs a display or a network: the
board is drawn with SDL's dummy video driver, the plots with matplotlib's Agg backend.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from tripwire import __version__
from tripwire.gamelog import RUNG, SCORE, Game, read_game
from tripwire.report import charts
from tripwire.report.actors import actors_section
from tripwire.report.analysis import (
    Change,
    TurningPoint,
    actor_records,
    largest_changes,
    snapshot_turns,
    turning_points,
)
from tripwire.report.batchdata import load_batch
from tripwire.report.ensemble import ensemble_section, summary_line
from tripwire.report.html import (
    BR,
    Document,
    Facts,
    Figure,
    Inline,
    Para,
    Section,
    Span,
    Sub,
    Table,
    b,
    code,
    output_paths,
    tone,
    write_document,
)
from tripwire.report.labels import (
    actor_names,
    fmt_delta,
    fmt_pair,
    label,
    month,
    plural,
    record_names,
    rung_name,
    short_month,
    var_info,
)
from tripwire.report.timeline import Timeline
from tripwire.sim.events import KIND_NAMES, PUBLIC, audience, describe

BOARD_SIZE = (1280, 800)
TITLE_STYLE = {"trigger": code, "inject": code, "outcome": b}  # how a turning point's title is set
STORY = ("outcome", "intervention", "peak", "trigger", "inject")  # a board picture's caption
BOARD_WIDTH = 1120  # CSS px: the board's own text stays legible


def write_game_report(log: Path, out: Path, *, batch: Path | None = None) -> tuple[Path, Path]:
    """Write the after-action review of a game: ``out`` (HTML) and its Markdown twin.

    Args:
        log: the game's event log (JSON Lines).
        out: the HTML file to write; the Markdown twin goes next to it (``.md``).
        batch: a finished batch folder to place the game in (its bands and distributions).

    Returns:
        The HTML and Markdown paths.

    Raises:
        InputError: a missing, truncated or corrupt log; a batch folder that is not a finished
            batch; an output that cannot be written.
    """
    output_paths(Path(out))  # a bad --out is reported before any work
    game = read_game(Path(log))
    ensemble = load_batch(Path(batch), runs=True) if batch is not None else None
    points = turning_points(game)
    changes = largest_changes(game)
    records = actor_records(game)
    sections = [
        _summary(game, points, ensemble_line=summary_line(game, ensemble) if ensemble else None),
        _escalation(game, points),
        _turning_points(game, points, changes),
        _boards(game, points, changes),
        actors_section(records),
    ]
    if ensemble is not None:
        sections.append(ensemble_section(game, ensemble))
    sections += [_timeline(game), _about(game, Path(log))]
    header = game.header
    doc = Document(
        title=f"{header.get('title', header.get('scenario', 'Game'))}: after-action review",
        kicker="Tripwire · after-action review",
        subtitle=[
            "Scenario ",
            code(str(header.get("scenario"))),
            f", seed {header.get('seed')}, {_period(game)}.",
        ],
        sections=sections,
        footer=[
            f"Made by Tripwire {__version__} from ",
            code(Path(log).name),
            ". Every number comes from the event log"
            + (" and the batch folder." if ensemble else "."),
        ],
    )
    return write_document(doc, Path(out))


def _period(game: Game) -> str:
    first = min(1, game.last_turn)
    played = game.last_turn
    text = (
        f"{plural(played, 'turn')}, {month(game.date(first))} to {month(game.date(game.last_turn))}"
    )
    planned = game.header.get("turns")
    if not game.finished:
        text += f" (the log stops at turn {played} of the {planned} planned)"
    return text


def _summary(game: Game, points: list[TurningPoint], ensemble_line: str | None) -> Section:
    header = game.header
    names = actor_names()
    reached = game.reached()
    titles = dict(game.outcomes)
    got = sorted((t, titles.get(o, o)) for o, t in reached.items() if t is not None)
    missed = [titles.get(o, o) for o, t in reached.items() if t is None]
    humans = list(header.get("humans") or [])
    players = (
        "bots in every seat"
        if not humans
        else "people played " + ", ".join(names.get(h, h) for h in humans) + "; bots the rest"
    )
    rungs = game.series(RUNG)
    peak = max(rungs)
    peak_turn = game.turn_numbers[rungs.index(peak)]
    total = (game.result or {}).get("total_escalation_score", sum(game.series(SCORE)))
    triggers = [p for p in points if p.kind == "trigger"]
    rows: list[tuple[str, Inline]] = [
        ("Scenario", [header.get("title", ""), " (", code(str(header.get("scenario"))), ")"]),
        (
            "Seed",
            [str(header.get("seed")), " — replay with ", code(_replay(game))]
            if _replayable(game)
            else f"{header.get('seed')} (people or the white cell played: the log is the record)",
        ),
        ("Played", [_period(game), "; ", players]),
        (
            "Outcomes reached",
            "; ".join(f"{title} (turn {t}, {month(game.date(t))})" for t, title in got) or "none",
        ),
        ("Not reached", ", ".join(missed) or "none"),
        (
            "Escalation",
            f"started at rung {rungs[0]:.0f}, peaked at rung {peak:.0f} ({rung_name(peak)}) "
            f"first on turn {peak_turn} ({plural(rungs.count(peak), 'turn')} at the peak), "
            f"ended at rung {rungs[-1]:.0f}; "
            f"{total:.0f} escalation points in all",
        ),
        ("Risk triggers", _trigger_summary(triggers)),
    ]
    white = [p for p in points if p.kind == "intervention"]
    if white:
        hidden = private_points(game)
        kept = sum(1 for p in white if _key(p) in hidden)
        private = f", {kept} of them private to the white cell" if kept else ""
        rows.append(
            ("White cell", f"{plural(len(white), 'intervention')}{private} (see Turning points)")
        )
    if ensemble_line:
        rows.append(("In its ensemble", ensemble_line))
    return Section("summary", "Summary").add(Facts(rows))


def _trigger_summary(triggers: list[TurningPoint]) -> Inline:
    fired = sum(len(p.turns) for p in triggers)
    out: list[str | Span] = [f"{plural(fired, 'firing')} of {plural(len(triggers), 'trigger')}"]
    for k, p in enumerate(sorted(triggers, key=lambda p: -len(p.turns))[:2]):
        out += ["; most often " if k == 0 else ", ", code(p.title), f" ({len(p.turns)}×)"]
    return out


def _replay(game: Game) -> str:
    h = game.header
    return f"tripwire run {h.get('scenario')} --seed {h.get('seed')} --turns {h.get('turns')}"


def _replayable(game: Game) -> bool:
    """A bot game replays from its seed; people and the white cell are not in the seed."""
    kinds = {"decision", "intervention"}
    if not isinstance(game.header.get("seed"), int):
        return False
    return not game.header.get("humans") and not any(
        e.get("kind") in kinds for _, e in game.every_event()
    )


def _marks(points: list[TurningPoint]) -> list[tuple[int, str]]:
    marks = []
    for p in points:
        if p.kind == "trigger":
            marks += [(t, "trigger") for t in p.turns]
        elif p.kind in ("outcome", "inject", "intervention"):
            marks.append((p.turn, p.kind))
    return marks


def _escalation(game: Game, points: list[TurningPoint]) -> Section:
    curves = charts.curves_chart(
        game={v: game.series(v) for v in charts.CURVES},
        game_turns=game.turn_numbers,
        marks=_marks(points),
    )
    titles = dict(game.outcomes)
    progress = {
        titles.get(oid, oid): [
            float((s.get("progress") or {}).get(oid, 0.0)) for s in game.snapshots
        ]
        for oid in titles
    }
    reached = {titles.get(o, o): t for o, t in game.reached().items()}
    section = Section("escalation", "Escalation curve")
    section.add(
        Para(
            "The crisis' rung on Herman Kahn's escalation ladder at the end of each turn, the "
            "turn's escalation score (the Rivera et al. category points of every move taken) "
            "and the tension index. The track above marks the turning points listed below."
        ),
        _figure(
            curves,
            "Escalation rung, escalation score and tension per turn",
            [
                b("Escalation curve. "),
                "Top: turning points by turn. Then the rung (1–44), the escalation score per turn "
                "(points) and tension (0–100) at the end of each turn.",
            ],
        ),
        _figure(
            charts.outcome_watch(game.turn_numbers, progress, reached),
            "Outcome watch",
            [
                b("Outcome watch. "),
                "How close each outcome's condition was to holding at the end of each turn "
                "(1 = it holds; a guide, not a probability). Stars: the turn it was first reached.",
            ],
        ),
    )
    return section


def _figure(png: bytes, alt: str, caption: Inline) -> Figure:
    return Figure(png, alt, caption)


def private_points(game: Game) -> dict[tuple[int, str, str], str]:
    """The white cell's acts and notes the room did not see: (turn, kind, title) -> who saw
    it ("white cell", or the team). The review shows everything; these rows are marked."""
    out: dict[tuple[int, str, str], str] = {}
    for turn, e in game.every_event():
        kind = e.get("kind")
        seen = audience(e)
        if kind in ("intervention", "note") and seen != PUBLIC:
            title = describe(e, record_names()).name  # as the turning point is titled
            who = "white cell" if seen == "white" else seen.removeprefix("team:") + " team"
            out[(turn, str(kind), title)] = who
    return out


def _key(p: TurningPoint) -> tuple[int, str, str]:
    return (p.turn, p.kind, p.title)


def _turning_points(game: Game, points: list[TurningPoint], changes: list[Change]) -> Section:
    rows: list[list[Inline]] = []
    hidden = private_points(game)
    for p in points:
        what: list[str | Span] = [
            TITLE_STYLE[p.kind](p.title) if p.kind in TITLE_STYLE else p.title
        ]
        detail: list[str | Span] = [p.detail] if p.detail else []
        if len(p.turns) > 1:  # a trigger that fired again
            detail += [
                BR,
                tone(f"Fired {len(p.turns)} times: turns {', '.join(map(str, p.turns))}.", "muted"),
            ]
        if p.kind == "intervention":
            detail = [b("Rationale: "), p.rationale or tone("none given", "muted")]
        if p.who and p.who != "white cell":
            detail = (
                [*detail, BR, tone(f"By {p.who}.", "muted")]
                if detail
                else [tone(f"By {p.who}.", "muted")]
            )
        if _key(p) in hidden:  # shown here, but the room did not see it at the time
            detail = [tone(f"Private: seen by the {hidden[_key(p)]} only.", "warn"), BR, *detail]
        rows.append(
            [
                [b(str(p.turn)), BR, short_month(game.date(p.turn))],
                "Escalation peak" if p.kind == "peak" else KIND_NAMES.get(p.kind, p.kind),
                what,
                detail,
            ]
        )
    section = Section("turning-points", "Turning points")
    section.add(
        Para(
            "Outcomes reached, risk triggers fired (each listed once, at its first firing), "
            "scenario events, white-cell interventions and notes, and the escalation peak, in "
            "turn order. The review shows everything; a row marked private was the white "
            "cell's alone at the time (it did not publish it to the teams and the projector)."
        ),
        Table(
            ["Turn", "Kind", "What", "Detail"],
            rows,
            caption="Turning points",
            marked=[k for k, p in enumerate(points) if p.kind in ("outcome", "intervention")],
            nowrap=(0,),
        ),
        Sub("Largest single-turn changes"),
        Para(
            "The largest moves of the state in one turn, measured against each variable's range "
            "(one per variable, in turn order), with the logged events that pushed them. Moves "
            "the log does not attribute come from the dynamics: drift, arms races and decay."
        ),
        _changes_table(game, changes),
    )
    return section


def _changes_table(game: Game, changes: list[Change]) -> Table:
    rows: list[list[Inline]] = []
    for c in changes:
        causes: list[str | Span] = []
        for k, (text, effect) in enumerate(c.causes):
            if k:
                causes.append(BR)
            causes.append(text + (f" ({fmt_delta(c.name, effect)})" if effect is not None else ""))
        info = var_info(c.name)
        rows.append(
            [
                [b(str(c.turn)), BR, short_month(game.date(c.turn))],
                Span(info.label, "", info.description),
                fmt_pair(c.name, c.before, c.after),
                tone(fmt_delta(c.name, c.delta), "b"),
                causes or tone("not attributed in the log", "muted"),
            ]
        )
    return Table(
        ["Turn", "Variable", "Before → after", "Change", "Logged causes"],
        rows,
        numeric=(3,),
        caption="Largest single-turn changes",
        nowrap=(0,),
    )


def _board_pngs(game: Game, turns: list[int]) -> dict[int, bytes]:
    """Board pictures of some turns, drawn off-screen."""
    for key, value in (
        ("SDL_VIDEODRIVER", "dummy"),
        ("SDL_AUDIODRIVER", "dummy"),
        ("PYGAME_HIDE_SUPPORT_PROMPT", "1"),
    ):
        os.environ.setdefault(key, value)
    from tripwire.board.replay.app import save_screenshots

    with tempfile.TemporaryDirectory(prefix="tripwire-report-") as tmp:
        paths = save_screenshots(game.records, Path(tmp), size=BOARD_SIZE, turns=turns)
        return {t: _palette_png(p) for t, p in zip(turns, paths, strict=True)}


def _palette_png(path: Path) -> bytes:
    """The board drawn in 256 colours: it is flat colour and text, so it looks the same at a
    third of the size (pillow comes with matplotlib)."""
    from PIL import Image

    with Image.open(path) as image:
        flat = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    buf = io.BytesIO()
    flat.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _boards(game: Game, points: list[TurningPoint], changes: list[Change]) -> Section:
    turns = snapshot_turns(game, points, changes)
    biggest = max(changes, key=lambda c: abs(c.delta) / var_info(c.name).span, default=None)
    pngs = _board_pngs(game, turns)
    section = Section("boards", "Board at the turning points")
    section.add(
        Para(
            "The board as the players saw it at the end of each turning-point turn: the map with "
            "the turn's moves, the escalation ladder, the indicators, the outcome watch and the "
            "turn's events."
        )
    )
    for t in turns:
        why = _turn_story([p for p in points if p.turn == t])
        if biggest and biggest.turn == t:
            move = f"{label(biggest.name)} {fmt_pair(biggest.name, biggest.before, biggest.after)}"
            why = f"{why}; largest move of the game: {move}" if why else f"Largest move: {move}"
        if not why:
            big = [c for c in changes if c.turn == t]
            why = (
                f"Largest move of {label(big[0].name)}: "
                + fmt_pair(big[0].name, big[0].before, big[0].after)
                if big
                else ("Final position" if t == game.last_turn else "")
            )
        section.add(
            Figure(
                pngs[t],
                f"The board at turn {t}",
                [b(f"Turn {t}, {month(game.date(t))}. "), why + ("." if why else "")],
                BOARD_WIDTH,
                "board",
            )
        )
    return section


def _turn_story(here: list[TurningPoint]) -> str:
    """A turn's turning points as a sentence, the weightiest first, each as its label."""
    told = sorted((p for p in here if p.kind in STORY), key=lambda p: STORY.index(p.kind))
    parts = [p.label.rstrip(".") for p in told]
    if len(parts) > 4:
        parts = [*parts[:4], f"and {len(parts) - 4} more"]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _timeline(game: Game) -> Section:
    names = actor_names()
    section = Section("timeline", "Timeline")
    section.add(
        Para(
            "Every turn: the escalation at its end (rung, the turn's escalation points, tension), "
            "each actor's moves (→ target; failed, cancelled, vetoed and forced moves are marked) "
            "and everything "
            "else that happened. Highlighted rows hold a turning point. Actors: "
            + ", ".join(f"{c} {names.get(c, c)}" for c in game.actors)
            + "."
        ),
        Timeline(game),
    )
    return section


def _about(game: Game, log: Path) -> Section:
    header = game.header
    return Section("about", "About this report").add(
        Table(
            ["Item", "Value"],
            [
                ["Event log", code(str(log))],
                ["Written by", f"Tripwire {header.get('tripwire', '?')}"],
                ["Scenario digest (SHA-256)", code(str(header.get("scenario_sha256", "?")))],
                ["Catalog digest (SHA-256)", code(str(header.get("catalog_sha256", "?")))],
                [
                    "Replay",
                    code(_replay(game) + " --log game.jsonl")
                    if _replayable(game)
                    else "not from the seed alone: people or the white cell played",
                ],
                ["Board", code(f"tripwire replay {log.name}")],
            ],
            caption="Provenance",
        )
    )
