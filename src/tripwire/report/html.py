"""One document model rendered twice: a self-contained HTML file and its Markdown twin.

A report is a :class:`Document` of :class:`Section` objects holding blocks (paragraphs, lists,
tables, figures, notes, key facts). Each block renders itself as HTML and as Markdown, so the
two files always have the same sections in the same order. Text given as plain ``str`` is
escaped for each format; :class:`Span` marks bold, code, emphasis and good/bad tones. Control
characters (terminal escapes in a rationale or a note) are written as ``\\xNN``, never raw.

The HTML has one CSS block (readable typography, tables with tabular numbers, a print style),
no scripts and no external resources: images are PNGs embedded as base64 ``data:`` URIs, and
a Content-Security-Policy forbids loading anything else, so the file opens offline in any
browser. The Markdown keeps its text readable: images are reference-style links whose
``data:`` URIs are collected at the end of the file.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import write_text_atomic
from tripwire.logfile import printable

CSS = """
:root {
  --ink: #1d2228; --muted: #57606a; --rule: #d9dee3; --soft: #f5f7f9; --accent: #0b5cad;
  --good: #17663a; --bad: #b3261e; --warn: #8a5a00;
}
html { font-size: 17px; -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans",
    "DejaVu Sans", Arial, sans-serif;
}
main { max-width: 72rem; margin: 0 auto; padding: 2.5rem 2rem 4rem; }
header.top { border-bottom: 3px solid var(--ink); padding-bottom: 1rem; margin-bottom: 1.5rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem;
  color: var(--muted); margin: 0 0 .3rem; font-weight: 600; }
h1 { font-size: 2.1rem; line-height: 1.15; margin: 0 0 .4rem; }
.subtitle { color: var(--muted); margin: 0; max-width: 50rem; }
h2 { font-size: 1.5rem; line-height: 1.25; margin: 3rem 0 .8rem; padding-top: .9rem;
  border-top: 1px solid var(--rule); }
h3 { font-size: 1.12rem; margin: 1.8rem 0 .5rem; }
p, ul, ol, dl { max-width: 50rem; }
p { margin: .6rem 0; }
li { margin: .2rem 0; }
a { color: var(--accent); }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace;
  font-size: .84em; background: var(--soft); padding: .08em .32em; border-radius: 3px;
  white-space: nowrap; }
td code { white-space: normal; overflow-wrap: break-word; }
nav.toc { font-size: .92rem; margin: 0 0 1rem; color: var(--muted); }
nav.toc ol { display: flex; flex-wrap: wrap; gap: .2rem 1.4rem; list-style: none; padding: 0;
  margin: .3rem 0 0; max-width: none; }
nav.toc a { text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.facts { background: var(--soft); border-left: 4px solid var(--accent); border-radius: 4px;
  padding: .9rem 1.3rem; margin: 1rem 0 1.2rem; max-width: 56rem; }
.facts dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.2rem;
  margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.note { border-left: 4px solid #d4a72c; background: #fff8e5; padding: .6rem 1rem;
  border-radius: 4px; max-width: 56rem; margin: 1rem 0; }
.table-wrap { overflow-x: auto; margin: .8rem 0 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: .88rem;
  font-variant-numeric: tabular-nums; }
th, td { text-align: left; vertical-align: top; padding: .42rem .65rem;
  border-bottom: 1px solid var(--rule); }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid #c4cbd3;
  vertical-align: bottom; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
td.nowrap { white-space: nowrap; }
table.timeline td:nth-child(1) { white-space: nowrap; width: 6.5rem; }
table.timeline td:nth-child(2) { white-space: nowrap; width: 7.5rem; }
table.timeline td:nth-child(3) { width: 52%; }
table.timeline td { line-height: 1.45; }
tr.mark td { background: #fff6e0; }
.good { color: var(--good); }
.bad { color: var(--bad); }
.warn { color: var(--warn); }
.muted { color: var(--muted); }
.wc { color: #2456a6; font-style: italic; }
.small { font-size: .86em; }
figure { margin: 1.2rem 0 2.2rem; }
figure img { display: block; max-width: 100%; height: auto; }
figure.board img { border: 1px solid var(--rule); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .5rem; max-width: 56rem; }
figcaption b { color: var(--ink); }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) {
  html { font-size: 15px; }
  main { padding: 1.2rem .9rem 3rem; }
  .facts dl { grid-template-columns: 1fr; }
}
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; }
  figure, tr, .facts, .note { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""

PLOT_SCALE = 0.75  # plots are drawn at 150 dpi: shown at 0.75 px per pixel, text stays crisp
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with a style: ``b``, ``i``, ``code``, ``good``, ``bad``, ``warn``,
    ``muted`` or ``small``; ``br`` (empty text) is a line break; ``title`` is hover text
    (HTML only)."""

    text: str
    style: str = ""
    title: str = ""


Inline = str | Span | Sequence["str | Span"]
BR = Span("", "br")


def b(text: str) -> Span:
    """Bold text."""
    return Span(text, "b")


def code(text: str) -> Span:
    """Identifier text (monospace)."""
    return Span(text, "code")


def tone(text: str, kind: str) -> Span:
    """Text coloured ``good``, ``bad``, ``warn`` or ``muted`` (the words must carry the meaning
    too: colour alone is lost in print and to colour-blind readers)."""
    return Span(text, kind)


def _parts(inline: Inline) -> list[str | Span]:
    if isinstance(inline, str | Span):
        return [inline]
    return list(inline)


def md_escape(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ").replace("\u200b", "")


def inline_html(inline: Inline) -> str:
    """Render inline text as HTML."""
    out = []
    for part in _parts(inline):
        if isinstance(part, str):
            out.append(html.escape(part, quote=False))
            continue
        if part.style == "br":
            out.append("<br>")
            continue
        text = html.escape(part.text, quote=False)
        title = f' title="{html.escape(part.title)}"' if part.title else ""
        tag = {"b": "strong", "i": "em", "code": "code"}.get(part.style)
        if tag:
            out.append(f"<{tag}{title}>{text}</{tag}>")
        elif part.style or title:
            cls = f' class="{part.style}"' if part.style else ""
            out.append(f"<span{cls}{title}>{text}</span>")
        else:
            out.append(text)
    return "".join(out)


def inline_md(inline: Inline, *, cell: bool = False) -> str:
    """Render inline text as Markdown (``cell``: inside a table, where lines become <br>)."""
    out = []
    for part in _parts(inline):
        if isinstance(part, str):
            out.append(md_escape(part))
            continue
        text = part.text
        if part.style == "code":
            out.append(f"`{text.replace('`', "'")}`")
        elif part.style in ("b", "i") and text.strip():
            # emphasis markers must touch the text: keep surrounding spaces outside them
            mark = "**" if part.style == "b" else "*"
            lead, core, trail = _split_space(text)
            out.append(f"{lead}{mark}{md_escape(core)}{mark}{trail}")
        elif part.style == "br":
            out.append("<br>" if cell else " ")
        else:
            out.append(md_escape(text))
    return "".join(out).strip()


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its header.

    Raises:
        ValueError: the bytes are not a PNG.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def data_uri(data: bytes) -> str:
    """A ``data:`` URI holding a PNG."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


class Block(Protocol):
    """Anything a section holds: renders itself as HTML and as Markdown."""

    def html(self) -> str: ...  # pragma: no cover - protocol

    def markdown(self, images: list[bytes]) -> str: ...  # pragma: no cover - protocol


@dataclass(slots=True)
class Para:
    """A paragraph."""

    text: Inline
    cls: str = ""

    def html(self) -> str:
        cls = f' class="{self.cls}"' if self.cls else ""
        return f"<p{cls}>{inline_html(self.text)}</p>"

    def markdown(self, images: list[bytes]) -> str:
        return inline_md(self.text)


@dataclass(slots=True)
class Sub:
    """A sub-heading inside a section."""

    title: str

    def html(self) -> str:
        return f"<h3>{html.escape(self.title)}</h3>"

    def markdown(self, images: list[bytes]) -> str:
        return f"### {md_escape(self.title)}"


@dataclass(slots=True)
class Bullets:
    """A bulleted list."""

    items: Sequence[Inline]

    def html(self) -> str:
        return "<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in self.items) + "</ul>"

    def markdown(self, images: list[bytes]) -> str:
        return "\n".join(f"- {inline_md(i)}" for i in self.items)


@dataclass(slots=True)
class Note:
    """A highlighted caveat (a warning the reader must not miss)."""

    text: Inline

    def html(self) -> str:
        return f'<div class="note" role="note">{inline_html(self.text)}</div>'

    def markdown(self, images: list[bytes]) -> str:
        return f"> **Note:** {inline_md(self.text)}"


@dataclass(slots=True)
class Facts:
    """Key facts: a short list of label -> value pairs (the summary box)."""

    rows: Sequence[tuple[str, Inline]]

    def html(self) -> str:
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{inline_html(v)}</dd>" for k, v in self.rows)
        return f'<div class="facts"><dl>{items}</dl></div>'

    def markdown(self, images: list[bytes]) -> str:
        lines = []
        for key, value in self.rows:
            items = _split_lines(value)
            if len(items) == 1:
                lines.append(f"- **{md_escape(key)}:** {inline_md(items[0])}")
            else:  # a value of several lines becomes a nested list
                lines.append(f"- **{md_escape(key)}:**")
                lines += [f"  - {inline_md(item)}" for item in items]
        return "\n".join(lines)


def _split_lines(inline: Inline) -> list[list[str | Span]]:
    """Inline text cut at its line breaks."""
    items: list[list[str | Span]] = [[]]
    for part in _parts(inline):
        if part == BR:
            items.append([])
        else:
            items[-1].append(part)
    return [i for i in items if i]


@dataclass(slots=True)
class Table:
    """A table; ``numeric`` columns are right-aligned, ``marked`` rows are highlighted."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Inline]]
    numeric: Iterable[int] = ()
    cls: str = ""
    marked: Iterable[int] = ()
    caption: str = ""
    nowrap: Iterable[int] = ()

    def html(self) -> str:
        numeric = set(self.numeric)
        marked = set(self.marked)
        nowrap = set(self.nowrap)

        def cell(i: int, tag: str, content: str) -> str:
            cls = ' class="num"' if i in numeric else (' class="nowrap"' if i in nowrap else "")
            return f"<{tag}{cls}>{content}</{tag}>"

        head = "".join(
            cell(i, "th", html.escape(h)).replace("<th", '<th scope="col"', 1)
            for i, h in enumerate(self.headers)
        )
        body = []
        for r, row in enumerate(self.rows):
            tr = '<tr class="mark">' if r in marked else "<tr>"
            body.append(
                tr + "".join(cell(i, "td", inline_html(c)) for i, c in enumerate(row)) + "</tr>"
            )
        cls = f' class="{self.cls}"' if self.cls else ""
        label = f' aria-label="{html.escape(self.caption)}"' if self.caption else ""
        return (
            f'<div class="table-wrap"><table{cls}{label}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )

    def markdown(self, images: list[bytes]) -> str:
        numeric = set(self.numeric)
        lines = [
            "| " + " | ".join(md_escape(h) for h in self.headers) + " |",
            "|"
            + "|".join("---:" if i in numeric else "---" for i in range(len(self.headers)))
            + "|",
        ]
        for row in self.rows:
            cells = [inline_md(c, cell=True) or " " for c in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


@dataclass(slots=True)
class Figure:
    """A PNG image with a caption; ``width`` is its display width in CSS pixels (default:
    ``PLOT_SCALE`` times its pixel width, never wider than the page)."""

    png: bytes
    alt: str
    caption: Inline
    width: int | None = None
    cls: str = "plot"

    def html(self) -> str:
        w, h = png_size(self.png)
        shown = min(self.width or round(w * PLOT_SCALE), w)
        height = round(h * shown / w)
        return (
            f'<figure class="{self.cls}"><img src="{data_uri(self.png)}" '
            f'alt="{html.escape(self.alt)}" width="{shown}" height="{height}">'
            f"<figcaption>{inline_html(self.caption)}</figcaption></figure>"
        )

    def markdown(self, images: list[bytes]) -> str:
        images.append(self.png)
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}][image-{len(images)}]\n\n{inline_md(self.caption)}"


@dataclass(slots=True)
class Section:
    """A top-level section (an ``<h2>``/``##`` heading and its blocks)."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        """Append blocks; returns the section (for chaining)."""
        self.blocks.extend(blocks)
        return self


@dataclass(slots=True)
class Document:
    """A whole report."""

    title: str
    kicker: str
    subtitle: Inline
    sections: list[Section]
    footer: Inline = ""

    def html(self) -> str:
        """The self-contained HTML page."""
        toc = "".join(
            f'<li><a href="#{s.id}">{html.escape(s.title)}</a></li>' for s in self.sections
        )
        body = []
        for s in self.sections:
            inner = "\n".join(block.html() for block in s.blocks)
            body.append(
                f'<section id="{s.id}">\n<h2>{html.escape(s.title)}</h2>\n{inner}\n</section>'
            )
        footer = f"<footer>{inline_html(self.footer)}</footer>" if self.footer else ""
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            '<main>\n<header class="top">'
            f'<p class="kicker">{html.escape(self.kicker)}</p>'
            f"<h1>{html.escape(self.title)}</h1>"
            f'<p class="subtitle">{inline_html(self.subtitle)}</p></header>\n'
            f'<nav class="toc" aria-label="Contents"><b>Contents</b><ol>{toc}</ol></nav>\n'
            + "\n".join(body)
            + f"\n{footer}\n</main>\n</body>\n</html>\n"
        )

    def markdown(self) -> str:
        """The Markdown twin (same sections; images referenced at the end as data URIs)."""
        images: list[bytes] = []
        out = [f"# {md_escape(self.title)}", "", inline_md(self.subtitle), ""]
        for s in self.sections:
            out += [f"## {md_escape(s.title)}", ""]
            for block in s.blocks:
                out += [block.markdown(images), ""]
        if self.footer:
            out += ["---", "", inline_md(self.footer), ""]
        if images:
            out += ["<!-- Embedded images (PNG, base64) -->", ""]
            out += [f"[image-{n}]: {data_uri(png)}" for n, png in enumerate(images, start=1)]
            out.append("")
        return "\n".join(out)


def output_paths(out: Path) -> tuple[Path, Path]:
    """The HTML file and its Markdown twin (same folder and stem, ``.md``).

    Raises:
        InputError: ``out`` names a Markdown file or a folder.
    """
    out = Path(out)
    where = Location("--out")
    if out.suffix.lower() == ".md":
        raise InputError(
            [Diagnostic(where, f"{out}: name the HTML file (the Markdown twin goes next to it)")]
        )
    if out.is_dir():
        raise InputError([Diagnostic(where, f"{out}: is a folder; name the HTML file to write")])
    return out, out.with_suffix(".md")


def write_document(doc: Document, out: Path) -> tuple[Path, Path]:
    """Write a document as HTML at ``out`` and as Markdown next to it, each atomically.

    Raises:
        InputError: the output cannot be written (bad name, missing or read-only folder).
    """
    html_path, md_path = output_paths(out)
    # render first: nothing written on error; text from a log may hold terminal escapes
    html_text, md_text = printable(doc.html()), printable(doc.markdown())
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(md_path, md_text)
        write_text_atomic(html_path, html_text)
    except OSError as err:
        raise InputError(
            [Diagnostic(Location(str(html_path)), f"cannot write: {err.strerror or err}")]
        ) from None
    return html_path, md_path
