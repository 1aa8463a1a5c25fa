"""Photo credits and bylines: the article's authors, never officials."""
from __future__ import annotations

import regex

from .context import Context
from .shapes import DASHES

# a byline under the headline: "27/09/2021 | Phương Chi"
DATE_BYLINE = regex.compile(r"(?m)^\s*\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?\s*\|\s*(?P<n>[^\n|]{2,40}?)\s*$")


def _trim_credit(raw: str, after: str) -> str:
    """'HẢI NGUYỄN Tới 2020 - 2021' -> 'HẢI NGUYỄN'; 'VH Sẽ thực hiện' -> 'VH'."""
    words = raw.split()
    out: list[str] = []
    for w in words[:5]:
        if any(ch.isdigit() for ch in w) or w in DASHES:
            break
        if out and out[0].isupper() and len(out[0]) > 1 and not w.isupper():
            break
        if out and w[:1].islower() and after not in ("/", ")"):
            break
        if not out and not w[:1].isupper():
            return ""
        out.append(w)
    if len(out) == len(words[:5]) and len(words) > 5:
        return ""
    return " ".join(out)


def find_authors(cx: Context) -> list[tuple[int, int, str, str]]:
    text = cx.text
    out = []
    for m in cx.R.photo.finditer(text):
        name = _trim_credit(m.group("name"), text[m.end("name"):m.end("name") + 1])
        if name:
            s = m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip()))
            out.append((s, s + len(name), name, "photo"))
    # byline under the headline: "27/09/2021 | Phương Chi"
    for m in DATE_BYLINE.finditer(text) if "|" in text else ():
        n = m.group("n")
        if cx.R.byline.match(n):
            out.append((m.start("n"), m.end("n"), n, "byline"))
    # byline at the end: the last sentence or line holding only a name
    if cx.doc.sentences:
        s, e = cx.doc.sentences[-1]
        seg = text[s:e]
        if cx.R.byline.match(seg) and len(seg.split()) >= 2 and not cx.head_at(s):
            out.append((s, e, seg, "byline"))
    return out
