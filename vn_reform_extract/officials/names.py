"""Who is a person's name: capitalized syllables starting with a Vietnamese family name
(gazetteers/surnames.txt), never a place or an institution ("đường Nguyễn Huệ",
"Trường Tiểu học Nguyễn Văn Cừ"), never a body's name."""
from __future__ import annotations

import bisect
from functools import lru_cache
from typing import Optional

import regex

from ..textnorm import strip_diacritics
from .rules import countries_by_last_word, foreign_word_rx
from .shapes import CAPITAL_HONORIFICS, NAME_SYLLABLE, TWO_WORDS_BEFORE, Token, Tokens, is_letter

LAST_WORD = regex.compile(r"(\S+)\s*$")
# a word that puts a place right after it ("ở Moscow", "bang Victoria")
PLACE_BEFORE = regex.compile(r"(?<![\p{L}\p{M}])(?:ở|tại|bang|thành phố|thủ đô|tỉnh)\s+$")
# a Vietnamese syllable, without its tone and vowel marks: onset, one to three vowels, coda
VIETNAMESE_SYLLABLE = regex.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    return bool(VIETNAMESE_SYLLABLE.fullmatch(strip_diacritics(word).lower()))


@lru_cache(maxsize=65536)
def is_foreign_word(word: str) -> bool:
    """A capitalized word that no Vietnamese syllable spells ("Paetongtarn", "Trump",
    "Amir-Saeid", "al-Thani"): a foreign name, or a foreign brand."""
    return bool(foreign_word_rx().fullmatch(word)) and not all(is_vietnamese_syllable(p) for p in word.split("-"))


class NameRules:
    """Mixed into ``Context``: the name tests that need the article (blocked spans, heads)."""

    def surname_between(self, start: int, end: int) -> bool:
        """Whether a capitalized family name starts in [start, end)."""
        if self._surname_starts is None:
            surnames = self.R.surnames
            self._surname_starts = [p for p, w in self.doc.cap_words() if w in surnames]
        i = bisect.bisect_left(self._surname_starts, start)
        return i < len(self._surname_starts) and self._surname_starts[i] < end

    def name_start_between(self, start: int, end: int) -> bool:
        """Whether a capitalized family name, a country or a foreign word starts in [start, end)."""
        if self._name_starts is None:
            surnames, countries = self.R.surnames, self.R.countries
            self._name_starts = [p for p, w in self.doc.cap_words()
                                 if w in surnames or w in countries or is_foreign_word(w)]
        i = bisect.bisect_left(self._name_starts, start)
        return i < len(self._name_starts) and self._name_starts[i] < end

    def country_ends_at(self, pos: int) -> bool:
        """A country name ends right before pos ("Quốc vương Qatar, ...")."""
        m = LAST_WORD.search(self.text, max(0, pos - 30), pos)
        if not m:
            return False
        end = m.end(1)
        return any(self.text.endswith(name, 0, end) for name in countries_by_last_word().get(m.group(1), ()))

    def foreign_name_at(self, toks: Tokens, i: int) -> bool:
        """A foreign name run starts at toks[i] and is followed by punctuation or a lower-case word."""
        items = toks.items
        j = i
        run = []
        while toks.has(j) and (self.is_name_word(items[j]) or (run and self.is_particle(toks, j))):
            if run and self.text[items[j - 1].end:items[j].start] != " ":
                break
            run.append(items[j])
            j += 1
        if not run or (toks.has(j) and items[j].text[:1].isupper()):
            return False
        return self.foreign_name(run)

    def name_starts(self, toks: Tokens, i: int) -> bool:
        """A person's name (family name + 1-3 syllables, then no capital) starts at toks[i]."""
        if not toks.has(i):
            return False
        items = toks.items
        t = items[i]
        if t.text not in self.R.surnames or not NAME_SYLLABLE.fullmatch(t.text) or self.in_blocked(t.start):
            return False
        if self._heads is None:
            self.heads()
        if self.blocked_before(t.start):
            return False
        j = i
        while toks.has(j + 1) and NAME_SYLLABLE.fullmatch(items[j + 1].text) and self.text[items[j].end:items[j + 1].start] == " ":
            if items[j + 1].start in self.head_set:
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

    def country_len(self, run: list[Token], i: int) -> int:
        """How many words of run[i:] spell a country ("Thái Lan", "Mỹ"), 0 if none."""
        for words in self.R.countries.get(run[i].text, ()):
            k = len(words)
            if i + k <= len(run) and all(run[i + m].text == words[m] for m in range(k)):
                return k
        return 0

    def is_name_word(self, tok: Token) -> bool:
        """A word of a name: a capitalized syllable, a foreign word ("al-Thani", "Amir-Saeid")."""
        return self.is_syl(tok) or is_foreign_word(tok.text)

    def is_particle(self, toks: Tokens, j: int) -> bool:
        """A lower-case particle inside a foreign name ("bin" in "Tamim bin Hamad")."""
        items = toks.items
        return (items[j].text in self.R.name_particles and toks.has(j + 1)
                and self.is_name_word(items[j + 1]) and self.text[items[j].end:items[j + 1].start] == " ")

    def foreign_name(self, run: list[Token], single: bool = False) -> bool:
        """A foreign person's name: 2-5 name words (1 when ``single``), one at least spelled
        as no Vietnamese syllable, none inside a province or an agency."""
        words = [t for t in run if t.text not in self.R.name_particles]
        if not (1 if single else 2) <= len(words) <= 5:
            return False
        if any(self.in_blocked(t.start) or t.text in self.R.foreign_org_words for t in run):
            return False
        return any(is_foreign_word(t.text) for t in words)

    def name_in_run(self, run: list[Token], free: bool) -> Optional[tuple[int, int]]:
        """Index range [i, j) of the person's name inside a capitalized run."""
        n = len(run)
        if n > 2 and run[-1].text in self.R.not_name_end:
            n -= 1  # "Nguyễn Duy Thăng Tuy nhiên": a capitalized sentence opener, not a syllable
        if not free:
            k = self.country_len(run, 0)
            if k:
                # "Thủ tướng Thái Lan Paetongtarn Shinawatra", "Chủ tịch Thượng viện Campuchia Hun Sen":
                # the country ends the position, the words after it are the name
                rest = run[k:n]
                if rest and not self.in_blocked(rest[0].start) and not self.country_len(run, k) and (
                        self.foreign_name(rest, single=True)
                        or (2 <= len(rest) <= 4 and not any(t.text in self.R.foreign_org_words for t in rest))):
                    return (k, n)
                return None
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
        if best is None and not free and self.foreign_name(run[:n]):
            # "Tổng thống Donald Trump", "Phó Thủ tướng Somdy Douangdy"; a place written before
            # it stays in the position ("Đại sứ Séc ở Moscow Vitezslav Pivonka")
            best = (1, n) if n >= 3 and PLACE_BEFORE.search(self.text, max(0, run[0].start - 12), run[0].start) else (0, n)
        if best and not free:
            i, n_ = best
            if n_ - i == 4 and run[i + 1].text in self.R.top_surnames and run[i].text not in self.R.top_surnames:
                best = (i + 1, n_)
        return best
