"""Officials (people named with a public position) and the article's authors.

Rules (patterns/officials.yaml, gazetteers/titles.csv, gazetteers/surnames.txt) find
full names next to positions; later short mentions ("ông Bảy", "Thứ trưởng Tuyên") and
repeated full names attach to the same record. Optionally, underthesea's NER proposes
names on the few sentences that hold a position word the rules could not resolve
(``ner.py``; off by default, switch on with ``VNRE_OFFICIALS_NER=1`` or ``extract(doc, use_ner=True)``).

The parts, in the order ``extract`` runs them:

- ``rules.py``       the rule data, compiled once (patterns/officials.yaml, titles.csv)
- ``shapes.py``      tokens and the punctuation shapes the passes share
- ``titles.py``      positions: where one starts and ends, chains of positions
- ``names.py``       who is a name (family names, foreign names, places that look like names)
- ``context.py``     one article: ``Context`` = positions + names over its text
- ``authors.py``     photo credits and bylines (never officials)
- ``candidates.py``  the passes proposing (name, positions) candidates
- ``link.py``        which positions belong to whom; short mentions; agency and province
"""
from __future__ import annotations

from typing import Optional

from ..document import Document
from ..schema import Author, Official, Span
from ..textnorm import nfc
from .authors import find_authors
from .candidates import (Candidate, honorific_name, list_heads, name_then_position, ner_candidates,
                         title_before_name, use_ner_by_default)
from .context import Context
from .link import agency_and_province, resolve
from .rules import rules

__all__ = ["extract", "rules"]


def extract(doc: Document, use_ner: Optional[bool] = None) -> tuple[list[Official], list[Author]]:
    cx = Context(doc)
    authors = find_authors(cx)
    cands: list[Candidate] = []
    shorts = honorific_name(cx, cands)
    name_then_position(cx, cands)
    title_before_name(cx, cands)
    lists = list_heads(cx, cands)
    if use_ner if use_ner is not None else use_ner_by_default():
        cands.extend(ner_candidates(cx, cands))
    people = resolve(cx, cands, shorts, authors, lists)
    officials: list[Official] = []
    for p in sorted(people, key=lambda p: min(s for s, _ in p.mentions)):
        titles_sorted = sorted(p.titles, key=lambda t: t[0])
        names: list[str] = []
        seen = set()
        for s, e, t in titles_sorted:
            if t and t not in seen:
                seen.add(t)
                names.append(t)
        if not names and p.rank:
            names = [p.rank]
        if not names or p.name in cx.R.not_official or _private_only(cx, names):
            continue
        first = titles_sorted[0] if titles_sorted else None
        agency, prov = agency_and_province(cx, first[0], first[1]) if first else (None, None)
        mentions = []
        for s, e in sorted(set(p.mentions)):
            m = doc.mention(s, e)
            mentions.append(Span(start=m["start"], end=m["end"], text=m["text"]))
        officials.append(Official(name=p.name, titles=names, agency=agency, province_code=prov,
                                  honorific=p.honorific, mentions=mentions, rule=p.rule))
    out_authors = []
    seen_a = set()
    for s, e, name, role in authors:
        m = doc.mention(s, e)
        k = (nfc(name), role)  # one record per credited person, at the first credit
        if k in seen_a:
            continue
        seen_a.add(k)
        out_authors.append(Author(name=nfc(name), role=role, start=m["start"], end=m["end"]))
    return officials, out_authors


def _private_only(cx: Context, titles: list[str]) -> bool:
    """Every position is in a private company ("Tổng giám đốc, cựu Chủ tịch HĐQT Công ty Cổ
    phần X") or a bare head next to one: no public position."""
    private = [bool(cx.R.private_company.search(t)) for t in titles]
    return any(private) and all(p or " " not in t or cx.R.head.fullmatch(t) for p, t in zip(private, titles))
