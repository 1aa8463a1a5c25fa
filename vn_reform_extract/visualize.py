"""Views of an Article: self-contained HTML (``render_html``, used by notebooks via
``Article._repr_html_``) and a terminal view (``render_terminal``, ``vnre show``).

Mentions are collected generically from every Article list whose items have
``start``/``end`` (and from nested span lists such as ``Official.mentions``), so
new lists are highlighted without changes here.
"""
from __future__ import annotations

import html
import json
import textwrap
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import BaseModel

__all__ = ["render_html", "render_terminal", "collect_spans", "Highlight", "show"]

# type -> (label, css colour, ANSI background)
_STYLE = {
    "provinces": ("province", "#ffd166", "43"),
    "agencies": ("agency", "#8ecae6", "46"),
    "officials": ("official", "#b5e48c", "42"),
    "authors": ("author", "#d9d9d9", "47"),
    "dates": ("date", "#f4a3c0", "45"),
    "facts": ("fact", "#ffadad", "41"),
    "legal_refs": ("legal ref", "#cdb4db", "44"),
    "localities": ("locality", "#f9c74f", "103"),
}
_FALLBACK = ["#e9c46a", "#a8dadc", "#f1c0e8", "#caffbf", "#fdffb6", "#9bf6ff"]
_SKIP = {"sentences"}


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    type: str      # the Article list it comes from
    label: str     # short description (canonical name, value ...)


def _style(kind: str) -> tuple[str, str, str]:
    if kind in _STYLE:
        return _STYLE[kind]
    i = sum(map(ord, kind)) % len(_FALLBACK)
    return kind.rstrip("s").replace("_", " "), _FALLBACK[i], "100"


def _describe(kind: str, item: dict[str, Any]) -> str:
    skip = {"text", "start", "end", "rule", "mentions"}
    parts = []
    for k, v in item.items():
        if k in skip or v in (None, "", [], False):
            continue
        if isinstance(v, list):
            v = "; ".join(map(str, v))
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        parts.append(f"{k}={v}")
    return f"{_style(kind)[0]}: " + ", ".join(parts)


def collect_spans(article: Any) -> list[Highlight]:
    """All highlightable spans of an Article (or its model_dump), in text order."""
    data = article.model_dump(mode="json") if isinstance(article, BaseModel) else dict(article)
    out: list[Highlight] = []
    for kind, items in data.items():
        if kind in _SKIP or not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            label = _describe(kind, item)
            if isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
                out.append(Highlight(item["start"], item["end"], kind, label))
            for sub in item.values():
                if isinstance(sub, list):
                    for s in sub:
                        if isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int):
                            out.append(Highlight(s["start"], s["end"], kind, label))
    out.sort(key=lambda h: (h.start, -h.end, h.type))
    return out


def _segments(text: str, spans: list[Highlight]) -> list[tuple[int, int, list[Highlight]]]:
    """Cut ``text`` at every span boundary; each piece lists the spans covering it."""
    n = len(text)
    valid = [h for h in spans if 0 <= h.start < h.end <= n]
    cuts = sorted({0, n, *(h.start for h in valid), *(h.end for h in valid)})
    starts: dict[int, list[Highlight]] = {}
    for h in valid:
        starts.setdefault(h.start, []).append(h)
    active: list[Highlight] = []
    out = []
    for a, b in zip(cuts, cuts[1:]):
        active = [h for h in active if h.end > a] + starts.get(a, [])
        out.append((a, b, sorted(active, key=lambda h: h.end - h.start)))
    return out


_CSS = """
.vnre{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.7;max-width:60em}
.vnre .vnre-text{white-space:pre-wrap;border:1px solid #ddd;border-radius:6px;padding:1em;background:#fff;color:#111}
.vnre mark{border-radius:3px;padding:0 1px;color:inherit}
.vnre .vnre-legend span{display:inline-block;margin:0 .6em .3em 0;padding:0 .4em;border-radius:3px}
.vnre table{border-collapse:collapse;font-size:.85em;margin:.3em 0 1em}
.vnre td,.vnre th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.vnre summary{cursor:pointer;font-weight:600}
"""


def render_html(article: Any, text: Optional[str] = None, title: Optional[str] = None,
                tables: bool = True) -> str:
    """A self-contained HTML fragment (inline CSS, no scripts): the text with every
    mention highlighted by type (hover for details), a legend with counts, and one
    table per list. Every piece of text is escaped."""
    if text is None:
        text = getattr(article, "_text", None)
    data = article.model_dump(mode="json") if isinstance(article, BaseModel) else dict(article)
    spans = collect_spans(data)
    e = html.escape
    parts = [f"<div class=\"vnre\"><style>{_CSS}</style>"]
    if title:
        parts.append(f"<h3>{e(str(title))}</h3>")
    meta = [f"{k}: {e(str(data.get(k)))}" for k in ("published", "source") if data.get(k)]
    if meta:
        parts.append(f"<p>{' · '.join(meta)}</p>")
    counts: dict[str, int] = {}
    for kind, items in data.items():
        if kind not in _SKIP and isinstance(items, list):
            counts[kind] = len(items)
    legend = []
    for kind, c in counts.items():
        label, colour, _ = _style(kind)
        legend.append(f"<span style=\"background:{colour}\">{e(label)} ({c})</span>")
    parts.append(f"<div class=\"vnre-legend\">{''.join(legend)}</div>")
    if text is None:
        parts.append("<p><em>(text not available: only the extracted lists are shown)</em></p>")
    else:
        body = []
        for a, b, cover in _segments(text, spans):
            piece = e(text[a:b])
            if not cover:
                body.append(piece)
                continue
            inner = cover[0]
            colour = _style(inner.type)[1]
            style = f"background:{colour}"
            outer = [h for h in cover[1:] if h.type != inner.type]
            if outer:
                style += f";box-shadow:inset 0 -3px 0 {_style(outer[-1].type)[1]}"
            tip = "\n".join(dict.fromkeys(h.label for h in cover))
            types = " ".join(dict.fromkeys(h.type for h in cover))
            body.append(f"<mark style=\"{style}\" data-types=\"{e(types)}\" title=\"{e(tip)}\">{piece}</mark>")
        parts.append(f"<div class=\"vnre-text\">{''.join(body)}</div>")
    if tables:
        for kind, items in data.items():
            if kind in _SKIP or not isinstance(items, list) or not items:
                continue
            cols = [k for k in items[0].keys() if k != "rule"]
            head = "".join(f"<th>{e(c)}</th>" for c in cols)
            rows = []
            for it in items:
                cells = []
                for c in cols:
                    v = it.get(c)
                    if isinstance(v, (list, dict)):
                        v = json.dumps(v, ensure_ascii=False)
                    cells.append(f"<td>{'' if v is None else e(str(v))}</td>")
                rows.append(f"<tr>{''.join(cells)}</tr>")
            parts.append(f"<details><summary>{e(_style(kind)[0])} ({len(items)})</summary>"
                         f"<table><tr>{head}</tr>{''.join(rows)}</table></details>")
    parts.append("</div>")
    return "".join(parts)


def render_terminal(article: Any, text: Optional[str] = None, color: bool = False,
                    title: Optional[str] = None, width: int = 100) -> str:
    """The text with mentions highlighted (ANSI backgrounds when ``color``; else
    ``[mention]`` brackets around outermost mentions), then each list, one line per item."""
    if text is None:
        text = getattr(article, "_text", None)
    data = article.model_dump(mode="json") if isinstance(article, BaseModel) else dict(article)
    spans = collect_spans(data)
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    out = []
    if title:
        out.append(bold(f"== {title}"))
    meta = [f"{k}: {_safe(str(data.get(k)))}" for k in ("published", "source") if data.get(k)]
    if meta:
        out.append("   ".join(meta))
    legend = []
    for kind, items in data.items():
        if kind not in _SKIP and isinstance(items, list):
            label, _, ansi = _style(kind)
            tag = f"\x1b[30;{ansi}m {label} \x1b[0m" if color else label
            legend.append(f"{tag} {len(items)}")
    out.append("  ".join(legend))
    if text is not None:
        buf = []
        for a, b, cover in _segments(text, spans):
            piece = _safe(text[a:b])
            if cover and color:
                piece = f"\x1b[30;{_style(cover[0].type)[2]}m{piece}\x1b[0m"
            elif not color:
                # brackets around outermost mentions only
                opens = [h for h in cover if h.start == a]
                if opens and not [h for h in cover if h.start < a]:
                    piece = "[" + piece
                closes = [h for h in cover if h.end == b]
                if closes and not [h for h in cover if h.end > b]:
                    piece = piece + "]"
            buf.append(piece)
        out.append("")
        out.append("".join(buf).rstrip())
    for kind, items in data.items():
        if kind in _SKIP or not isinstance(items, list) or not items:
            continue
        out.append("")
        out.append(bold(f"{_style(kind)[0]} ({len(items)})"))
        for it in items:
            where = f"{it['start']}-{it['end']} " if isinstance(it.get("start"), int) else ""
            if not where and isinstance(it.get("mentions"), list) and it["mentions"]:
                where = ",".join(f"{m.get('start')}-{m.get('end')}" for m in it["mentions"]
                                 if isinstance(m, dict)) + " "
            shown = f"\"{_safe(it['text'])}\" " if it.get("text") else ""
            line = f"{where}{shown}{_describe(kind, it).split(': ', 1)[1]}"
            if width:
                line = textwrap.shorten(line, width=max(width - 2, 40), placeholder=" ...")
            out.append("  " + line)
    return "\n".join(out)


def _safe(s: str) -> str:
    """Drop terminal control characters (an article must not drive the terminal)."""
    return "".join(c if c in "\n\t" or (c >= " " and c != "\x7f" and not 0x80 <= ord(c) < 0xA0) else "\ufffd"
                   for c in s)


def show(article: Any, text: Optional[str] = None) -> None:
    """Print the terminal view (coloured when stdout is a terminal)."""
    import sys
    print(render_terminal(article, text=text, color=sys.stdout.isatty()))
