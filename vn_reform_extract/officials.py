"""Officials (people named with a public position) and the article's authors.

Rules (patterns/officials.yaml, gazetteers/titles.csv, gazetteers/surnames.txt) find
full names next to positions; later short mentions ("ông Bảy", "Thứ trưởng Tuyên") and
repeated full names attach to the same record. Optionally, underthesea's NER proposes
names on the few sentences that hold a position word the rules could not resolve
(``ner.py``; off by default, switch on with ``VNRE_OFFICIALS_NER=1`` or ``extract(doc, use_ner=True)``).
"""
from __future__ import annotations

import bisect
import re
from itertools import islice
import unicodedata
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import regex

from . import patterns, titles as T
from .trie import matches_at, trie_pattern
from .document import Document
from .schema import Author, Official, Span
from .textnorm import key, nfc

_TOKEN = regex.compile(
    r"(?:TP|Tp|TX|Q|P|TT|GS|PGS|TS|ThS|BS)\.(?=\s*\p{Lu})"
    r"|[\p{L}\p{M}\p{N}]+(?:[.&'’/][\p{L}\p{M}\p{N}]+|-(?=[\p{L}\p{M}\p{N}])[\p{L}\p{M}\p{N}]+)*"
    r"|\S")
_SYL = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]+")
_CAPITAL_HONORIFICS = frozenset({"Ông", "Bà"})  # a new sentence, never a name syllable
_PREV_WORDS = regex.compile(r"(?:([\p{L}\p{M}]+) )?([\p{L}\p{M}]+)\s+$")
_LOWER_WORD = regex.compile(r"[\p{Ll}][\p{L}\p{M}]*")
_HARD_STOP = set('.:;!?"“”‘’…|[]{}')
_DASHES = {"-", "–", "—"}
MAX_TITLE_TOKENS = 18
_COMMA_JOIN = regex.compile(r"\s*(?:chống)(?![\p{L}\p{M}])")  # "phòng, chống dịch"
_NAME_NEXT = regex.compile(r" (?=\p{Lu})")
_CHAIN_SEP = regex.compile(r"\s*[,;]\s*")
_WS = regex.compile(r"\s*")
_AFTER_NAME = regex.compile(r"\s*(?:[,\-–—(]|\s)\s*")
_BEFORE_HON = regex.compile(r"(?:\s*[,\-–—]\s*|\s+đối với\s+|\s+)$")
_BARE_THEN_LOWER = regex.compile(r" \p{Ll}")
_LAST_WORD_L = regex.compile(r"(?<![\p{L}\p{M}])[\p{L}\p{M}&.]+$")
_HON_CAP = frozenset({"Ông", "Bà"})
_COMMA_FIELDS = regex.compile(r",[ ]*(?P<w>\p{Lu}[\p{Ll}\p{M}]*)(?:,? \p{L}[\p{Ll}\p{M}]*){0,6}? và \p{Lu}")
_SEP_MARK = regex.compile(r"[,\-–—(]")
_DIGIT = regex.compile(r"\d")
_TRAIL = regex.compile(r"(?:[\s,;:\-–—]|(?<![\p{L}\p{M}])(?:của|và)$)+$")
_COMMA_ONLY = regex.compile(r"\s*,\s*")
_COMMA = regex.compile(r"\s*,\s*")
_LAST_WORD = regex.compile(r"(\S+)\s*$")
_GAP = regex.compile(r"[\s,]*")
_CAP_NEXT = regex.compile(r" \p{Lu}[\p{Ll}\p{M}]")
_PREFIX = regex.compile(r"(?<![\p{L}\p{M}])(?:nguyên|Nguyên|Quyền|quyền)\s+$")
_CAP_AFTER = regex.compile(r"[\s,]*\p{Lu}[\p{Ll}\p{M}]+ \p{Lu}")
_CAP_BEFORE = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]+\s*(?:,|\s[-–—]|\()\s*$")
_REPORTING = regex.compile(r"(?<![\p{L}\p{M}])(?:cho biết|cho rằng|cho hay|nhấn mạnh|khẳng định|nói|phát biểu|"
                           r"đề nghị|yêu cầu|chia sẻ|thông tin)(?![\p{L}\p{M}])")


def _is_letter(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c).startswith("M")


def _split_list(text: str) -> list[str]:
    return [w.strip() for w in regex.split(r"\|", text or "") if w.strip()]


@dataclass
class _Rules:
    head: Any
    anchor: Any
    namesep: Any
    photo: Any
    byline: Any
    stop: Any
    appoint: Any
    appoint_far: Any
    stop_any: Any
    body: Any
    blocker_words: frozenset
    acad: Any
    acad_tail: Any
    rank: Any
    surnames: frozenset
    top_surnames: frozenset
    lower_ok: frozenset
    short_pre: Any
    not_name_end: frozenset = frozenset()
    not_stop: Any = None
    not_head_after: Any = None
    body_words: frozenset = frozenset()
    blocker_last2: frozenset = frozenset()
    not_blocker: frozenset = frozenset()
    caption: Any = None
    at_heads: Any = None
    not_official: frozenset = frozenset()


def _word_tree(words: list[str]) -> str:
    """Every word of the list as written, with each of its syllables in lower case or
    capitalized ("Phó giáo sư", "phó Giáo sư" ...), as one prefix-tree pattern."""
    from itertools import product
    forms = set()
    for w in words:
        syls = w.split(" ")
        for caps in product((False, True), repeat=len(syls)):
            forms.add(" ".join(x[:1].upper() + x[1:] if c else x for x, c in zip(syls, caps)))
    return trie_pattern(sorted(forms))


@lru_cache(maxsize=None)
def rules() -> _Rules:
    pf = patterns.load("officials")
    extra = {"head": T.head_pattern(), "rank": T.rank_pattern(),
             "hon": _word_tree(pf.data.get("hon_words") or []),
             "pre_name": _word_tree(pf.data.get("pre_name_words") or [])}

    def comp(name: str, flags: int = 0) -> Any:
        return regex.compile(patterns.expand(pf.rule(name).pattern, extra), regex.V1 | flags)

    m = pf.macros
    stop = _split_list(m.get("stop", ""))
    appoint = _split_list(m.get("appoint", ""))
    appoint_far = _split_list(m.get("appoint_far", ""))
    stop_any = _split_list(m.get("stop_any_case", ""))
    body = _split_list(m.get("body", ""))
    head_re = comp("title-before-name")
    short = regex.compile(patterns.expand(
        r"(?<![\p{L}\p{M}])(?P<pre>{hon}|{rank}|{head})\s+$", {**m, **extra}), regex.V1)
    out = _Rules(
        not_name_end=frozenset(_split_list(m.get("not_name_end", ""))),
        not_stop=regex.compile(m.get("not_stop") or "(?!)", regex.V1),
        body_words=frozenset(body),
        blocker_last2=frozenset(w.split()[-1] for w in _split_list(m.get("blocker", "")) if " " in w),
        not_head_after=regex.compile(m.get("not_head_after") or "(?!)", regex.V1),
        not_blocker=frozenset(w.lower() for w in _split_list(m.get("not_blocker", ""))),
        caption=regex.compile(r"(?:" + (m.get("caption") or "(?!)") + r")(?![\p{L}\p{M}])", regex.V1),
        at_heads=regex.compile(r"(?:" + (m.get("at_heads") or "(?!)") + r")(?![\p{L}\p{M}])", regex.V1),
        not_official=frozenset(_split_list(m.get("not_official", ""))),
        head=head_re,
        anchor=comp("name-title"),
        namesep=comp("name-sep-title"),
        photo=comp("photo-credit"),
        byline=comp("byline"),
        stop=regex.compile(r"(?:" + "|".join(sorted(map(regex.escape, stop), key=len, reverse=True))
                           + r")(?![\p{L}\p{M}])", regex.V1),
        appoint=regex.compile(r"\s+(?:(?:[\p{Ll}][\p{L}\p{M}]*)\s+){0,6}?(?:"
                              + "|".join(appoint) + r")\s+", regex.V1),
        appoint_far=regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(appoint_far) + r")\s+", regex.V1),
        stop_any=regex.compile(r"(?i:" + "|".join(map(regex.escape, stop_any)) + r")(?![\p{L}\p{M}])", regex.V1),
        body=regex.compile(r"\s*,\s*(?=(?:" + "|".join(sorted(map(regex.escape, body), key=len, reverse=True))
                           + r")\s+[\p{Lu}\p{N}])", regex.V1),
        blocker_words=frozenset(_split_list(m.get("blocker", ""))),
        acad=regex.compile(patterns.expand(r"(?:{acad})\s+", m), regex.V1),
        acad_tail=regex.compile(patterns.expand(r"(?:[\s,]*(?:(?:{acad})\s+))+$", m), regex.V1),
        rank=regex.compile(T.rank_pattern(), regex.V1),
        surnames=T.surnames(),
        top_surnames=frozenset("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()),
        lower_ok=T.lowercase_ok(),
        short_pre=short,
    )
    _lower_head_rx()  # compiled with the rules, not on the first article that needs it
    return out


# --------------------------------------------------------------------------- helpers

@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str


_NONSPACE = regex.compile(r"\S+")
_DATE_BYLINE = regex.compile(r"(?m)^\s*\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?\s*\|\s*(?P<n>[^\n|]{2,40}?)\s*$")
_PROVINCIAL_WORD = regex.compile(r"(?i)\btỉnh\b|tỉnh ủy|tỉnh uỷ|thành ủy|thành uỷ|\bTP\b|thành phố")


@lru_cache(maxsize=None)
def _anchor_first_rx() -> Any:
    """The first words an honorific, a rank or a word before a name can start with, as a
    plain-alternation ``re`` pattern (much faster than a regex pass at every position)."""
    pf = patterns.load("officials")
    words = {w.split()[0] for w in (pf.data.get("hon_words") or []) + (pf.data.get("pre_name_words") or [])}
    forms = {f for w in words for f in (w, w[:1].upper() + w[1:])} | set(T.rank_first_words())
    forms |= {w.split()[0] for w in pf.data.get("acad_first_words") or []}
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    firsts = "".join(sorted({re.escape(f[0]) for f in forms}))
    # the one-character look-ahead first: most positions fail there, before the alternation
    return re.compile(r"(?=[" + firsts + r"])(?<![^\W\d_])(?:" + alts + r")")


def _anchor_matches(cx: "_Ctx") -> list:
    """What ``R.anchor.finditer`` finds, tried only where such a first word stands."""
    return matches_at(cx.R.anchor, cx.text, (w.start() for w in _anchor_first_rx().finditer(cx.text)))


@lru_cache(maxsize=None)
def _lower_first_rx() -> Any:
    _, lower = T.head_first_words()
    return regex.compile(r"(?<![\p{L}\p{M}])" + trie_pattern(sorted(lower)) + r"(?![\p{L}\p{M}])")


@lru_cache(maxsize=None)
def _lower_head_rx() -> Any:
    return regex.compile(T.head_pattern_lower() + r"(?![\p{L}\p{M}])", regex.V1)


def _head_matches(doc: Document, R: "_Rules") -> list:
    """What ``R.head.finditer`` finds, tried only at the first words of positions."""
    upper, _ = T.head_first_words()
    found = doc.matches_at_cap_words(R.head, upper)
    text = doc.text
    lower = [m for w in _lower_first_rx().finditer(text) if (m := R.head.match(text, w.start()))]
    if not lower:
        return found
    out, end = [], 0
    for m in sorted(found + lower, key=lambda m: (m.start(), -m.end())):
        if m.start() >= end:
            out.append(m)
            end = m.end()
    return out


def _tokens(text: str, start: int, end: int, limit: int = MAX_TITLE_TOKENS + 8) -> list[_Tok]:
    """Tokens of text[start:end]; the scans never look further than a few titles ahead."""
    return [_Tok(m.start(), m.end(), m.group()) for m in islice(_TOKEN.finditer(text, start, end), limit)]


@dataclass
class _Cand:
    name: str
    start: int
    end: int
    rule: str
    honorific: Optional[str] = None
    rank: Optional[str] = None
    titles: list[tuple[int, int, str]] = field(default_factory=list)  # (view start, end, text)


@dataclass
class _Person:
    name: str
    rule: str
    first: int
    honorific: Optional[str] = None
    rank: Optional[str] = None
    titles: list[tuple[int, int, str]] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)


def _union(spans) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans covering the same positions."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class _Ctx:
    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        self.R = rules()
        ctx = doc.context or {}
        # names never start inside a province or an agency name ("UBND quận Hoàng Mai")
        self.blocked: list[tuple[int, int]] = _union(
            (int(s), int(e)) for s, e, *_ in [*(ctx.get("province_spans") or []), *(ctx.get("agency_spans") or [])])
        self.agencies: list[tuple] = list(ctx.get("agency_spans") or [])
        self.province_spans: list[tuple] = list(ctx.get("province_spans") or [])
        self._heads: Optional[list[tuple[int, int]]] = None
        self._tok_cache: dict[int, tuple[int, list[_Tok]]] = {}
        self._surname_starts: Optional[list[int]] = None
        # starts of positions that lead a comma chain before a name ("X, Y Nguyễn Văn A")
        self.chain_leading: set[int] = set()
        self._head_starts: Optional[list[int]] = None
        self.head_set: set[int] = set()  # the starts of the heads, once heads() ran

    def surname_between(self, start: int, end: int) -> bool:
        """Whether a capitalized family name starts in [start, end)."""
        if self._surname_starts is None:
            surnames = self.R.surnames
            self._surname_starts = [p for p, w in self.doc.cap_words() if w in surnames]
        i = bisect.bisect_left(self._surname_starts, start)
        return i < len(self._surname_starts) and self._surname_starts[i] < end

    def tokens(self, start: int, end: int) -> list[_Tok]:
        """``_tokens(text, start, end)``, remembered per start: the scans from a position
        word ask for the same window several times."""
        hit = self._tok_cache.get(start)
        if hit is not None and (hit[0] >= end or len(hit[1]) == MAX_TITLE_TOKENS + 8):
            return [t for t in hit[1] if t.end <= end] if hit[0] > end else hit[1]
        toks = _tokens(self.text, start, end)
        self._tok_cache[start] = (end, toks)
        return toks

    # heads ------------------------------------------------------------
    def heads(self) -> list[tuple[int, int]]:
        if self._heads is None:
            out = []
            for m in _head_matches(self.doc, self.R):
                s, e = m.span()
                if not self.head_ok(s, e) or self.R.not_head_after.match(self.text, e):
                    continue
                pm = _PREFIX.search(self.text, max(0, s - 8), s)
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
        m = _LAST_WORD_L.search(self.text, max(0, pos - 12), pos)
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
        m = _lower_head_rx().match(self.text, pos)
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

    def in_blocked(self, pos: int) -> bool:
        i = bisect.bisect_right(self.blocked, (pos, float("inf"))) - 1
        return i >= 0 and self.blocked[i][0] <= pos < self.blocked[i][1]

    def sent_end(self, pos: int) -> int:
        s, e = self.doc.sentence_of(pos)
        if e <= pos:
            nl = self.text.find("\n", pos)
            return len(self.text) if nl < 0 else nl
        return e

    # titles -----------------------------------------------------------
    def extend_title(self, hs: int, he: int, limit: int) -> int:
        """End of the position that starts with the head at hs:he (view offsets)."""
        end = he
        toks = self.tokens(he, min(limit, he + 220))
        n = 0
        depth = 0
        i = 0
        lower_from = None  # where the current run of lower-case words began
        while i < len(toks):
            t = toks[i]
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
                if (close > 0 and inner[:1].isupper() and not _DIGIT.search(inner) and depth == 0
                        and not self.R.caption.match(inner)):
                    end = close + 1
                    while i < len(toks) and toks[i].start < close + 1:
                        i += 1
                    continue
                break
            if x == "," and ((self.R.body.match(self.text, end) and not self.body_is_head(t.end))
                             or _COMMA_JOIN.match(self.text, t.end) or self.comma_fields(t.start)):
                i += 1
                continue
            if x[:1].isupper() and self.name_starts(toks, i):
                break
            if x == "và" and i + 1 < len(toks) and (toks[i + 1].text[:1].islower() or toks[i + 1].text in _HON_CAP):
                break
            if x in _HON_CAP and self.R.anchor.match(self.text, t.start):
                break  # "... Trường Đại học Y-Dược Huế và Ông Trương Quốc Hùng"
            if x in _HARD_STOP or x in {",", ")", "(", "/"}:
                break
            if x[:1].isupper() and self.R.stop_any.fullmatch(x):
                break
            if x in _DASHES:
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if (nxt is None or not nxt.text[:1].isupper() or self.R.anchor.match(self.text, nxt.start)
                        or self.R.caption.match(nxt.text)):
                    break
                i += 1
                continue
            if x[:1].islower() and self.R.stop.match(self.text, t.start) and not self.R.not_stop.match(self.text, t.start):
                if not (x == "tại" and i + 1 < len(toks) and toks[i + 1].text[:1].isupper()
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
        for s, e, *_ in self.agencies:
            if he <= s + 1 and e <= end and s < end:
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
            if _NAME_NEXT.match(self.text, te) and self.name_starts(self.tokens(te, min(limit, te + 60)), 0):
                break  # "..., Phó Chủ tịch Lương Công Tuấn": that position is the next person's
            out.append((h[0], te, self.clean(h[0], te)))
            m = _CHAIN_SEP.match(self.text, te)
            if m and self.head_at(m.end()):
                cur = m.end()
                continue
            m = self.R.appoint.match(self.text, te)
            if m and m.end() < limit and self.head_at(m.end()):
                cur = m.end()
                continue
            break
        if bare_join:
            out = _join_bare(out, self)
        return out, (out[-1][1] if out else pos)

    def name_starts(self, toks: list[_Tok], i: int) -> bool:
        """A person's name (family name + 1-3 syllables, then no capital) starts at toks[i]."""
        if i >= len(toks):
            return False
        t = toks[i]
        if t.text not in self.R.surnames or not _SYL.fullmatch(t.text) or self.in_blocked(t.start):
            return False
        if self._heads is None:
            self.heads()
        if self.blocked_before(t.start):
            return False
        j = i
        while j + 1 < len(toks) and _SYL.fullmatch(toks[j + 1].text) and self.text[toks[j].end:toks[j + 1].start] == " ":
            if toks[j + 1].start in self.head_set:
                break  # "Ủy viên Đoàn Chủ tịch ...": a position ends the name
            j += 1
        return 1 <= j - i <= 3

    def comma_fields(self, pos: int) -> bool:
        """A comma inside a body that lists its fields: "Ủy ban Quốc phòng, An ninh và Đối
        ngoại", "Bộ Văn hóa, Thể thao và Du lịch" (no name after the comma)."""
        m = _COMMA_FIELDS.match(self.text, pos)
        return bool(m) and m.group("w") not in self.R.surnames and self.head_at(m.start("w")) is None

    def is_stop(self, pos: int) -> bool:
        """A lower-case word that ends a position starts at pos, unless it is part of a
        compound that names a body ("Bộ Ngoại giao", "Ban chỉ đạo", "an toàn giao thông")."""
        return bool(self.R.stop.match(self.text, pos)) and not self.R.not_stop.match(self.text, pos)

    def blocked_before(self, pos: int) -> bool:
        """The word(s) right before pos make a capitalized run there a place or an
        institution ("đường Nguyễn Huệ", "Trưởng thôn Đồng Còng"), unless they end a
        compound such as "thành phố", "nông thôn", "Môi trường"."""
        text = self.text
        j = pos
        while j > 0 and text[j - 1] == " ":
            j -= 1
        if j == pos or j == 0 or not _is_letter(text[j - 1]):
            return False  # a name right after punctuation or at the start
        k = text.rfind(" ", max(0, j - 30), j)
        last = text[k + 1:j]
        R = self.R
        if last not in R.blocker_words and last not in R.blocker_last2:
            return False
        m = _PREV_WORDS.search(text, max(0, pos - 40), pos)
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

    def body_is_head(self, pos: int) -> bool:
        m = _WS.match(self.text, pos)
        return self.head_at(m.end()) is not None

    def clean(self, s: int, e: int) -> str:
        t = self.text[s:e]
        t = _TRAIL.sub("", t)
        return nfc(t)

    # names ------------------------------------------------------------
    def is_syl(self, tok: _Tok) -> bool:
        return bool(_SYL.fullmatch(tok.text)) and tok.text not in _CAPITAL_HONORIFICS

    def name_in_run(self, run: list[_Tok], free: bool) -> Optional[tuple[int, int]]:
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


def _join_bare(titles: list[tuple[int, int, str]], cx: _Ctx) -> list[tuple[int, int, str]]:
    """'Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ': a bare position shares the next one's body."""
    merged: list[tuple[int, int, str]] = []
    i = 0
    while i < len(titles):
        s, e, t = titles[i]
        h = cx.head_at(s)
        is_bare = h is not None and cx.clean(h[0], h[1]) == t
        if is_bare and i + 1 < len(titles) and _COMMA_ONLY.fullmatch(cx.text[e:titles[i + 1][0]]):
            ne = titles[i + 1][1]
            titles = titles[:i] + [(s, ne, cx.clean(s, ne))] + titles[i + 2:]
            continue
        merged.append((s, e, t))
        i += 1
    return merged


# --------------------------------------------------------------------------- passes

def _title_before_name(cx: _Ctx, cands: list[_Cand]) -> None:
    text = cx.text
    consumed = -1
    for hs, he in cx.heads():
        if hs < consumed:
            continue
        limit = cx.sent_end(hs)
        if not cx.surname_between(he, min(limit, he + 260)):
            continue  # a name starts with a capitalized family name: none follows here
        toks = cx.tokens(he, min(limit, he + 260))
        n = 0
        i = 0
        depth = 0
        found = None
        after_lower = False
        while i < len(toks):
            t = toks[i]
            n += 1
            if n > MAX_TITLE_TOKENS:
                break
            prev_end = toks[i - 1].end if i else he
            if "\n" in text[prev_end:t.start]:
                break
            x = t.text
            if x[:1].isupper() and cx.R.stop_any.fullmatch(x):
                break
            if x in _HON_CAP and cx.R.anchor.match(text, t.start):
                break
            if after_lower and x[:1].isupper() and cx.head_at(t.start) is not None:
                break  # "Thủ tướng hoan nghênh Bộ trưởng X": X belongs to the later position
            after_lower = x[:1].islower() and not cx.R.body.match(text, t.start)
            if cx.is_syl(t):
                j = i
                run = [t]
                while j + 1 < len(toks) and cx.is_syl(toks[j + 1]) and text[toks[j].end:toks[j + 1].start] == " ":
                    if toks[j + 1].start in cx.head_set:
                        break  # "Ủy viên Đoàn Chủ tịch": a position ends the run
                    j += 1
                    run.append(toks[j])
                if i == 0 and len(run) == 1 and (j + 1 >= len(toks) or toks[j + 1].text in {",", ".", ";", ":"}) \
                        and t.text not in cx.R.body_words and not cx.head_at(t.start):
                    break  # "tranh luận với Bộ trưởng Cường, ĐB X": a short mention of another person
                # a position inside the run ends the name candidates before it
                rng = cx.name_in_run(run, free=False)
                if rng:
                    a, b = rng
                    ns, ne = run[a].start, run[b - 1].end
                    before = toks[i + a - 1] if i + a - 1 >= 0 else None
                    if cx.blocked_before(ns):
                        break
                    if cx.head_at(ns):
                        i = j + 1
                        continue
                    found = (ns, ne, before.end if before is not None else he)
                    break
                i = j + 1
                continue
            if x in _HARD_STOP or x == "/":
                break
            if x == "(":
                depth += 1
            elif x == ")":
                depth -= 1
                if depth < 0:
                    break
            elif x == "," and depth == 0:
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if nxt is None or not (cx.head_at(nxt.start) or cx.R.body.match(text, t.start)
                                       or _COMMA_JOIN.match(text, t.end) or cx.comma_fields(t.start)):
                    break
            elif x[:1].islower() and cx.R.stop.match(text, t.start) and not cx.R.not_stop.match(text, t.start):
                if not (x == "tại" and i + 1 < len(toks) and toks[i + 1].text[:1].isupper()
                        and cx.R.at_heads.match(text, hs)):
                    break
            elif x[:1].isupper() and cx.R.stop_any.fullmatch(x):
                break
            i += 1
        if not found:
            continue
        ns, ne, tend = found
        # academic prefix between position and name: "Thứ trưởng Bộ Y tế, PGS.TS Nguyễn ..."
        title_end = tend
        mt = cx.R.acad_tail.search(text[hs:title_end])
        if mt:
            title_end = hs + mt.start()
        parts = _split_before(cx, hs, title_end)
        after_used = {t[0] for c in cands if c.rule != "title-before-name" for t in c.titles if t[0] < c.start or t[0] >= c.end}
        parts = [t for t in parts if t[0] not in after_used] or parts[-1:]
        cands.append(_Cand(nfc(text[ns:ne]), ns, ne, "title-before-name", titles=parts))
        consumed = ne


def _split_before(cx: _Ctx, hs: int, he: int) -> list[tuple[int, int, str]]:
    """A position chain before a name: split at ', <head>' unless the part is a bare head."""
    pieces = []
    start = hs
    for m in _COMMA.finditer(cx.text[hs:he]):
        ps = hs + m.end()
        if cx.head_at(ps):
            pieces.append((start, hs + m.start()))
            start = ps
    pieces.append((start, he))
    out = [(s, e, cx.clean(s, e)) for s, e in pieces]
    out = _join_bare(out, cx) if len(out) > 1 else out
    cx.chain_leading.update(t[0] for t in out[:-1])
    return out


def _anchored(cx: _Ctx, cands: list[_Cand]) -> list[tuple[int, int, str, Optional[str]]]:
    """Honorific/rank + name. Returns the short (one-syllable) anchors for later."""
    text = cx.text
    shorts = []
    for m in _anchor_matches(cx):
        hon_raw = m.group("hon")
        ns, ne = m.span("name")
        # cut the name at a position word written without a separator
        words = list(_NONSPACE.finditer(text[ns:ne]))
        for w in words[1:]:
            if cx.head_at(ns + w.start()):
                ne = ns + w.start() - 1
                break
        name = text[ns:ne].strip()
        ne = ns + len(name)
        syls = name.split()
        hl = hon_raw.lower()
        honorific = {"ông": "ông", "bà": "bà", "đồng chí": "đồng chí", "đ/c": "đồng chí", "các ông": "ông",
                     "các bà": "bà", "các đồng chí": "đồng chí"}.get(hl)
        rank = hon_raw if cx.R.rank.fullmatch(hon_raw) else None
        if len(syls) < 2:
            shorts.append((ns, ne, name, honorific))
            continue
        if cx.in_blocked(ns):
            continue
        limit = cx.sent_end(ns)
        cand = _Cand(nfc(name), ns, ne, "name-title", honorific=honorific, rank=rank)
        # positions after: ", Phó Giám đốc ..." / " - Phó Giám đốc" / " (Phó ...)"
        sm = _AFTER_NAME.match(text, ne)
        if sm:
            if _SEP_MARK.search(sm.group()):
                cx.lower_head_at(sm.end())
            chain, _ = cx.titles_chain(sm.end(), limit)
            cand.titles.extend(chain)
        # positions before: "Phó Chủ tịch UBND tỉnh, ông X" / "... đối với ông X"
        pm = _BEFORE_HON.search(text, max(0, m.start() - 12), m.start())
        if pm and not pm.group().strip() and (honorific is None or cx.verb_before(pm.start())):
            pm = None  # "Hội Nhà báo Việt Nam", "Hiệu trưởng Trường X và ông Y": no position of theirs
        if pm:
            t_end = pm.start()
            near = cx.heads_before(t_end, 200) if pm.group().strip() else cx.heads_before(t_end, 90)[:2]
            for hs, he in near:
                te = cx.extend_title(hs, he, t_end + 1)
                if te == t_end:
                    cand.titles.insert(0, (hs, te, cx.clean(hs, te)))
                    if cand.rule == "name-title" and not cand.titles[1:]:
                        cand.rule = "title-honorific-name"
                    break
        # "... ông X cũng có thời gian được điều động làm Chánh văn phòng ..."
        after = cand.titles[-1][1] if cand.titles else ne
        am = cx.R.appoint.match(text, after)
        if am and am.end() < limit and cx.head_at(am.end()):
            chain, _ = cx.titles_chain(am.end(), limit)
            cand.titles.extend(chain)
        cands.append(cand)
    return shorts


def _trim_credit(raw: str, after: str) -> str:
    """'HẢI NGUYỄN Tới 2020 - 2021' -> 'HẢI NGUYỄN'; 'VH Sẽ thực hiện' -> 'VH'."""
    words = raw.split()
    out: list[str] = []
    for w in words[:5]:
        if any(ch.isdigit() for ch in w) or w in _DASHES:
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


@lru_cache(maxsize=None)
def _surnames_lower(surnames: frozenset) -> frozenset:
    return frozenset(w.lower() for w in surnames)


def _name_sep(cx: _Ctx, cands: list[_Cand]) -> None:
    """'Nguyễn Xuân Sơn - Phó Bí thư ...', 'Trần Tổ Nghị, Quyền Cục trưởng ...' (no honorific)."""
    text = cx.text
    # the name starts with a family name: only capitalized family names need a try
    for m in cx.doc.matches_at_cap_words(cx.R.namesep, _surnames_lower(cx.R.surnames)):
        ns, ne = m.span("name")
        first = text[ns:ne].split(" ", 1)[0]
        if first.lower() in ("ông", "bà", "anh", "chị", "các") or first not in cx.R.surnames or cx.in_blocked(ns):
            continue
        pm = _LAST_WORD.search(text[max(0, ns - 30):ns])
        if pm and (cx.blocked_before(ns) or cx.R.anchor.match(text, ns - len(pm.group(0)))):
            continue
        chain, end = cx.titles_chain(m.end(), cx.sent_end(ns))
        if chain and len(chain) == 1 and "," in m.group("sep") and _BARE_THEN_LOWER.match(text, end):
            h = cx.head_at(chain[0][0])
            if h is not None and h[1] == chain[0][1]:
                continue  # "... và Bộ trưởng Tô Lâm, Thủ tướng hoan nghênh ...": a new clause
        if chain:
            cands.append(_Cand(nfc(text[ns:ne]), ns, ne, "name-sep-title", titles=chain))


def _authors(cx: _Ctx) -> list[tuple[int, int, str, str]]:
    text = cx.text
    out = []
    for m in cx.R.photo.finditer(text):
        name = _trim_credit(m.group("name"), text[m.end("name"):m.end("name") + 1])
        if name:
            s = m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip()))
            out.append((s, s + len(name), name, "photo"))
    # byline under the headline: "27/09/2021 | Phương Chi"
    for m in _DATE_BYLINE.finditer(text):
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


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int, Any, Any]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e, *_ in spans)


def _resolve(cx: _Ctx, cands: list[_Cand], shorts, authors) -> list[_Person]:
    text = cx.text
    people: dict[str, _Person] = {}
    order: list[str] = []
    for c in sorted(cands, key=lambda c: c.start):
        if _overlaps((c.start, c.end), authors):
            continue
        k = key(c.name)
        p = people.get(k)
        if p is None:
            if not c.titles and not c.rank:
                continue
            p = people[k] = _Person(c.name, c.rule, c.start)
            order.append(k)
        if c.honorific and not p.honorific:
            p.honorific = c.honorific
        if c.rank and not p.rank:
            p.rank = c.rank
        p.titles.extend(c.titles)
        p.mentions.append((c.start, c.end))
    # candidates without a position that are a known person (second pass: order independent)
    for c in cands:
        k = key(c.name)
        if k in people and (c.start, c.end) not in people[k].mentions:
            p = people[k]
            p.mentions.append((c.start, c.end))
            p.titles.extend(c.titles)
            if c.honorific and not p.honorific:
                p.honorific = c.honorific
    if not people:
        return []
    plist = [people[k] for k in order]
    lower = text.lower()
    if len(lower) != len(text):  # pragma: no cover - no such characters in Vietnamese
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    # repeated full names anywhere
    for p in plist:
        needle = p.name.lower()
        i = lower.find(needle)
        while i >= 0:
            j = i + len(needle)
            ok = (i == 0 or not _is_letter(text[i - 1])) and (j >= len(text) or not _is_letter(text[j])) \
                and not _CAP_NEXT.match(text, j)
            if ok and (i, j) not in p.mentions and not _overlaps((i, j), authors):
                p.mentions.append((i, j))
            i = lower.find(needle, j)
    # short mentions: "ông Bảy", "Thứ trưởng Tuyên"
    by_given: dict[str, list[_Person]] = {}
    for p in plist:
        by_given.setdefault(p.name.split()[-1].lower(), []).append(p)
    for g, ps in by_given.items():
        gi = lower.find(g)
        while gi >= 0:
            ge = gi + len(g)
            nxt = gi
            gi = lower.find(g, ge)
            if (nxt and _is_letter(text[nxt - 1])) or (ge < len(text) and _is_letter(text[ge])) \
                    or not text[nxt].isupper() or _CAP_NEXT.match(text, ge):
                continue
            pm = cx.R.short_pre.search(text, max(0, nxt - 40), nxt)
            if not pm:
                continue
            _short_mention(cx, ps, nxt, ge, pm)
    _far_appointments(cx, plist)
    # "ý kiến của Phó Thủ tướng Chính phủ, Phó Chủ tịch UBND tỉnh Ngô Tân Phượng yêu cầu": a
    # leading position of a chain that another person of the article holds is theirs
    for p in plist:
        others = {key(t) for q in plist if q is not p for _, _, t in q.titles}
        p.titles = [t for t in p.titles if not (t[0] in cx.chain_leading and key(t[2]) in others)]
    return plist


@lru_cache(maxsize=4)
def _comma_anchor(anchor: str) -> Any:
    return regex.compile(r"\s*,\s*(?:" + anchor + ")", regex.V1)


def _short_mention(cx: _Ctx, ps: list[_Person], pos: int, end: int, pm: Any) -> None:
    text = cx.text
    before = [p for p in ps if min(s for s, _ in p.mentions) < pos]
    p = max(before, key=lambda p: max(s for s, _ in p.mentions if s < pos)) if before else ps[0]
    span = (pos, end)
    if any(s <= span[0] < e for s, e in p.mentions):
        return
    p.mentions.append(span)
    pre = pm.group("pre")
    ps_, pe_ = pm.span("pre")
    if cx.head_at(ps_):
        p.titles.append((ps_, pe_, nfc(pre)))
    elif pre.lower() in ("ông", "bà", "đồng chí") and not p.honorific:
        p.honorific = pre.lower()
    # positions right before: "... đối với ông Hà" / ", ông Hà"
    if pre.lower() in ("ông", "bà", "đồng chí", "đ/c"):
        bm = _BEFORE_HON.search(text, max(0, ps_ - 12), ps_)
        if bm and not bm.group().strip() and cx.verb_before(bm.start()):
            bm = None
        if bm:
            t_end = bm.start()
            near = cx.heads_before(t_end, 200) if bm.group().strip() else cx.heads_before(t_end, 90)[:2]
            for hs, he in near:
                if cx.extend_title(hs, he, t_end + 1) == t_end:
                    p.titles.append((hs, t_end, cx.clean(hs, t_end)))
                    break


def _far_appointments(cx: _Ctx, plist: list[_Person]) -> None:
    """'ông X - ..., được điều động ..., giữ chức Phó Bí thư Tỉnh ủy Quảng Ninh'."""
    text = cx.text
    for p in plist:
        for s, e in list(p.mentions):
            limit = cx.sent_end(s)
            pos = max([e] + [te for ts, te, _ in p.titles if s <= ts < limit])
            for m in cx.R.appoint_far.finditer(text, pos, min(limit, pos + 250)):
                hs = m.end()
                if cx.head_at(hs) is None:
                    continue
                # another person or a reported clause in between: the position is not theirs
                if cx.R.anchor.search(text, pos, m.start()) or _REPORTING.search(text, pos, m.start()):
                    break
                chain, end = cx.titles_chain(hs, limit)
                if _comma_anchor(cx.R.anchor.pattern).match(text, end):
                    break
                p.titles.extend(t for t in chain if t not in p.titles)
                break


def _province_of(cx: _Ctx, s: int, e: int) -> tuple[Optional[str], Optional[str]]:
    agency = prov = None
    for a in cx.agencies:
        try:
            as_, ae = int(a[0]), int(a[1])
        except (TypeError, ValueError, IndexError):
            continue
        if as_ < e and s < ae:
            agency = a[2] if len(a) > 2 else None
            prov = a[3] if len(a) > 3 else None
            break
    if prov is None:
        for ps in cx.province_spans:
            if s <= int(ps[0]) and int(ps[1]) <= e + 1:
                prov = ps[2] if len(ps) > 2 else None
                break
    if prov is None and _PROVINCIAL_WORD.search(cx.text, s, e):
        mp = (cx.doc.context or {}).get("main_province")
        if mp is not None:
            prov = getattr(mp, "code", None) or (mp.get("code") if isinstance(mp, dict) else None)
    return agency, prov


def _use_ner() -> bool:
    # off by default: underthesea runs at ~20k chars/s and adds no name on the gold corpus
    return os.environ.get("VNRE_OFFICIALS_NER", "0") not in ("0", "false", "no", "")


def _ner_cands(cx: _Ctx, cands: list[_Cand]) -> list[_Cand]:
    """Statistical names on sentences with a position word that no rule resolved."""
    try:
        from . import ner
    except Exception:  # pragma: no cover - optional dependency
        return []
    covered = [(c.start, c.end) for c in cands]
    heads = cx.heads()
    if not heads:
        return []
    out = []
    seen_sent = set()
    for hs, he in heads:
        s, e = cx.doc.sentence_of(hs)
        if e <= s or (s, e) in seen_sent:
            continue
        seen_sent.add((s, e))
        if any(s <= a < e for a, _ in covered):
            continue
        # only where a capitalized word touches a position the rules left alone
        te = cx.extend_title(hs, he, e)
        if not (_CAP_AFTER.match(cx.text, te) or _CAP_BEFORE.search(cx.text, max(s, hs - 40), hs)):
            continue
        for ns, ne in ner.persons(cx.text, s, e):
            name = nfc(cx.text[ns:ne])
            if len(name.split()) < 2 or len(name.split()) > 5:
                continue
            if not all(_SYL.fullmatch(w) for w in name.split()):
                continue
            c = _Cand(name, ns, ne, "ner")
            limit = e
            # position after the name
            sm = _AFTER_NAME.match(cx.text, ne)
            if sm and cx.head_at(sm.end()):
                chain, _ = cx.titles_chain(sm.end(), limit)
                c.titles.extend(chain)
            # position right before the name
            for h2s, h2e in reversed(heads):
                if h2s >= ns or h2s < s:
                    continue
                te = cx.extend_title(h2s, h2e, ns)
                gap = cx.text[te:ns]
                if _GAP.fullmatch(gap) and te > h2s:
                    c.titles.insert(0, (h2s, te, cx.clean(h2s, te)))
                break
            if c.titles:
                out.append(c)
    return out


def extract(doc: Document, use_ner: Optional[bool] = None) -> tuple[list[Official], list[Author]]:
    cx = _Ctx(doc)
    authors = _authors(cx)
    cands: list[_Cand] = []
    shorts = _anchored(cx, cands)
    _name_sep(cx, cands)
    _title_before_name(cx, cands)
    if use_ner if use_ner is not None else _use_ner():
        cands.extend(_ner_cands(cx, cands))
    people = _resolve(cx, cands, shorts, authors)
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
        if not names or p.name in cx.R.not_official:
            continue
        first = titles_sorted[0] if titles_sorted else None
        agency, prov = _province_of(cx, first[0], first[1]) if first else (None, None)
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
