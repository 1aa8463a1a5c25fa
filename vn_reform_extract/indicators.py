"""Governance and reform indicators (``gazetteers/indicators.csv``) and the facts that report them.

A fact gets the canonical id of an indicator (``NumericFact.metric_id``: "par_index",
"sipas", "pci", "on_time_rate" ...) when its own metric names one, else when the nearest
indicator named before it in its sentence (or, failing that, after it in the sentence)
reports facts of its kind. Rank facts also look back over the preceding text up to a
ranking table's heading ("Bảng xếp hạng PCI 2016 1. Đà Nẵng2. Quảng Ninh ...").
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

import regex

from .gazetteer import _rows
from .trie import compile_anchored, matches_at, trie_pattern

__all__ = ["Indicator", "indicators", "find_indicators", "indicator_of", "mentions", "link_facts"]

# how far back (characters of the normalized text) a rank fact may find its table's heading
_TABLE_LOOKBACK = 700
_YEAR_AFTER = re.compile(r"\s*(?:\(\w+\)\s*)?(?:năm\s+|kỳ\s+)?((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    name_en: str
    abbreviations: tuple[str, ...]
    aliases: tuple[str, ...]
    publisher: str
    scale: str
    kinds: tuple[str, ...]
    category: str


@lru_cache(maxsize=None)
def indicators() -> dict[str, Indicator]:
    out = {}
    for r in _rows("indicators.csv"):
        split = lambda v: tuple(a for a in v.split("|") if a)  # noqa: E731
        out[r["id"]] = Indicator(r["id"], r["name_vi"], r["name_en"], split(r["abbreviations"]),
                                 split(r["aliases"]), r["publisher"], r["scale"], split(r["kinds"]),
                                 r["category"])
    return out


@lru_cache(maxsize=None)
def _matcher() -> tuple[regex.Pattern, regex.Pattern, dict[str, str], tuple[str, ...]]:
    """Two trie patterns: abbreviations (mostly capitals) matched as written, names matched
    in the lower-cased text; whole words only; the longest alias wins at a position. And
    the first two words of the names: a name can only start where one of them stands."""
    by_key: dict[str, str] = {}
    for ind in indicators().values():
        for a in ind.aliases:
            by_key.setdefault(a if _is_abbreviation(a) else a.lower(), ind.id)
    abbr = [k for k in by_key if _is_abbreviation(k)]
    names = [k for k in by_key if not _is_abbreviation(k)]
    edge = r"(?<![\w&-])(?:{})(?![\w&])"
    firsts = tuple(sorted({" ".join(n.split(" ")[:2]) for n in names}))
    return (regex.compile(edge.format(trie_pattern(abbr))), compile_anchored(edge.format(trie_pattern(names))),
            by_key, firsts)


def _name_starts(lower: str, firsts: tuple[str, ...]) -> list[int]:
    """Positions where the first words of a name stand with no letter glued before or
    after them (plain substring search: the names pattern is then tried only there)."""
    found = set()
    n = len(lower)
    for w in firsts:
        i = lower.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not lower[i - 1].isalpha()) and (j == n or not lower[j].isalpha()):
                found.add(i)
            i = lower.find(w, i + 1)
    return sorted(found)


def _is_abbreviation(a: str) -> bool:
    letters = [c for c in a if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) * 2 > len(letters) and len(a) <= 20


def find_indicators(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, indicator_id)`` of every indicator named in ``text``, in text order."""
    abbr, names, by_key, firsts = _matcher()
    lower = text.lower()
    if len(lower) != len(text):        # a character whose lower case is longer: keep offsets
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found = [(m.start(), m.end(), by_key[m.group(0)]) for m in abbr.finditer(text)]
    found += [(m.start(), m.end(), by_key[m.group(0)]) for m in matches_at(names, lower, _name_starts(lower, firsts))]
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[tuple[int, int, str]] = []
    for f in found:                    # leftmost-longest, no overlaps
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out


def indicator_of(phrase: Optional[str]) -> Optional[str]:
    """The indicator id a metric phrase names ("Chỉ số CCHC năm 2023" -> "par_index"), or None."""
    if not phrase:
        return None
    found = find_indicators(phrase)
    return found[0][2] if found else None


def year_after(text: str, end: int) -> Optional[str]:
    """The year written right after an indicator's name ("PCI 2016", "Chỉ số CCHC năm 2022")."""
    m = _YEAR_AFTER.match(text, end)
    return m.group(1) if m else None


def mentions(text: str) -> list[tuple[int, int, str, Optional[str]]]:
    """``(start, end, indicator_id, year named with it)`` for every indicator in ``text``."""
    return [(s, e, iid, year_after(text, e)) for s, e, iid in find_indicators(text)]


def link_facts(found: list[tuple[int, int, str, Optional[str]]], sentences: Iterable[tuple[int, int]],
               facts: list[tuple[int, int, str, Optional[str]]]) -> list[Optional[tuple[str, Optional[str]]]]:
    """For each fact ``(start, end, kind, metric)``: ``(indicator_id, year named with the
    indicator)`` or None. ``found`` comes from :func:`mentions`; all positions are in one
    coordinate system, ``sentences`` are ``(start, end)`` pairs."""
    if not found:
        return [None] * len(facts)
    table = indicators()
    sents = sorted(sentences)
    ordered = all(found[i][1] <= found[i + 1][0] and found[i][0] < found[i][1] for i in range(len(found) - 1))
    by_kind: dict[str, tuple[list, list[int], list[int], set]] = {}
    years = _Years(found)
    out: list[Optional[tuple[str, Optional[str]]]] = []
    for start, end, kind, metric in facts:
        iid = _indicator_of(metric)
        if iid and kind in table[iid].kinds:
            out.append((iid, years.nearest(iid, start)))
            continue
        s_start, s_end = _sentence_of(sents, start)
        if kind not in by_kind:
            fits = [f for f in found if kind in table[f[2]].kinds]
            by_kind[kind] = (fits, [f[0] for f in fits], [f[1] for f in fits], {f[2] for f in fits})
        fits, starts, ends, only = by_kind[kind]
        if ordered:
            # mentions in text order, disjoint: the last one ending before the fact and the
            # first one starting after it, by bisection
            k = bisect.bisect_right(ends, start) - 1
            j = bisect.bisect_left(starts, end)
            hit = fits[k] if k >= 0 and fits[k][0] >= s_start else (
                fits[j] if j < len(fits) and fits[j][1] <= s_end else None)
            near = fits[k] if k >= 0 and fits[k][0] >= start - _TABLE_LOOKBACK else None
        else:
            before = [f for f in fits if s_start <= f[0] and f[1] <= start]
            after = [f for f in fits if end <= f[0] and f[1] <= s_end]
            hit = before[-1] if before else (after[0] if after else None)
            nears = [f for f in fits if start - _TABLE_LOOKBACK <= f[0] and f[1] <= start]
            near = nears[-1] if nears else None
        if hit is None and kind in ("rank", "score"):
            # a ranking table under its heading, or a score in an article about one index
            hit = near if near else (fits[0] if len(only) == 1 and fits else None)
        if hit is None:
            out.append(None)
            continue
        year = hit[3] or years.nearest(hit[2], start)
        out.append((hit[2], year))
    return out


@lru_cache(maxsize=4096)
def _indicator_of(metric: Optional[str]) -> Optional[str]:
    return indicator_of(metric)


class _Years:
    """The years named with the mentions of each indicator, sorted by position: the one
    nearest a position (the smaller year of two at the same distance) by bisection."""

    def __init__(self, found: list[tuple[int, int, str, Optional[str]]]) -> None:
        self.by_id: dict[str, tuple[list[int], list[str]]] = {}
        for f in sorted((f for f in found if f[3]), key=lambda f: f[0]):
            pos, ys = self.by_id.setdefault(f[2], ([], []))
            pos.append(f[0])
            ys.append(f[3])

    def nearest(self, iid: str, pos: int) -> Optional[str]:
        got = self.by_id.get(iid)
        if not got:
            return None
        starts, ys = got
        i = bisect.bisect_left(starts, pos)
        cands = [(abs(starts[k] - pos), ys[k]) for k in (i - 1, i, i + 1) if 0 <= k < len(starts)]
        # equal starts are possible for mentions given by a caller: all at one distance
        lo, hi = bisect.bisect_left(starts, starts[min(i, len(starts) - 1)]), bisect.bisect_right(starts, starts[min(i, len(starts) - 1)])
        cands += [(abs(starts[k] - pos), ys[k]) for k in range(lo, hi)]
        if i > 0:
            lo = bisect.bisect_left(starts, starts[i - 1])
            cands += [(abs(starts[k] - pos), ys[k]) for k in range(lo, i)]
        return min(cands)[1]


def _sentence_of(sents: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    lo, hi = 0, len(sents) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s, e = sents[mid]
        if pos < s:
            hi = mid - 1
        elif pos >= e:
            lo = mid + 1
        else:
            return s, e
    return pos, pos


def annotate(doc, facts: list, sentences: list) -> None:
    """Set ``metric_id`` (and a missing ``period`` from "PCI 2016") on the facts of one article."""
    if not facts:
        return
    found = [(*doc.original_span(s, e), iid, year) for s, e, iid, year in mentions(doc.text)]
    if not found:
        return
    links = link_facts(found, [(x.start, x.end) for x in sentences],
                       [(f.start, f.end, f.kind, f.metric) for f in facts])
    for fact, link in zip(facts, links):
        if link:
            fact.metric_id = link[0]
            if fact.period is None and link[1]:
                fact.period = link[1]
