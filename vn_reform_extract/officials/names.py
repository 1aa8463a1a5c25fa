"""Who is a person's name: capitalized syllables starting with a Vietnamese family name
(gazetteers/surnames.txt), never a place or an institution ("đường Nguyễn Huệ",
"Trường Tiểu học Nguyễn Văn Cừ"), never a body's name."""
from __future__ import annotations

import bisect
from typing import Optional

from .shapes import CAPITAL_HONORIFICS, NAME_SYLLABLE, TWO_WORDS_BEFORE, Token, is_letter


class NameRules:
    """Mixed into ``Context``: the name tests that need the article (blocked spans, heads)."""

    def surname_between(self, start: int, end: int) -> bool:
        """Whether a capitalized family name starts in [start, end)."""
        if self._surname_starts is None:
            surnames = self.R.surnames
            self._surname_starts = [p for p, w in self.doc.cap_words() if w in surnames]
        i = bisect.bisect_left(self._surname_starts, start)
        return i < len(self._surname_starts) and self._surname_starts[i] < end

    def name_starts(self, toks: list[Token], i: int) -> bool:
        """A person's name (family name + 1-3 syllables, then no capital) starts at toks[i]."""
        if i >= len(toks):
            return False
        t = toks[i]
        if t.text not in self.R.surnames or not NAME_SYLLABLE.fullmatch(t.text) or self.in_blocked(t.start):
            return False
        if self._heads is None:
            self.heads()
        if self.blocked_before(t.start):
            return False
        j = i
        while j + 1 < len(toks) and NAME_SYLLABLE.fullmatch(toks[j + 1].text) and self.text[toks[j].end:toks[j + 1].start] == " ":
            if toks[j + 1].start in self.head_set:
                break  # "Ủy viên Đoàn Chủ tịch ...": a position ends the name
            j += 1
        return 1 <= j - i <= 3

    def blocked_before(self, pos: int) -> bool:
        """The word(s) right before pos make a capitalized run there a place or an
        institution ("đường Nguyễn Huệ", "Trưởng thôn Đồng Còng"), unless they end a
        compound such as "thành phố", "nông thôn", "Môi trường"."""
        text = self.text
        j = pos
        while j > 0 and text[j - 1] == " ":
            j -= 1
        if j == pos or j == 0 or not is_letter(text[j - 1]):
            return False  # a name right after punctuation or at the start
        k = text.rfind(" ", max(0, j - 30), j)
        last = text[k + 1:j]
        R = self.R
        if last not in R.blocker_words and last not in R.blocker_last2:
            return False
        m = TWO_WORDS_BEFORE.search(text, max(0, pos - 40), pos)
        if not m:
            return False
        last = m.group(2)
        two = (m.group(1) + " " + last) if m.group(1) else None
        B = R.blocker_words
        if two and two in B:
            return True
        if last not in B:
            return False
        return not (two and two.lower() in self.R.not_blocker)

    def is_syl(self, tok: Token) -> bool:
        return bool(NAME_SYLLABLE.fullmatch(tok.text)) and tok.text not in CAPITAL_HONORIFICS

    def name_in_run(self, run: list[Token], free: bool) -> Optional[tuple[int, int]]:
        """Index range [i, j) of the person's name inside a capitalized run."""
        n = len(run)
        if n > 2 and run[-1].text in self.R.not_name_end:
            n -= 1  # "Nguyễn Duy Thăng Tuy nhiên": a capitalized sentence opener, not a syllable
        best = None
        for i in range(n):
            L = n - i
            if L < 2:
                break
            if L > (5 if free else 4):
                continue
            if self.in_blocked(run[i].start):
                continue
            if free and i == 0:
                return (0, n)
            if run[i].text not in self.R.surnames:
                continue
            best = (i, n)
            break
        if best and not free:
            i, n_ = best
            if n_ - i == 4 and run[i + 1].text in self.R.top_surnames and run[i].text not in self.R.top_surnames:
                best = (i + 1, n_)
        return best
