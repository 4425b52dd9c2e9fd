"""Reference tables generated from the catalog, so the documentation cannot drift from it.

``python -m tripwire.docgen`` (or ``make docs``) rewrites the generated section of
``docs/model-card.md``: every variable, objective, action, risk trigger, outcome and dynamics
term with its source passage. The text around the markers is written by hand; a test fails
when the generated part is out of date.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from tripwire.catalog import Catalog, load_catalog

BEGIN = "<!-- BEGIN GENERATED: python -m tripwire.docgen -->"
END = "<!-- END GENERATED -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _effects(effects: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:+g}" for k, v in effects.items())


def _variables(catalog: Catalog, keep: Callable[[str], bool], label: str = "Variable") -> str:
    return _table(
        [label, "Range", "Default", "Meaning", "Source"],
        [
            [f"`{v.name}`", f"{v.min:g}..{v.max:g}", f"{v.default:g}", v.description, v.source]
            for v in catalog.variables
            if keep(v.name)
        ],
    )


def reference(catalog: Catalog) -> str:
    """The generated reference section (Markdown)."""
    out: list[str] = []
    out.append("### State variables\n")
    out.append(_variables(catalog, lambda n: not n.startswith(("param.", "rel."))))
    out.append(
        "\nRelations `rel.A_B` (-100 hostile .. +100 allied) exist for all 15 pairs of actors; "
        "each action between two actors moves them by its Goldstein value (adjudication rule 5)."
    )
    out.append("\n### Model parameters\n")
    out.append(_variables(catalog, lambda n: n.startswith("param."), "Parameter"))
    out.append("\n### Objectives\n")
    rows = []
    for code, prof in catalog.actors.items():
        for oid, obj in prof.objectives.items():
            gain = "" if obj.gain == 1.0 else f"× `{obj.gain}`"
            terms = ", ".join(f"{k} {v:+g}" for k, v in obj.terms.items())
            rows.append([code, f"`{oid}`", f"{obj.weight:g}", f"{terms} {gain}", obj.source])
    out.append(_table(["Actor", "Objective", "Weight", "Terms (× gain)", "Source"], rows))
    out.append("\n### Actor profiles\n")
    out.append(
        _table(
            ["Actor", "Name", "Risk tolerance", "Action points", "Noise"],
            [
                [c, p.name, f"{p.risk_tolerance:g}", p.action_points, f"{p.noise:g}"]
                for c, p in catalog.actors.items()
            ],
        )
    )
    out.append(f"\n### Actions ({len(catalog.actions)})\n")
    out.append(
        _table(
            [
                "Action",
                "Actors → targets",
                "Domain",
                "CAMEO (Goldstein)",
                "Escalation",
                "Rung",
                "Cost",
                "Success",
                "Source",
            ],
            [
                [
                    f"`{a.id}` {a.name}",
                    ", ".join(a.actors) + (" → " + ", ".join(a.targets) if a.targets else ""),
                    a.domain,
                    f"{a.cameo} ({catalog.cameo[a.cameo][1]:+g})",
                    f"{a.escalation} ({catalog.escalation_scores[a.escalation]:+d})",
                    a.rung,
                    f"{a.cost:g}",
                    f"`{a.success}`" if isinstance(a.success, str) else f"{a.success:g}",
                    a.source,
                ]
                for a in catalog.actions
            ],
        )
    )
    out.append("\n### Risk triggers\n")
    out.append(
        _table(
            ["Trigger", "When", "Effects", "Repeat", "Source"],
            [
                [
                    f"`{t.id}`",
                    f"`{t.when}`",
                    _effects(t.effects) + ("; weights " + _effects(t.weights) if t.weights else ""),
                    "once" if t.once else f"cooldown {t.cooldown}",
                    t.source,
                ]
                for t in catalog.triggers
            ],
        )
    )
    out.append("\n### Outcomes\n")
    out.append(
        _table(
            ["Outcome", "When", "Analysis rating", "Source"],
            [
                [f"`{o.id}` {o.title}", f"`{o.when}`", o.rating or "", o.source]
                for o in catalog.outcomes
            ],
        )
    )
    out.append("\n### Dynamics\n")
    out.append(
        _table(
            ["Term", "Variable", "Rate per turn", "Source"],
            [[f"`{d.id}`", f"`{d.var}`", f"`{d.rate}`", d.source] for d in catalog.dynamics],
        )
    )
    return "\n".join(out) + "\n"


def render(document: str, catalog: Catalog) -> str:
    """The document with its generated section replaced."""
    head, found, rest = document.partition(BEGIN)
    if not found or END not in rest:
        raise ValueError(f"markers {BEGIN!r} ... {END!r} not found")
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{reference(catalog)}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/model-card.md (or the file given) in place."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path("docs/model-card.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(render(text, load_catalog()), encoding="utf-8")
    print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
