"""The rule data of patterns/officials.yaml and gazetteers/titles.csv, compiled once
per process: word lists (stop words, appointment verbs, body words, blockers), the
anchor patterns (honorific or rank + name), the position heads."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from .. import patterns, titles as T
from ..trie import compile_anchored, trie_pattern
from .shapes import is_letter


def split_list(text: str) -> list[str]:
    return [w.strip() for w in regex.split(r"\|", text or "") if w.strip()]


@dataclass
class Rules:
    head: Any
    anchor: Any
    namesep: Any
    namesep_foreign: Any
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
    rank_tail: Any
    rank: Any
    surnames: frozenset
    top_surnames: frozenset
    lower_ok: frozenset
    not_name_end: frozenset = frozenset()
    not_stop: Any = None
    not_head_after: Any = None
    body_words: frozenset = frozenset()
    blocker_last2: frozenset = frozenset()
    not_blocker: frozenset = frozenset()
    caption: Any = None
    at_heads: Any = None
    not_official: frozenset = frozenset()
    comma_inside_phrase: Any = None
    former_or_acting: Any = None
    former_or_acting_start: Any = None
    reporting: Any = None
    countries: dict = None  # first word -> country names as word tuples, longest first
    single_name_heads: frozenset = frozenset()
    private_company: Any = None
    complete_heads: frozenset = frozenset()
    shared_heads: Any = None
    list_quantifier: Any = None
    name_particles: frozenset = frozenset()
    foreign_org_words: frozenset = frozenset()

    @property
    def short_pre(self) -> Any:
        return short_pre_rx()


def word_tree(words: list[str]) -> str:
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
def rules() -> Rules:
    pf = patterns.load("officials")
    extra = {"head": T.head_pattern(), "rank": T.rank_pattern(),
             "hon": word_tree(pf.data.get("hon_words") or []),
             "pre_name": word_tree(pf.data.get("pre_name_words") or [])}

    def comp(name: str, flags: int = 0) -> Any:
        return regex.compile(patterns.expand(pf.rule(name).pattern, extra), regex.V1 | flags)

    def comp_anchored(name: str) -> Any:
        # the patterns run by ``matches_at`` (and by match/search at chosen places), compiled
        # once in the anchored form it needs: same matches, no second compilation
        return compile_anchored(patterns.expand(pf.rule(name).pattern, extra), regex.V1)

    m = pf.macros
    stop = split_list(m.get("stop", ""))
    appoint = split_list(m.get("appoint", ""))
    appoint_far = split_list(m.get("appoint_far", ""))
    stop_any = split_list(m.get("stop_any_case", ""))
    body = split_list(m.get("body", ""))
    head_re = comp_anchored("title-before-name")
    out = Rules(
        not_name_end=frozenset(split_list(m.get("not_name_end", ""))),
        not_stop=regex.compile(m.get("not_stop") or "(?!)", regex.V1),
        body_words=frozenset(body),
        blocker_last2=frozenset(w.split()[-1] for w in split_list(m.get("blocker", "")) if " " in w),
        # matched right after every head: "|\b\B" (never matches) stops the regex module
        # scanning the rest of the text for the pattern's literal before each attempt
        not_head_after=regex.compile("(?:" + (m.get("not_head_after") or "(?!)") + r"|\b\B)", regex.V1),
        not_blocker=frozenset(w.lower() for w in split_list(m.get("not_blocker", ""))),
        caption=regex.compile(r"(?:" + (m.get("caption") or "(?!)") + r")(?![\p{L}\p{M}])", regex.V1),
        at_heads=regex.compile(r"(?:(?:" + m["former_or_acting"] + r")\s+)?(?:" + (m.get("at_heads") or "(?!)")
                               + r")(?![\p{L}\p{M}])", regex.V1),
        not_official=frozenset(split_list(m.get("not_official", ""))),
        comma_inside_phrase=regex.compile(r"\s*(?:" + m["comma_inside_phrase"] + r")(?![\p{L}\p{M}])", regex.V1),
        former_or_acting=regex.compile(r"(?<![\p{L}\p{M}])(?:" + m["former_or_acting"] + r")\s+$", regex.V1),
        countries=countries_by_first_word(),
        private_company=regex.compile(r"(?<![\p{L}\p{M}])(?:" + m["private_company"] + r")(?![\p{L}\p{M}])", regex.V1),
        list_quantifier=regex.compile(r"(?<![\p{L}\p{M}\p{N}])(?:" + m["list_quantifier"] + r")\s+$", regex.V1),
        shared_heads=regex.compile(r"(?:(?:" + m["former_or_acting"] + r")\s+)?(?:" + m["shared_heads"] + r")(?![\p{L}\p{M}])", regex.V1),
        complete_heads=frozenset(split_list(m.get("complete_heads", ""))),
        single_name_heads=frozenset(split_list(m.get("single_name_heads", ""))),
        name_particles=frozenset(split_list(m["particle"])),
        foreign_org_words=frozenset(split_list(m.get("foreign_org_words", ""))),
        former_or_acting_start=regex.compile(r"(?:" + m["former_or_acting"] + r")\s+", regex.V1),
        reporting=regex.compile(r"(?<![\p{L}\p{M}])(?:" + m["reporting"] + r")(?![\p{L}\p{M}])", regex.V1),
        head=head_re,
        anchor=comp_anchored("name-title"),
        namesep=comp_anchored("name-sep-title"),
        namesep_foreign=comp_anchored("foreign-name-sep-title"),
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
        blocker_words=frozenset(split_list(m.get("blocker", ""))),
        acad=regex.compile(patterns.expand(r"(?:{acad})\s+", m), regex.V1),
        rank_tail=regex.compile(r"(?:\s*[-–—,]?\s*(?:" + T.rank_pattern() + r"))+\s*$", regex.V1),
        acad_tail=regex.compile(patterns.expand(r"(?:[\s,]*(?:(?:{acad})\s+))+$", m), regex.V1),
        rank=regex.compile(T.rank_pattern(), regex.V1),
        surnames=T.surnames(),
        top_surnames=frozenset("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()),
        lower_ok=T.lowercase_ok(),
    )
    return out


@lru_cache(maxsize=None)
def short_pre_rx() -> Any:
    """An honorific, a rank or a position right before a short mention ("ông Bảy",
    "Thứ trưởng Tuyên"); compiled when an article first has one."""
    pf = patterns.load("officials")
    extra = {"head": T.head_pattern(), "rank": T.rank_pattern(), "hon": word_tree(pf.data.get("hon_words") or [])}
    return regex.compile(patterns.expand(
        r"(?<![\p{L}\p{M}])(?P<pre>{hon}|{rank}|{head})\s+$", {**pf.macros, **extra}), regex.V1)


@lru_cache(maxsize=None)
def foreign_word_rx() -> Any:
    """A word of a foreign name (the macro ``foreign_word``)."""
    return regex.compile(patterns.load("officials").macros["foreign_word"], regex.V1)


@lru_cache(maxsize=None)
def countries_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    """Country names of gazetteers/countries.csv (CLDR Vietnamese names and news forms),
    by their first word: a country written in a position ("Thủ tướng Thái Lan") ends the
    position, and the capitalized words after it are the person's name."""
    import csv
    out: dict[str, list[tuple[str, ...]]] = {}
    with (patterns.data_dir("gazetteers") / "countries.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            words = tuple(row["name"].split())
            if words and words[0][:1].isupper():
                out.setdefault(words[0], []).append(words)
    for v in out.values():
        v.sort(key=len, reverse=True)
    return out


@lru_cache(maxsize=None)
def countries_by_last_word() -> dict[str, tuple[str, ...]]:
    """The country names of ``countries_by_first_word``, written out, by their last word."""
    out: dict[str, list[str]] = {}
    for names in countries_by_first_word().values():
        for words in names:
            out.setdefault(words[-1], []).append(" ".join(words))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def anchor_first_words_rx() -> Any:
    """The first words an honorific, a rank or a word before a name can start with, as a
    plain ``re`` pattern (much faster than a regex pass at every position), factored as a
    trie (the flat alternation tried each of its words at every candidate position)."""
    pf = patterns.load("officials")
    words = {w.split()[0] for w in (pf.data.get("hon_words") or []) + (pf.data.get("pre_name_words") or [])}
    forms = {f for w in words for f in (w, w[:1].upper() + w[1:])} | set(T.rank_first_words())
    forms |= {w.split()[0] for w in pf.data.get("acad_first_words") or []}
    firsts = "".join(sorted({re.escape(f[0]) for f in forms}))
    # the one-character look-ahead first: most positions fail there, before the alternation
    return re.compile(r"(?=[" + firsts + r"])(?<![^\W\d_])" + trie_pattern(sorted(forms)))


@lru_cache(maxsize=None)
def lower_head_first_words_rx() -> Any:
    _, lower = T.head_first_words()
    return regex.compile(r"(?<![\p{L}\p{M}])" + trie_pattern(sorted(lower)) + r"(?![\p{L}\p{M}])")


@lru_cache(maxsize=None)
def _lower_head_first_words_plain() -> Any:
    """The same words as a plain ``re`` alternation (several times faster over a whole
    text), when they are letters only and none starts another: then a hit inside a longer
    hit is after a letter, and the word borders can be checked on the few hits."""
    _, lower = T.head_first_words()
    if not lower or not all(w.isalpha() for w in lower) or any(
            a != b and b.startswith(a) for a in lower for b in lower):
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(lower)))


def lower_head_first_word_starts(text: str) -> list[int]:
    """Where a lower-case first word of a position stands as a whole word."""
    rx = _lower_head_first_words_plain()
    if rx is None:
        return [m.start() for m in lower_head_first_words_rx().finditer(text)]
    n = len(text)
    return [m.start() for m in rx.finditer(text)
            if (m.start() == 0 or not is_letter(text[m.start() - 1])) and (m.end() >= n or not is_letter(text[m.end()]))]


@lru_cache(maxsize=None)
def lower_head_rx() -> Any:
    return regex.compile(T.head_pattern_lower() + r"(?![\p{L}\p{M}])", regex.V1)
