"""The state one article's passes share: the text, the blocked spans (provinces and
agencies, where no name starts), token windows and sentence ends. The position and name
logic live in ``titles.py`` and ``names.py``; ``Context`` puts them together."""
from __future__ import annotations

import bisect
from typing import Optional

from ..document import Document
from .names import NameRules
from .rules import rules
from .shapes import MAX_TITLE_TOKENS, Tokens, tokenize
from .titles import Positions


def union(spans) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans covering the same positions."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class Context(Positions, NameRules):
    """One article: ``Positions`` finds where a position starts and ends, ``NameRules``
    who is a name; the passes in ``candidates.py`` and ``link.py`` use both."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        self.R = rules()
        ctx = doc.context or {}
        # names never start inside a province or an agency name ("UBND quận Hoàng Mai")
        self.blocked: list[tuple[int, int]] = union(
            (int(s), int(e)) for s, e, *_ in [*(ctx.get("province_spans") or []), *(ctx.get("agency_spans") or [])])
        self.agencies: list[tuple] = list(ctx.get("agency_spans") or [])
        self.province_spans: list[tuple] = list(ctx.get("province_spans") or [])
        self._agency_index: Optional[tuple[list, list[int]]] = None
        self._heads: Optional[list[tuple[int, int]]] = None
        self._tok_cache: dict[int, tuple[int, Tokens]] = {}
        self._surname_starts: Optional[list[int]] = None
        self._name_starts: Optional[list[int]] = None
        # starts of positions that lead a comma chain before a name ("X, Y Nguyễn Văn A")
        self.chain_leading: set[int] = set()
        self._head_starts: Optional[list[int]] = None
        self.head_set: set[int] = set()  # the starts of the heads, once heads() ran

    def tokens(self, start: int, end: int) -> Tokens:
        """``tokenize(text, start, end)``, remembered per start: the scans from a position
        word ask for the same window several times."""
        hit = self._tok_cache.get(start)
        if hit is not None and (hit[0] >= end or hit[1].has(MAX_TITLE_TOKENS + 7)):
            return Tokens.of([t for t in hit[1] if t.end <= end]) if hit[0] > end else hit[1]
        toks = tokenize(self.text, start, end)
        self._tok_cache[start] = (end, toks)
        return toks

    def agency_index(self) -> tuple[list[tuple[int, int]], list[int]]:
        """(start, end) of the agencies sorted by start, and their starts: for the scans that
        ask which agencies start in a window (a bisect instead of a pass over all of them)."""
        if self._agency_index is None:
            spans = sorted((a[0], a[1]) for a in self.agencies)
            self._agency_index = (spans, [a for a, _ in spans])
        return self._agency_index

    def in_blocked(self, pos: int) -> bool:
        i = bisect.bisect_right(self.blocked, (pos, float("inf"))) - 1
        return i >= 0 and self.blocked[i][0] <= pos < self.blocked[i][1]

    def sent_end(self, pos: int) -> int:
        s, e = self.doc.sentence_of(pos)
        if e <= pos:
            nl = self.text.find("\n", pos)
            return len(self.text) if nl < 0 else nl
        return e
