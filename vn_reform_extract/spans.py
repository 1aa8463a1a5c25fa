"""Sets of half-open view spans, for "longest first, no overlap" selections in linear time."""
from __future__ import annotations

import bisect


class Taken:
    """Spans chosen so far. ``overlaps(s, e)`` is ``any(s < te and ts < e for ts, te in
    taken)``, answered from a mask of the taken characters instead of a scan of the list."""

    def __init__(self, n: int) -> None:
        self.mask = bytearray(n + 1)
        self.spans: list[tuple[int, int]] = []
        self.points: list[int] = []  # empty spans taken: they block spans around them

    def overlaps(self, s: int, e: int) -> bool:
        if e <= s:  # an empty span (never in practice): the plain definition
            return any(s < te and ts < e for ts, te in self.spans)
        if any(self.mask[max(s, 0):e]):
            return True
        i = bisect.bisect_right(self.points, s)
        return i < len(self.points) and self.points[i] < e

    def take(self, s: int, e: int) -> None:
        self.spans.append((s, e))
        if e <= s:
            bisect.insort(self.points, s)
        else:
            self.mask[max(s, 0):e] = b"\x01" * (e - max(s, 0))
