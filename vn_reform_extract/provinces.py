"""Province mentions: gazetteer aliases, minus the contexts where an alias is something else."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Optional

import regex

from . import patterns
from .document import Document, first_words
from .gazetteer import Province, provinces, surnames
from .schema import ProvinceMention
from .trie import trie_pattern

_LOOKBEHIND = 40


@lru_cache(maxsize=None)
def _matcher() -> tuple[regex.Pattern, dict[str, Province]]:
    by_alias: dict[str, Province] = {}
    for p in provinces().values():
        for a in p.aliases:
            by_alias.setdefault(a, p)
    return regex.compile(r"(?<![\p{L}\p{N}_.@/])" + trie_pattern(by_alias) + r"(?![\p{L}\p{N}_])"), by_alias


@lru_cache(maxsize=None)
def _capitalized_first_words() -> frozenset:
    return first_words(_matcher()[1])


@lru_cache(maxsize=None)
def _lower_prefixes() -> tuple[str, ...]:
    """The lower-case openings of aliases such as "thành phố Hà Nội" ("thành phố ")."""
    out = set()
    for alias in _matcher()[1]:
        m = regex.search(r"\p{Lu}", alias)
        if alias[:1].islower() and m:
            out.add(alias[:m.start()])
    return tuple(sorted(out, key=len, reverse=True))


_PORTAL = regex.compile(r"(?<![\p{L}\p{N}_.@/])[a-z]+\.gov\.vn(?![\p{L}\p{N}_])")


def _alias_matches(doc: Document) -> list:
    """Alias matches: at capitalized words, plus the lower-case portal addresses
    ("nghean.gov.vn"); "thành phố Hà Nội" in lower case is found as "Hà Nội"."""
    rx, by_alias = _matcher()
    found = doc.matches_at_cap_words(rx, _capitalized_first_words())
    for i, m in enumerate(found):
        # aliases that start in lower case: "thành phố Hà Nội"
        for prefix in _lower_prefixes():
            s = m.start() - len(prefix)
            if s >= 0 and doc.text.startswith(prefix, s):
                longer = rx.match(doc.text, s)
                if longer and longer.end() >= m.end():
                    found[i] = longer
                break
    if ".gov.vn" in doc.text:
        found += [m for m in _PORTAL.finditer(doc.text) if m.group() in by_alias]
        found.sort(key=lambda m: m.start())
    return found


@lru_cache(maxsize=None)
def _alias_rx(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


@lru_cache(maxsize=None)
def _person_before() -> regex.Pattern:
    """A family name, then up to two capitalized syllables, right before an alias:
    "Nguyễn Gia Thái Bình" is a person (the family names are gazetteers/surnames.txt)."""
    return regex.compile(r"(?<![\p{L}\p{M}])" + trie_pattern(sorted(surnames()))
                         + r"(?: \p{Lu}[\p{Ll}\p{M}]+){0,2} $")


def find(doc: Document) -> list[tuple[int, int, Province, str]]:
    """(view_start, view_end, province, alias) for every accepted mention."""
    rx, by_alias = _matcher()
    blocks = patterns.load("provinces").rules
    out = []
    text = doc.text
    for m in _alias_matches(doc):
        s, e = m.span()
        before = text[max(0, s - _LOOKBEHIND):s]
        after = text[s:e + 20]
        rule = None
        for r in blocks:
            if "alias" in r.extra and not _alias_rx(r.extra["alias"]).search(m.group()):
                continue
            target = after if r.pattern.startswith("^") else before
            if r.regex.search(target):
                rule = r.name
                break
        if rule is None and _person_before().search(before):
            rule = "person-name-before"
        if rule is None:
            out.append((s, e, by_alias[m.group()], m.group()))
    return out


def main_province(found: list[tuple[int, int, Province, str]]) -> Optional[Province]:
    """The province an article is about: the most mentioned one, the first on a tie."""
    if not found:
        return None
    counts = Counter(p.code for _, _, p, _ in found)
    best = max(counts.values())
    for _, _, p, _ in found:
        if counts[p.code] == best:
            return p
    return None


def extract(doc: Document) -> list[ProvinceMention]:
    found = find(doc)
    doc.context["province_spans"] = [(s, e, p.code) for s, e, p, _ in found]
    doc.context["province_counts"] = Counter(p.code for _, _, p, _ in found)
    doc.context["main_province"] = main_province(found)
    return [ProvinceMention(**doc.mention(s, e), rule=f"gazetteer:{alias}", **p.record())
            for s, e, p, alias in found]
