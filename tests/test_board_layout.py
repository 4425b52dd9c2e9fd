"""The board's pure half, without pygame: projection, viewport, layout, arrows, colours,
hit-testing and the frame model (what a turn shows, in plain data).

The synthetic logs built here follow docs/event-log.md; test_board_view.py reuses them.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tripwire.board.common.colours import COOPERATION, goldstein_colour
from tripwire.board.common.frame import date_label, frame_model, game_frame
from tripwire.board.common.geo import LambertConformal, Viewport, load_map, project, theatre_bounds
from tripwire.board.common.layout import (
    actor_screen_positions,
    arrow_geometry,
    button_at,
    compute_layout,
    control_point,
    curve_offsets,
    ladder_geometry,
    map_viewport,
    side_away_from,
    timeline_turn_at,
    timeline_x,
)
from tripwire.gamelog import Game

SIZES = [(1280, 800), (1920, 1080)]

BASE_STATE = {
    "world.tension": 50.0,
    "world.sanctions_enforcement": 0.35,
    "world.escalation_rung": 3.0,
    "PRK.icbm": 55.0,
    "CHN.influence_over_PRK": 62.0,
    "alliance.cohesion": 65.0,
    "USA.posture": 55.0,
    "USA.attention_elsewhere": 35.0,
}


def header(turns: int = 3) -> dict[str, Any]:
    """A log header as the engine writes it."""
    return {
        "type": "header",
        "schema": 1,
        "tripwire": "0.1.0",
        "scenario": "board_test",
        "title": "Board Test",
        "scenario_sha256": "0" * 64,
        "catalog_sha256": "0" * 64,
        "seed": 3,
        "turns": turns,
        "start": "2026-06",
        "actors": ["RUS", "PRK", "CHN", "USA", "KOR", "JPN"],
        "outcomes": [
            {"id": "alpha", "title": "Alpha Outcome"},
            {"id": "beta", "title": "Beta Outcome"},
        ],
        "humans": [],
    }


def snapshot(turn: int, rung: int = 3, progress=None, **state: float) -> dict[str, Any]:
    """A turn snapshot; ``state`` overrides BASE_STATE (dots written as __)."""
    merged = dict(BASE_STATE)
    merged.update({k.replace("__", "."): v for k, v in state.items()})
    month = 6 + turn
    date = f"{2026 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}"
    return {
        "type": "turn",
        "turn": turn,
        "date": date,
        "state": merged,
        "escalation_score": 0,
        "rung": rung,
        "progress": progress or {"alpha": 0.25, "beta": 0.5},
    }


_seq = itertools.count()


def action(
    turn: int,
    actor: str,
    target: str | None,
    name: str,
    goldstein: float,
    *,
    domain: str | None = "military",
    success: bool = True,
    cancelled: bool = False,
) -> dict[str, Any]:
    """An action event."""
    e = {
        "type": "event",
        "turn": turn,
        "seq": next(_seq),
        "kind": "action",
        "actor": actor,
        "target": target,
        "action": name.lower().replace(" ", "_"),
        "name": name,
        "domain": domain,
        "cameo": "000",
        "goldstein": goldstein,
        "escalation": "posturing",
        "score": 1,
        "p": None if cancelled else 0.5,
        "roll": None if cancelled else 0.25,
        "success": success and not cancelled,
        "effects": {},
    }
    if cancelled:
        e["cancelled"] = True
    return e


def event(turn: int, kind: str, **fields: Any) -> dict[str, Any]:
    """An inject, trigger or outcome event."""
    return {"type": "event", "turn": turn, "seq": next(_seq), "kind": kind, **fields}


def synthetic_log(finished: bool = True) -> list[dict[str, Any]]:
    """Three turns: cooperation and conflict arrows, a failed, a cancelled and an untargeted
    action, an inject, a trigger and an outcome; rung 3 -> 5 -> 5 -> 7."""
    records = [header(3), snapshot(0, rung=3)]
    records += [
        event(
            1, "inject", id="summit", cause="timeline", text="A summit is announced.", effects={}
        ),
        action(1, "RUS", "PRK", "Satellite tech transfer", 8.3),
        action(1, "CHN", "JPN", "Naval blockade drill", -9.0),
        action(1, "JPN", "KOR", "Japan-ROK summit", 8.0, domain="diplomatic"),
        action(1, "PRK", "RUS", "Send troops to Russia", 3.0, success=False),
        action(1, "RUS", "PRK", "Buy DPRK shells", 7.4),
        action(1, "KOR", None, "Raise readiness", -2.0),
        action(1, "USA", "PRK", "Maritime interdiction", -9.2, cancelled=True),
        event(1, "trigger", id="spiral", text="A provocation spiral begins.", effects={}),
        snapshot(1, rung=5, world__tension=64.0, world__sanctions_enforcement=0.39),
        action(2, "PRK", "KOR", "DMZ provocation", -9.5),
        event(2, "outcome", id="alpha", title="Alpha Outcome"),
        snapshot(2, rung=5, progress={"alpha": 1.0, "beta": 0.7}, world__tension=70.0),
        action(3, "CHN", "PRK", "Economic aid", 7.0, domain="economic"),
        snapshot(3, rung=7, progress={"alpha": 0.9, "beta": 1.3}),
    ]
    if finished:
        records.append(
            {
                "type": "result",
                "turns_played": 3,
                "outcomes": {
                    "alpha": {"reached": True, "turn": 2},
                    "beta": {"reached": False, "turn": None},
                },
                "peak_rung": 7,
                "total_escalation_score": 10,
                "triggers": {"spiral": 1},
            }
        )
    return records


# --- projection and viewport -----------------------------------------------------------------


def test_capitals_project_in_their_real_order():
    """On the map Tokyo is east of Seoul, Seoul east of Beijing, Pyongyang north of Seoul."""
    cities = load_map().cities
    beijing, seoul, pyongyang, tokyo = (
        cities[c] for c in ("Beijing", "Seoul", "Pyongyang", "Tokyo")
    )
    assert tokyo[0] > seoul[0] > beijing[0]
    assert pyongyang[1] > seoul[1]
    # And on screen (y grows downwards) at both window sizes.
    for size in SIZES:
        pos = actor_screen_positions(compute_layout(*size))
        assert pos["JPN"][0] > pos["KOR"][0] > pos["CHN"][0]
        assert pos["PRK"][1] < pos["KOR"][1]


def test_projection_distances_are_true_to_a_few_percent():
    """The map keeps shapes and distances recognisable: Beijing-Tokyo is about 2,100 km."""
    bj, tk = project(116.394, 39.902), project(139.749, 35.687)
    assert math.dist(bj, tk) == pytest.approx(2100, rel=0.03)
    # Conformal: a small step east and a small step north scale the same at 40N.
    east = math.dist(project(125, 40), project(125.01, 40)) / (0.01 * 111.195 * math.cos(0.698))
    north = math.dist(project(125, 40), project(125, 40.01)) / (0.01 * 111.195)
    assert east == pytest.approx(north, rel=1e-3)


def test_projection_inverse_round_trips():
    """Projecting and un-projecting a point returns it (the viewport relies on it)."""
    proj = LambertConformal()
    lon, lat = np.meshgrid(np.linspace(95, 165, 8), np.linspace(15, 65, 8))
    back = proj.inverse(*proj.forward(lon, lat).transpose(2, 0, 1))
    assert np.allclose(back[..., 0], lon) and np.allclose(back[..., 1], lat)


def test_viewport_round_trips_and_fits_the_theatre():
    """Map km -> screen -> map km is the identity, and the theatre fits inside the map area."""
    for size in SIZES:
        layout = compute_layout(*size)
        vp = map_viewport(layout)
        pts = np.array([[-1200.0, 900.0], [0.0, 0.0], [2000.0, -1100.0]])
        assert np.allclose(vp.to_world(vp.to_screen(pts)), pts)
        x0, y0, x1, y1 = theatre_bounds()
        corners = vp.to_screen(np.array([[x0, y0], [x1, y1]]))
        area = layout.map_area
        assert area.x - 1 <= corners[:, 0].min() and corners[:, 0].max() <= area.right + 1
        assert area.y - 1 <= corners[:, 1].min() and corners[:, 1].max() <= area.bottom + 1
    vp = Viewport.fit((0, 0, 100, 50), (0, 0, 400, 400))
    assert vp.scale == pytest.approx(4.0)
    assert tuple(vp.to_screen(np.array([50.0, 25.0]))) == pytest.approx((200.0, 200.0))


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [*SIZES, (1024, 640), (2560, 1440)])
def test_panels_do_not_overlap_and_stay_in_the_window(size):
    """No panel covers another, and every panel lies inside the window."""
    layout = compute_layout(*size)
    panels = layout.panels()
    for (a, ra), (b, rb) in itertools.combinations(panels.items(), 2):
        assert not ra.overlaps(rb), f"{a} overlaps {b} at {size}"
    for name, r in panels.items():
        assert r.x >= 0 and r.y >= 0 and r.right <= size[0] and r.bottom <= size[1], name
        assert r.w > 0 and r.h > 0, name
    for inner in (layout.legend, layout.usa):
        assert inner.x >= layout.map_area.x and inner.right <= layout.map_area.right
        assert inner.y >= layout.map_area.y and inner.bottom <= layout.map_area.bottom
    assert not layout.legend.overlaps(layout.usa)
    for b1, b2 in itertools.combinations(layout.buttons, 2):
        assert not b1.rect.overlaps(b2.rect)
    assert all(b.rect.right <= layout.controls.right for b in layout.buttons)


@pytest.mark.parametrize("size", SIZES)
def test_us_panel_and_legend_hide_no_country_of_the_game(size):
    """The US panel sits on open Pacific and the legend on Siberia/Mongolia: neither covers
    a capital marker or any point of Japan's or Korea's outline."""
    layout = compute_layout(*size)
    vp = map_viewport(layout)
    for code, (x, y) in actor_screen_positions(layout).items():
        if code != "USA":
            assert not layout.usa.contains(x, y) and not layout.legend.contains(x, y), code
    for country in load_map().countries:
        if country.iso in ("JPN", "KOR", "PRK"):
            for ring in country.rings:
                for x, y in vp.to_screen(ring):
                    assert not layout.usa.contains(x, y), country.iso
                    assert not layout.legend.contains(x, y), country.iso


def test_text_is_readable_and_scales_with_the_window():
    """Body text is at least 18 px at 1280x800, titles are larger, and both grow with the
    window."""
    small, large = compute_layout(1280, 800), compute_layout(1920, 1080)
    assert small.body >= 18 and small.title > small.body and small.big > small.title
    assert large.body > small.body and large.big > small.big


def test_ladder_cells_stack_rung_one_at_the_bottom():
    """The ladder's 44 cells are equally tall, contiguous, rung 1 lowest, inside the panel."""
    layout = compute_layout(1280, 800)
    geo = ladder_geometry(layout)
    cells = [geo.cell(r) for r in range(1, 45)]
    assert len({c.h for c in cells}) == 1 and cells[0].h >= 8
    assert all(a.y == b.bottom for a, b in itertools.pairwise(cells))
    assert cells[0].bottom <= layout.ladder.bottom and cells[-1].y >= geo.caption.bottom


# --- colours and arrows ------------------------------------------------------------------------


def test_arrow_colours_diverge_red_grey_blue():
    """Conflict is red, cooperation blue, zero grey, and the colour darkens monotonically."""
    r, g, b = goldstein_colour(-10)
    assert r > 200 and r > g + 100 and r > b + 100
    r, g, b = goldstein_colour(10)
    assert (r, g, b) == COOPERATION and b > 200 and b > r + 100
    r, g, b = goldstein_colour(0)
    assert max(r, g, b) - min(r, g, b) < 15
    reds = [goldstein_colour(-v)[0] - goldstein_colour(-v)[2] for v in range(11)]
    assert reds == sorted(reds)
    assert goldstein_colour(None) == goldstein_colour(0)


def test_opposite_and_repeated_arrows_take_separate_lanes():
    """A->B and B->A bow to opposite sides; a second A->B bows further out; none coincide."""
    lanes = curve_offsets([("RUS", "PRK"), ("PRK", "RUS"), ("RUS", "PRK"), ("CHN", "PRK")])
    assert lanes == [1, 1, 2, 1]
    a, b = np.array([100.0, 100.0]), np.array([300.0, 100.0])
    c1 = control_point(a, b, 1)
    c_back = control_point(b, a, 1)
    c2 = control_point(a, b, 2)
    assert (c1[1] - 100) * (c_back[1] - 100) < 0  # opposite sides of the chord
    assert abs(c2[1] - 100) > abs(c1[1] - 100)
    # Short arrows (Seoul-Pyongyang) still bow out enough to be told apart.
    short = control_point((0, 0), (30, 0), 1)
    assert abs(short[1]) >= 40


def test_arrows_to_and_from_the_us_bow_away_from_its_panel():
    """The US marker sits on its panel's edge: its arrows all bow away from the panel, both
    directions sharing the lanes so they still do not coincide."""
    lanes = curve_offsets(
        [("USA", "JPN"), ("JPN", "USA"), ("USA", "JPN"), ("KOR", "JPN")], one_sided=("USA",)
    )
    assert lanes == [1, 2, 3, 1]
    for size in SIZES:
        layout = compute_layout(*size)
        pos = actor_screen_positions(layout)
        panel = layout.usa
        for other in ("JPN", "PRK", "CHN", "RUS", "KOR"):
            for a, b in (("USA", other), (other, "USA")):
                for lane in (1, 2):
                    side = side_away_from(pos[a], pos[b], panel.centre, lane)
                    g = arrow_geometry(pos[a], pos[b], lane, side=side, scale=layout.scale)
                    inside = [p for p in g.shaft[2:] if panel.inset(2).contains(*p)]
                    assert not inside, (a, b, lane)
                    assert not panel.contains(*g.badge), (a, b, lane)


def test_arrow_geometry_ends_with_a_head_at_the_target():
    """The arrowhead's tip stops just short of the target marker, pointing at it, and the
    shaft starts clear of the actor's marker."""
    g = arrow_geometry((100, 300), (500, 300), 1, start_gap=10, end_gap=12, head_length=16)
    tip = np.array(g.head[0])
    assert math.dist(tip, (500, 300)) == pytest.approx(12, abs=1.5)
    base_mid = (np.array(g.head[1]) + np.array(g.head[2])) / 2
    assert math.dist(base_mid, tip) == pytest.approx(16, abs=0.5)
    assert math.dist(g.shaft[0], (100, 300)) == pytest.approx(10, abs=1.5)
    assert g.badge[1] != pytest.approx(300)  # the curve bows away from the straight line


# --- hit-testing -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_timeline_and_buttons_hit_testing(size):
    """A click on a timeline tick gives its turn; clicks elsewhere give none; buttons are
    found by position."""
    layout = compute_layout(*size)
    y = layout.track.centre[1]
    for turn in (0, 7, 24):
        assert timeline_turn_at(layout, (timeline_x(layout, turn, 24), y), 24) == turn
    assert timeline_turn_at(layout, (timeline_x(layout, 7, 24) + 3, y + 12), 24) == 7
    assert timeline_turn_at(layout, layout.map.centre, 24) is None
    for b in layout.buttons:
        assert button_at(layout, b.rect.centre) == b.id
    assert button_at(layout, layout.feed.centre) is None


# --- the frame model ---------------------------------------------------------------------------


def test_feed_says_what_happened_in_plain_language():
    """Each event becomes a feed line: who did what to whom and whether it worked."""
    game = Game.from_records(synthetic_log())
    lines = [f"{i.head} {i.body}" for i in game_frame(game, 1).feed]
    assert lines == [
        "Event: A summit is announced.",
        "Russia → North Korea: Satellite tech transfer — succeeded",
        "China → Japan: Naval blockade drill — succeeded",
        "Japan → South Korea: Japan-ROK summit — succeeded",
        "North Korea → Russia: Send troops to Russia — failed",
        "Russia → North Korea: Buy DPRK shells — succeeded",
        "South Korea: Raise readiness — succeeded",
        "United States → North Korea: Maritime interdiction — cancelled",
        "Risk trigger: A provocation spiral begins.",
    ]
    kinds = [i.kind for i in game_frame(game, 2).feed]
    assert kinds == ["action", "outcome"]
    assert game_frame(game, 2).feed[1].body == "Alpha Outcome"


def test_frame_arrows_marks_and_statuses():
    """Targeted actions become arrows (coloured by Goldstein, with lanes and statuses);
    untargeted ones become marks at the actor."""
    frame = game_frame(Game.from_records(synthetic_log()), 1)
    by_name = {a.name: a for a in frame.arrows}
    assert set(by_name) == {
        "Satellite tech transfer",
        "Naval blockade drill",
        "Japan-ROK summit",
        "Send troops to Russia",
        "Buy DPRK shells",
        "Maritime interdiction",
    }
    assert by_name["Satellite tech transfer"].lane == 1
    assert by_name["Buy DPRK shells"].lane == 2
    assert by_name["Send troops to Russia"].status == "failed"
    assert by_name["Maritime interdiction"].status == "cancelled"
    assert by_name["Japan-ROK summit"].letter == "D"
    assert by_name["Naval blockade drill"].colour == goldstein_colour(-9.0)
    assert [(m.actor, m.name, m.letter) for m in frame.marks] == [("KOR", "Raise readiness", "M")]


def test_gauges_ladder_outcomes_and_date():
    """Gauges show value and change, the ladder names the rung and its group, the outcome
    watch marks reached outcomes with their turn, and the date is written out."""
    game = Game.from_records(synthetic_log())
    f1 = game_frame(game, 1)
    gauges = {g.key: g for g in f1.gauges}
    assert (gauges["world.tension"].text, gauges["world.tension"].delta_text) == ("64", "+14")
    sanctions = gauges["world.sanctions_enforcement"]
    assert (sanctions.text, sanctions.delta_text) == ("39%", "+4")
    assert sanctions.fraction == pytest.approx(0.39)
    assert gauges["PRK.icbm"].delta_text == "±0"
    assert (f1.ladder.rung, f1.ladder.previous) == (5, 3)
    assert (f1.ladder.name, f1.ladder.group) == ("Show of force", "Traditional crises")
    assert len(f1.ladder.rungs) == 44 and len(f1.ladder.groups) == 7
    assert f1.date_label == "July 2026" and f1.turn == 1 and f1.planned_turns == 3

    f3 = game_frame(game, 3)
    watch = {o.id: o for o in f3.outcomes}
    assert watch["alpha"].reached_turn == 2 and watch["alpha"].progress == pytest.approx(0.9)
    assert watch["beta"].reached_turn is None and watch["beta"].progress == 1.0  # clipped
    assert f3.finished and not game_frame(game, 2).finished
    assert game.reached(1) == {"alpha": None, "beta": None}
    assert game.reached(3) == {"alpha": 2, "beta": None}
    assert game_frame(game, 0).gauges[0].delta_text == ""  # no previous turn
    assert date_label("2027-12") == "December 2027" and date_label("soon") == "soon"


def test_a_hold_is_a_grey_h_ring_at_the_actor():
    """An actor that holds (domain null, no target) gets a grey 'H' badge on its ring."""
    hold = action(1, "JPN", None, "Hold", 0.0, domain=None)
    frame = frame_model(header(), snapshot(1), snapshot(0), [hold])
    (mark,) = frame.marks
    assert (mark.actor, mark.letter, mark.colour) == ("JPN", "H", goldstein_colour(0))
    assert frame.feed[0].head == "Japan:" and frame.feed[0].body == "holds (no action this turn)"


def test_the_feed_tells_facilitator_acts_from_model_outcomes():
    """Exercise-mode records read as what people did: a seat's decision with action names, the
    white cell's acts with their rationale, notes; a vetoed move says so, not "failed"."""
    records = [
        event(1, "note", text="Pause for discussion.", who="white cell"),
        event(
            1,
            "decision",
            actor="USA",
            who="USA team",
            moves=[{"action": "deploy_carrier_group", "target": "PRK"}],
        ),
        event(1, "decision", actor="KOR", who="KOR team", moves=[]),
        event(
            1,
            "intervention",
            who="white cell",
            what="veto",
            actor="USA",
            action="deploy_carrier_group",
            target="PRK",
            text="White cell vetoed USA's deploy_carrier_group",
            rationale="Not cleared by the President.",
        ),
        {**action(1, "USA", "PRK", "Deploy carrier group", 2.0), "success": False, "vetoed": True},
    ]
    frame = frame_model(header(), snapshot(1), snapshot(0), records)
    assert [(i.kind, i.head, i.body) for i in frame.feed] == [
        ("note", "Note (white cell):", "Pause for discussion."),
        ("decision", "USA team decided:", "Deploy carrier group → North Korea"),
        ("decision", "KOR team decided:", "hold"),
        (
            "intervention",
            "White cell:",
            "Vetoed United States' Deploy carrier group → North Korea — rationale: Not cleared "
            "by the President.",
        ),
        (
            "action",
            "United States → North Korea:",
            "Deploy carrier group — vetoed by the white cell",
        ),
    ]
    assert frame.feed[-1].status == "cancelled"


def test_a_game_cut_short_keeps_its_complete_turns():
    """Without a result line the game still splits into its complete turns; events after
    the last snapshot (a turn cut off mid-way) are left out."""
    records = synthetic_log(finished=False)[:-2]  # drop turn 3's snapshot: its event dangles
    game = Game.from_records(records)
    assert game.result is None and game.last_turn == 2 and game.planned_turns == 3
    assert not game_frame(game, 2).finished
    assert game.marks() == ((1, "inject"), (1, "trigger"), (2, "outcome"))


def test_importing_the_board_does_not_import_pygame():
    """``import tripwire.board`` (and its pure modules) never loads pygame."""
    code = (
        "import sys, tripwire, tripwire.board, tripwire.board.common.layout,"
        " tripwire.board.common.frame, tripwire.board.common.geo;"
        "assert 'pygame' not in sys.modules, 'pygame imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_board_subpackages_point_one_way():
    """board/common imports neither the replay nor the exercise board; the replay board never
    imports the exercise board (docs/architecture.md, the board's subpackages)."""
    import ast

    root = Path(__file__).resolve().parents[1] / "src" / "tripwire" / "board"
    allowed = {"common": ("common",), "replay": ("common", "replay"),
               "exercise": ("common", "replay", "exercise")}  # fmt: skip
    wrong = []
    for part, may in allowed.items():
        for path in sorted((root / part).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = node.module.split(".")
                    inside = names[:2] == ["tripwire", "board"] and len(names) > 2
                    if inside and names[2] not in may:
                        wrong.append(f"{part}/{path.name}:{node.lineno} {node.module}")
    assert not wrong, wrong
    assert sorted(p.name for p in root.glob("*.py")) == ["__init__.py"]  # nothing left flat
