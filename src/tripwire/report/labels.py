"""Words and numbers for reports: variable labels, value formats, dates and trigger texts.

Reports are read by facilitators and analysts, not by the engine, so state variables get short
English labels (the catalog's descriptions are full sentences) and values are written in their
variable's own scale: shares as percentages, flags as yes/no, indices as plain numbers.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

from tripwire.catalog import load_catalog
from tripwire.dates import date_label as month
from tripwire.sim.events import Names

# Short labels for the state variables; relations (rel.*) are labelled from their description.
LABELS = {
    "world.tension": "Tension",
    "world.sanctions_enforcement": "Sanctions enforcement",
    "world.escalation_rung": "Escalation rung",
    "world.escalation_score": "Escalation score (turn)",
    "world.talks_prospects": "Talks prospects",
    "world.illicit_arms_trade": "Illicit arms trade",
    "world.sanctions_loopholes": "Sanctions loopholes",
    "world.enforcement_coordination": "Enforcement coordination",
    "world.unsc_paralysis": "UNSC paralysis",
    "world.unsc_draft": "UNSC draft tabled",
    "world.taiwan_strait": "Taiwan Strait tension",
    "world.nonproliferation_norm": "Nonproliferation norm",
    "coop.military": "Russia–DPRK military cooperation",
    "coop.diplomatic": "Russia–DPRK diplomatic cooperation",
    "coop.economic": "Russia–DPRK economic cooperation",
    "coop.intelligence": "Russia–DPRK intelligence cooperation",
    "coop.propaganda": "Russia–DPRK shared propaganda",
    "alliance.cohesion": "US–ROK–Japan cohesion",
    "RUS.war_urgency": "Russia's war urgency",
    "RUS.munitions_need": "Russia's munitions need",
    "RUS.isolation": "Russia's isolation",
    "RUS.posture": "Russia's Pacific posture",
    "PRK.icbm": "DPRK ICBM maturity",
    "PRK.nuclear_miniaturization": "DPRK warhead miniaturisation",
    "PRK.satellite_recon": "DPRK satellite reconnaissance",
    "PRK.tactical_nuclear": "DPRK tactical nuclear capability",
    "PRK.economy": "DPRK economy",
    "PRK.legitimacy": "DPRK standing",
    "PRK.self_reliance": "DPRK self-reliance",
    "PRK.posture": "DPRK military posture",
    "CHN.influence_over_PRK": "China's sway over DPRK",
    "CHN.stability_image": "China's stability image",
    "CHN.sanctions_pressure": "Pressure on China",
    "CHN.border_enforcement": "China's border enforcement",
    "CHN.posture": "China's military posture",
    "USA.deterrence_credibility": "US deterrence credibility",
    "USA.attention_elsewhere": "US attention elsewhere",
    "USA.posture": "US force posture",
    "KOR.posture": "South Korean readiness",
    "KOR.nuclear_debate": "South Korean nuclear debate",
    "JPN.posture": "Japanese readiness",
    "JPN.missile_defense": "Japanese missile defence",
}


@dataclass(frozen=True, slots=True)
class VarInfo:
    """What a report needs to know about one state variable."""

    name: str
    label: str
    unit: str
    lo: float
    hi: float
    description: str

    @property
    def span(self) -> float:
        """The width of the variable's range (for comparing moves of different variables)."""
        return self.hi - self.lo if self.hi > self.lo else 1.0


@functools.cache
def _variables() -> dict[str, VarInfo]:
    out = {}
    for v in load_catalog().variables:
        label = LABELS.get(v.name)
        if label is None and v.name.startswith("rel."):
            label = v.description.rstrip(".").replace("-", "–")
        out[v.name] = VarInfo(v.name, label or v.name, v.unit, v.min, v.max, v.description)
    return out


def var_info(name: str) -> VarInfo:
    """The label, unit and range of a variable (the name itself when it is not in the catalog)."""
    info = _variables().get(name)
    return info or VarInfo(name, name, "", 0.0, 100.0, "")


def label(name: str) -> str:
    """A variable's short English label."""
    return var_info(name).label


def fmt_value(name: str, value: float | None) -> str:
    """A variable's value written in its own scale."""
    if value is None:
        return "–"
    unit = var_info(name).unit
    if unit.startswith("share"):
        return f"{value * 100:.0f}%"
    if unit == "flag":
        return "yes" if value >= 0.5 else "no"
    if name == "world.escalation_rung" or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}"


def fmt_pair(name: str, before: float, after: float) -> str:
    """'55 → 61.4' written with the same precision on both sides."""
    unit = var_info(name).unit
    if unit.startswith("share") or unit == "flag" or name == "world.escalation_rung":
        return f"{fmt_value(name, before)} → {fmt_value(name, after)}"
    digits = 0 if float(before).is_integer() and float(after).is_integer() else 1
    return f"{before:.{digits}f} → {after:.{digits}f}"


def fmt_delta(name: str, delta: float) -> str:
    """A change of a variable, with its sign, in the variable's own scale."""
    unit = var_info(name).unit
    if unit.startswith("share"):
        return f"{delta * 100:+.0f} pts"
    if unit == "flag":
        return "raised" if delta > 0 else "lowered"
    if float(delta).is_integer():
        return f"{delta:+.0f}"
    return f"{delta:+.1f}"


def short_month(date: str | None) -> str:
    """'2026-06' -> 'Jun 2026'."""
    text = month(date)
    parts = text.split(" ")
    return f"{parts[0][:3]} {parts[1]}" if len(parts) == 2 else text


def actor_names() -> dict[str, str]:
    """Actor code -> display name ("PRK" -> "North Korea")."""
    return {code: a.name for code, a in load_catalog().actors.items()}


@functools.cache
def record_names() -> Names:
    """The names every view says records with (:func:`tripwire.sim.events.describe`): actors'
    and actions' names from the catalog, variables' labels, values in their own scale."""
    return Names(
        actors=actor_names(),
        actions={a.id: a.name for a in load_catalog().actions},
        variable=label,
        value=fmt_value,
    )


@functools.cache
def rung_names() -> dict[int, tuple[str, str]]:
    """Kahn rung -> (name, group)."""
    return {r.rung: (r.name, r.group) for r in load_catalog().ladder}


def rung_name(rung: float | int) -> str:
    """'5' -> 'Show of force'."""
    return rung_names().get(round(rung), (f"rung {rung:g}", ""))[0]


def trigger_texts(scenario: str | None = None) -> dict[str, str]:
    """Trigger id -> what it means, from the catalog and (when loadable) the scenario."""
    texts = {t.id: t.text for t in load_catalog().triggers}
    if scenario:
        from tripwire.errors import InputError
        from tripwire.scenario.loader import load_scenario

        # A scenario given as a path may be gone by the time the report is made: the catalog's
        # texts are still right for every trigger the scenario does not replace.
        with contextlib.suppress(InputError, OSError, ValueError):
            texts.update({t.id: t.text for t in load_scenario(scenario).triggers})
    return texts


def percent(p: float, digits: int = 0) -> str:
    """0.3912 -> '39%' (0.998 -> '99.8%': never '100%' or '0%' unless it is exactly so)."""
    text = f"{p * 100:.{digits}f}"
    while float(text) in (0.0, 100.0) and 0 < p < 1 and digits < 3:
        digits += 1
        text = f"{p * 100:.{digits}f}"
    return text + "%"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 game', '3 games'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
