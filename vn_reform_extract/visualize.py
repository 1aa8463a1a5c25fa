"""Views of an Article: self-contained HTML (``render_html``, used by notebooks via
``Article._repr_html_``) and a terminal view (``render_terminal``, ``vnre show``).

Mentions are collected generically from every Article list whose items have
``start``/``end`` (and from nested span lists such as ``Official.mentions``), so
new lists are highlighted without changes here.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import BaseModel

__all__ = ["render_html", "render_terminal", "collect_spans", "Highlight", "show", "html_page", "article_html"]

# type -> (label, css colour, ANSI background); hues far apart so that no two types
# (a date and a fact, an agency and a legal reference) look alike
_STYLE = {
    "provinces": ("province", "#ffe066", "43"),
    "agencies": ("agency", "#9ad1f5", "46"),
    "officials": ("official", "#b7e4a1", "42"),
    "authors": ("author", "#dcdcdc", "47"),
    "dates": ("date", "#d3b8ff", "45"),
    "facts": ("fact", "#ffb266", "41"),
    "legal_refs": ("legal ref", "#f7a8c8", "44"),
    "localities": ("locality", "#86dcc8", "106"),
}
_FALLBACK = ["#c5e8b7", "#a8dadc", "#f1c0e8", "#e6cc98", "#fdffb6", "#9bf6ff"]
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
.vnre{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.7;max-width:62em;color:#111}
.vnre h1{font-size:1.4em;line-height:1.3;margin:.2em 0 .3em}
.vnre h2{font-size:1.05em;margin:1.2em 0 .2em}
.vnre .vnre-meta{color:#555;font-size:.9em;margin:0 0 .6em}
.vnre .vnre-text{white-space:pre-wrap;border:1px solid #ddd;border-radius:6px;padding:1em;background:#fff}
.vnre mark{border-radius:3px;padding:0 1px;color:inherit}
.vnre .vnre-legend{margin:.4em 0}
.vnre .vnre-legend span{display:inline-block;margin:0 .6em .3em 0;padding:0 .5em;border-radius:3px;color:#111}
.vnre table{border-collapse:collapse;font-size:.88em;margin:.2em 0 .8em}
.vnre td,.vnre th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
.vnre th{background:#f4f4f4}
.vnre td.num{text-align:right;font-variant-numeric:tabular-nums}
.vnre td.rule{color:#777;font-size:.9em}
.vnre .swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}
"""

# table columns per list: (field, heading); fields not named here follow in schema order
_COLUMNS = {
    "provinces": [("text", "as written"), ("name", "province"), ("code", "code"), ("kind", "kind"),
                  ("merged_2025_name", "from 1/7/2025")],
    "agencies": [("text", "as written"), ("name", "agency"), ("kind", "kind"), ("level", "level"),
                 ("province_code", "province"), ("ministry", "ministry")],
    "officials": [("name", "name"), ("titles", "titles"), ("agency", "agency"), ("honorific", "honorific"),
                  ("mentions", "mentions")],
    "dates": [("text", "as written"), ("value", "value"), ("granularity", "granularity"),
              ("year_inferred", "year inferred")],
    "facts": [("text", "as written"), ("kind", "kind"), ("value", "value"), ("out_of", "out of"),
              ("unit", "unit"), ("metric", "metric"), ("target", "target"), ("period", "period")],
    "legal_refs": [("text", "as written"), ("doc_type", "type"), ("number", "number"), ("date", "date"),
                   ("issuer", "issuer")],
    "localities": [("text", "as written"), ("name", "name"), ("kind", "kind"), ("era", "map"),
                   ("province_code", "province"), ("merged_2025_name", "on the 2025 map")],
}
_HIDDEN = {"start", "end", "rule"}


def _cell(v: Any) -> str:
    """A value as readable text: numbers without a useless .0, lists joined, spans by text."""
    if v is None or v is False:
        return ""
    if v is True:
        return "yes"
    if isinstance(v, float):
        return f"{int(v):,}".replace(",", " ") if v.is_integer() and abs(v) < 1e18 else f"{v:g}"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        if "text" in v and v.get("text"):
            return str(v["text"])
        return ", ".join(f"{k} {_cell(x)}" for k, x in v.items() if x not in (None, "", [], False))
    if isinstance(v, list):
        return "; ".join(_cell(x) for x in v)
    return str(v)


def guess_title(text: Optional[str]) -> Optional[str]:
    """The first line of an article when it reads as a headline (short, no final period)."""
    if not text:
        return None
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= 200 and not line.endswith((".", ":", ";")) else None
    return None


def _table(kind: str, items: list[dict[str, Any]]) -> str:
    e = html.escape
    cols = list(_COLUMNS.get(kind, []))
    named = {c for c, _ in cols}
    for k in items[0]:
        if k not in named and k not in _HIDDEN:
            cols.append((k, k.replace("_", " ")))
    cols = [(c, h) for c, h in cols if any(_cell(it.get(c)) for it in items)]  # no empty columns
    if "rule" in items[0]:
        cols.append(("rule", "rule"))
    head = "<th>#</th>" + "".join(f"<th>{e(h)}</th>" for _, h in cols)
    rows = []
    for i, it in enumerate(items, 1):
        cells = [f'<td class="num">{i}</td>']
        for c, _ in cols:
            v = it.get(c)
            cls = ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool) else (
                ' class="rule"' if c == "rule" else "")
            cells.append(f"<td{cls}>{e(_cell(v))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    label, colour, _ = _style(kind)
    return (f'<h2><span class="swatch" style="background:{colour}"></span>{e(label)} ({len(items)})</h2>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def article_html(article: Any, text: Optional[str], title: Optional[str], tables: bool,
                  ident: Optional[str]) -> str:
    if text is None:
        text = getattr(article, "_text", None)
    data = article.model_dump(mode="json") if isinstance(article, BaseModel) else dict(article)
    spans = collect_spans(data)
    e = html.escape
    parts = ['<article class="vnre">']
    heading = title or guess_title(text)
    if heading:
        parts.append(f"<h1>{e(str(heading))}</h1>")
    meta = [f"id {e(str(ident))}"] if ident not in (None, "", heading) else []
    meta += [f"{k} {e(str(data.get(k)))}" for k in ("published", "source") if data.get(k)]
    if meta:
        parts.append(f"<p class=\"vnre-meta\">{' · '.join(meta)}</p>")
    legend = []
    for kind, items in data.items():
        if kind not in _SKIP and isinstance(items, list):
            label, colour, _ = _style(kind)
            legend.append(f"<span style=\"background:{colour}\">{e(label)} ({len(items)})</span>")
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
            if kind in _SKIP or not isinstance(items, list) or not items or not isinstance(items[0], dict):
                continue
            parts.append(_table(kind, items))
    parts.append("</article>")
    return "".join(parts)


def html_page(fragments: list[str], title: str) -> str:
    """A complete HTML document around ``article_html`` fragments."""
    sep = "\n<hr>\n"
    return ("<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}body{{margin:1.5em}}</style>\n</head>\n<body>\n"
            f"{sep.join(fragments)}\n</body>\n</html>\n")


def render_html(article: Any, text: Optional[str] = None, title: Optional[str] = None,
                tables: bool = True, full: bool = True, ident: Optional[str] = None) -> str:
    """The article as HTML: its title (``title``, else the text's first line when it reads
    as a headline), the text with every mention highlighted in the colour of its type, a
    legend with counts, and one table per list. Self-contained (inline CSS, no scripts);
    every piece of text is escaped. ``full=True``: a complete document (doctype, charset,
    title) to save as a file; ``full=False``: a fragment (notebooks)."""
    body = article_html(article, text, title, tables, ident)
    if not full:
        return f"<div class=\"vnre-wrap\"><style>{_CSS}</style>{body}</div>"
    heading = title or guess_title(text if text is not None else getattr(article, "_text", None))
    return html_page([body], heading or str(ident or "vn_reform_extract"))


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
