"""Positions: where one starts (a head of gazetteers/titles.csv: "Phó Chủ tịch",
"Bộ trưởng" ...), where it ends (its body: "... UBND tỉnh Bình Dương"), and chains of
positions ("Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh")."""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Optional

from .. import titles as T
from ..document import Document
from ..textnorm import nfc
from .rules import Rules, lower_head_first_word_starts, lower_head_rx
from .shapes import (BETWEEN_POSITIONS, CAPITAL_HONORIFICS, COMMA, DASHES, DIGIT, FIELDS_OF_A_BODY,
                     LAST_WORD_BEFORE, MAX_TITLE_TOKENS, PUNCT_ENDING_POSITION, SPACE_THEN_CAPITAL, SPACES,
                     TRAILING_JOINERS)

if TYPE_CHECKING:
    from .context import Context


def head_matches(doc: Document, R: "Rules") -> list:
    """What ``R.head.finditer`` finds, tried only at the first words of positions."""
    upper, _ = T.head_first_words()
    found = doc.matches_at_cap_words(R.head, upper)
    text = doc.text
    lower = [m for p in lower_head_first_word_starts(text) if (m := R.head.match(text, p))]
    if not lower:
        return found
    out, end = [], 0
    for m in sorted(found + lower, key=lambda m: (m.start(), -m.end())):
        if m.start() >= end:
            out.append(m)
            end = m.end()
    return out


class Positions:
    """Mixed into ``Context``: the position scans over one article."""

    def heads(self) -> list[tuple[int, int]]:
        if self._heads is None:
            out = []
            for m in head_matches(self.doc, self.R):
                s, e = m.span()
                if not self.head_ok(s, e) or self.R.not_head_after.match(self.text, e):
                    continue
                pm = self.R.former_or_acting.search(self.text, max(0, s - 8), s)
                out.append((pm.start() if pm else s, e))
            self._heads = out
            self._head_starts = [s for s, _ in out]
            self.head_set = set(self._head_starts)
        return self._heads

    def head_ok(self, s: int, e: int) -> bool:
        c = self.text[s]
        if c.isupper():
            return True
        word = self.text[s:e].lower()
        for pre in ("nguyên ", "quyền "):
            if word.startswith(pre):
                rest = word[len(pre):].lstrip()
                return self.text[e - len(rest)].isupper() or rest in self.R.lower_ok
        return " ".join(word.split()) in self.R.lower_ok

    def verb_before(self, pos: int) -> bool:
        """The word ending at pos is a lower-case verb or a conjunction ("cho biết ông X",
        "và ông X"): no position ends there."""
        m = LAST_WORD_BEFORE.search(self.text, max(0, pos - 12), pos)
        return m is None or (m.group()[:1].islower() and (self.is_stop(m.start()) or m.group() in ("và", "của", "cho")))

    def heads_before(self, pos: int, span: int) -> list[tuple[int, int]]:
        """The heads starting in [pos - span, pos), nearest first."""
        self.heads()
        i = bisect.bisect_left(self._head_starts, pos)
        j = bisect.bisect_left(self._head_starts, pos - span)
        return self._heads[j:i][::-1]

    def lower_head_at(self, pos: int) -> Optional[tuple[int, int]]:
        """A position written in lower case at pos ("ông X, phó giám đốc Trung tâm ..."), taken
        only right after a name and its separator; it joins the heads once found."""
        h = self.head_at(pos)
        if h is not None or pos >= len(self.text) or not self.text[pos].islower():
            return h
        m = lower_head_rx().match(self.text, pos)
        if not m or self.R.not_head_after.match(self.text, m.end()):
            return None
        i = bisect.bisect_left(self._head_starts, pos)
        self._heads.insert(i, (pos, m.end()))
        self._head_starts.insert(i, pos)
        self.head_set.add(pos)
        return self._heads[i]

    def head_at(self, pos: int) -> Optional[tuple[int, int]]:
        self.heads()
        i = bisect.bisect_left(self._head_starts, pos)
        if i < len(self._heads) and self._heads[i][0] == pos:
            return self._heads[i]
        return None

    def extend_title(self, hs: int, he: int, limit: int) -> int:
        """End of the position that starts with the head at hs:he (view offsets)."""
        end = he
        toks = self.tokens(he, min(limit, he + 220))
        items = toks.items  # the tokens read so far: toks.has(i) reads up to i
        n = 0
        depth = 0
        i = 0
        lower_from = None  # where the current run of lower-case words began
        while toks.has(i):
            t = items[i]
            if "\n" in self.text[end:t.start]:
                break
            x = t.text
            n += 1
            if n > MAX_TITLE_TOKENS:
                break
            if lower_from is not None and x[:1].isupper() and self.head_at(t.start) is not None:
                # "Thủ tướng hoan nghênh Bộ trưởng ...": the words before the next
                # position are no part of this one
                return self.cut_after_body(he, lower_from)
            if x == "(":
                # a parenthesis naming the body: "(Sở Tài nguyên và Môi trường tỉnh Kon Tum)"
                close = self.text.find(")", t.end, min(limit, t.end + 120))
                inner = self.text[t.end:close] if close > 0 else ""
                if (close > 0 and inner[:1].isupper() and not DIGIT.search(inner) and depth == 0
                        and not self.R.caption.match(inner)):
                    end = close + 1
                    while toks.has(i) and items[i].start < close + 1:
                        i += 1
                    continue
                break
            if x == "," and ((self.R.body.match(self.text, end) and not self.body_is_head(t.end))
                             or self.R.comma_inside_phrase.match(self.text, t.end) or self.comma_fields(t.start)):
                i += 1
                continue
            if x[:1].isupper() and self.name_starts(toks, i):
                break
            if x == "và" and toks.has(i + 1) and (items[i + 1].text[:1].islower() or items[i + 1].text in CAPITAL_HONORIFICS):
                break
            if x in CAPITAL_HONORIFICS and self.R.anchor.match(self.text, t.start) and not self.in_blocked(t.start):
                break  # "... Trường Đại học Y-Dược Huế và Ông Trương Quốc Hùng"
            if x in PUNCT_ENDING_POSITION or x in {",", ")", "(", "/"}:
                break
            if x[:1].isupper() and self.R.stop_any.fullmatch(x):
                break
            if x in DASHES:
                nxt = toks.get(i + 1)
                if (nxt is None or not nxt.text[:1].isupper() or self.R.anchor.match(self.text, nxt.start)
                        or self.R.caption.match(nxt.text) or self.R.rank.match(self.text, nxt.start)):
                    break
                i += 1
                continue
            if x[:1].islower() and self.R.stop.match(self.text, t.start) and not self.R.not_stop.match(self.text, t.start):
                if not (x == "tại" and toks.has(i + 1) and items[i + 1].text[:1].isupper()
                        and self.R.at_heads.match(self.text, hs)):
                    break
            if x[:1].islower():
                lower_from = end if lower_from is None else lower_from
            else:
                lower_from = None
            end = t.end
            i += 1
        return self.cut_after_body(he, end)

    def cut_after_body(self, he: int, end: int) -> int:
        """A position ends with the body it names: "Bí thư Tỉnh ủy Yên Bái phải ..." keeps
        "Bí thư Tỉnh ủy Yên Bái" when only lower-case words follow the body."""
        body_end = None
        spans, starts = self.agency_index()
        for s, e in spans[bisect.bisect_left(starts, he - 1):bisect.bisect_left(starts, end)]:
            if e <= end:  # an agency starting in [he - 1, end) and ending by end
                body_end = e if body_end is None else max(body_end, e)
        if body_end is None or body_end >= end:
            return end
        tail = self.text[body_end:end]
        if ")" in tail or any(w[:1].isupper() or w[:1].isdigit() or w[:1] in "(-–" for w in tail.split()):
            return end
        return body_end

    def titles_chain(self, pos: int, limit: int, bare_join: bool = True) -> tuple[list[tuple[int, int, str]], int]:
        """Positions starting at pos (a head must start there), joined by ',' or appointment verbs."""
        out: list[tuple[int, int, str]] = []
        cur = pos
        while True:
            h = self.head_at(cur)
            if h is None:
                break
            te = self.extend_title(h[0], h[1], limit)
            if SPACE_THEN_CAPITAL.match(self.text, te) and self.name_starts(self.tokens(te, min(limit, te + 60)), 0):
                break  # "..., Phó Chủ tịch Lương Công Tuấn": that position is the next person's
            out.append((h[0], te, self.clean(h[0], te)))
            m = BETWEEN_POSITIONS.match(self.text, te)
            if m and self.head_at(m.end()):
                cur = m.end()
                continue
            m = self.R.appoint.match(self.text, te)
            if m and m.end() < limit and self.head_at(m.end()):
                cur = m.end()
                continue
            break
        if bare_join:
            out = join_bare(out, self)
        return out, (out[-1][1] if out else pos)

    def comma_fields(self, pos: int) -> bool:
        """A comma inside a body that lists its fields: "Ủy ban Quốc phòng, An ninh và Đối
        ngoại", "Bộ Văn hóa, Thể thao và Du lịch" (no name after the comma)."""
        m = FIELDS_OF_A_BODY.match(self.text, pos)
        return bool(m) and m.group("w") not in self.R.surnames and self.head_at(m.start("w")) is None

    def is_stop(self, pos: int) -> bool:
        """A lower-case word that ends a position starts at pos, unless it is part of a
        compound that names a body ("Bộ Ngoại giao", "Ban chỉ đạo", "an toàn giao thông")."""
        return bool(self.R.stop.match(self.text, pos)) and not self.R.not_stop.match(self.text, pos)

    def body_is_head(self, pos: int) -> bool:
        m = SPACES.match(self.text, pos)
        return self.head_at(m.end()) is not None

    def bare_head(self, s: int, e: int) -> str:
        """The head at s:e without "nguyên", "cựu", "Quyền" before it."""
        t = self.clean(s, e)
        m = self.R.former_or_acting_start.match(t)
        return t[m.end():] if m else t

    def clean(self, s: int, e: int) -> str:
        t = self.text[s:e]
        t = TRAILING_JOINERS.sub("", t)
        return nfc(t)

    # names ------------------------------------------------------------

def join_bare(titles: list[tuple[int, int, str]], cx: Context) -> list[tuple[int, int, str]]:
    """'Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ': a bare position shares the next one's body."""
    merged: list[tuple[int, int, str]] = []
    i = 0
    while i < len(titles):
        s, e, t = titles[i]
        h = cx.head_at(s)
        is_bare = h is not None and cx.clean(h[0], h[1]) == t and cx.bare_head(s, e) not in cx.R.complete_heads
        if is_bare and i + 1 < len(titles) and COMMA.fullmatch(cx.text[e:titles[i + 1][0]]):
            ne = titles[i + 1][1]
            titles = titles[:i] + [(s, ne, cx.clean(s, ne))] + titles[i + 2:]
            continue
        merged.append((s, e, t))
        i += 1
    return merged


def split_before(cx: Context, hs: int, he: int) -> list[tuple[int, int, str]]:
    """A position chain before a name: split at ', <head>' unless the part is a bare head."""
    pieces = []
    start = hs
    for m in COMMA.finditer(cx.text[hs:he]):
        ps = hs + m.end()
        if cx.head_at(ps):
            pieces.append((start, hs + m.start()))
            start = ps
    pieces.append((start, he))
    out = [(s, e, cx.clean(s, e)) for s, e in pieces]
    out = join_bare(out, cx) if len(out) > 1 else out
    cx.chain_leading.update(t[0] for t in out[:-1])
    return out
