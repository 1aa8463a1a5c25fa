"""Ranks of named places in lists: ranking tables, also glued scraped ones
("1. Đà Nẵng2. Quảng Ninh3. Đồng Tháp"), and lists after a ranking ("xếp Việt Nam hạng 55,
Singapore xếp thứ 2, Malaysia 29, Thái Lan 31").

A table is a run of at least ``table_min_rows`` rows "N. <province>" numbered one after the
other; a list is at least two "<place> N" items (or one with its own "xếp thứ") in a
sentence that speaks of a ranking. Places are the provinces found by provinces.py and the
countries of ``patterns/agencies.yaml`` (``foreign_countries``) with Việt Nam. The words
are data in ``patterns/facts.yaml`` (``rank_lists``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from . import patterns
from .document import Document
from .trie import trie_pattern

_WORDS = regex.compile(r"\(\?i:([\p{L}\p{M}\d ]+(?:\|[\p{L}\p{M}\d ]+)*)\)")


@dataclass
class Row:
    """One ranked place: the number's span, the whole item's span, the place."""
    start_: int
    end_: int
    value_start: int
    value_end: int
    value: float
    code: Optional[str]      # province code, None for a country
    name: str
    verb: bool = False       # the item names its own rank verb ("Singapore xếp thứ 2")
    head: int = -1           # where its table or list starts (the metric is named before it)
    out_of: Optional[float] = None

    def start(self) -> int:
        return self.start_

    def end(self) -> int:
        return self.end_

    def span(self) -> tuple[int, int]:
        return self.start_, self.end_


class _Words:
    def __init__(self) -> None:
        data = patterns.load("facts").data.get("rank_lists") or {}
        countries = list(patterns.load("agencies").data.get("foreign_countries") or [])
        countries += list(data.get("home_country") or [])
        self.min_rows = int(data.get("table_min_rows", 3))
        self.max_gap = int(data.get("table_max_gap", 30))
        self.row_number = regex.compile(r"(?<!\d)(\d{1,2})\.[ \t]?$")
        self.country = regex.compile(r"(?<![\p{L}\p{M}])" + trie_pattern(set(countries)) + r"(?![\p{L}\p{M}])")
        self.context = regex.compile(data.get("context") or r"(?!)", regex.V1)
        # a context that is a list of words ("(?i:xếp hạng|hạng)"): a text holding none of
        # them (a plain substring test) is not searched
        words = _WORDS.fullmatch(data.get("context") or "")
        self.context_words = tuple(w.casefold() for w in words.group(1).split("|")) if words else None
        self.verb = regex.compile(data.get("verb") or r"(?!)", regex.V1)
        # after a place: a rank verb and the rank ("Việt Nam hạng 55"), or the rank alone at
        # the end of a list item ("Malaysia 29,")
        verb = data.get("verb") or r"(?!)"
        num = r"(?P<value>\d{1,3})(?![\d\p{L}\p{M}]|[.,]\d)"
        self.item = regex.compile(r"[ \t](?:(?P<verb>" + verb + r")[ \t]" + num +
                                  r"(?:/(?P<out_of>\d{1,3})(?![\d.,]\d))?|" + num +
                                  r"(?=\s?[,;.)]|\s(?:và|còn)\s|\s?$))", regex.V1)


@lru_cache(maxsize=1)
def _words() -> _Words:
    return _Words()


def find(doc: Document) -> list[Row]:
    ctx = doc.context or {}
    spans = []
    for sp in ctx.get("province_spans") or []:
        try:
            spans.append((int(sp[0]), int(sp[1]), str(sp[2])))
        except (TypeError, ValueError, IndexError):
            continue
    spans.sort()
    rows = _table_rows(doc, spans)
    taken = {(r.value_start, r.value_end) for r in rows}
    rows += [r for r in _list_items(doc, spans) if (r.value_start, r.value_end) not in taken]
    rows.sort(key=lambda r: r.start_)
    return rows


def _table_rows(doc: Document, spans: list[tuple[int, int, str]]) -> list[Row]:
    W = _words()
    text = doc.text
    items: list[Row] = []
    for s, e, code in spans:
        m = W.row_number.search(text, max(0, s - 5), s)
        if m is None:
            continue
        items.append(Row(m.start(1), e, m.start(1), m.end(1), float(m.group(1)), code, text[s:e]))
    out: list[Row] = []
    run: list[Row] = []
    for it in items:
        if run and it.value == run[-1].value + 1 and it.start_ - run[-1].end_ <= W.max_gap:
            run.append(it)
            continue
        _keep(run, W.min_rows, out)
        run = [it]
    _keep(run, W.min_rows, out)
    return out


def _keep(rows: list[Row], n: int, out: list[Row]) -> None:
    if len(rows) >= n:
        for r in rows:
            r.head = rows[0].start_
        out.extend(rows)


def _list_items(doc: Document, spans: list[tuple[int, int, str]]) -> list[Row]:
    W = _words()
    text = doc.text
    places: list[tuple[int, int, Optional[str]]] = [(s, e, code) for s, e, code in spans]
    if W.context_words is not None:
        folded = text.casefold()
        if not any(map(folded.__contains__, W.context_words)):
            return []
    if not W.context.search(text):
        return []
    places += [(m.start(), m.end(), None) for m in W.country.finditer(text)]
    places.sort()
    by_sentence: dict[tuple[int, int], list[Row]] = {}
    last_end = -1
    for s, e, code in places:
        if s < last_end:
            continue  # a country inside a longer place name
        last_end = e
        m = W.item.match(text, e)
        if m is None:
            continue
        sent = doc.sentence_of(s)
        end = m.end("out_of") if m.group("out_of") else m.end("value")
        row = Row(s, end, m.start("value"), end, float(m.group("value")), code, text[s:e],
                  bool(m.group("verb")), out_of=float(m.group("out_of")) if m.group("out_of") else None)
        by_sentence.setdefault(sent, []).append(row)
    out: list[Row] = []
    for sent, rows in by_sentence.items():
        if not W.context.search(text, sent[0], sent[1]):
            continue
        if len(rows) >= 2 or any(r.verb for r in rows):
            _keep(rows, 1, out)
    return out

