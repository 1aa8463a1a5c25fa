"""Province mentions: gazetteer aliases, minus the contexts where an alias is something else."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Optional

import regex

from . import patterns
from .document import Document, first_words
from .gazetteer import Province, provinces, surnames
from .textnorm import strip_diacritics
from .schema import ProvinceMention
from .trie import compile_anchored, trie_pattern

_LOOKBEHIND = 40


@lru_cache(maxsize=None)
def _matcher() -> tuple[regex.Pattern, dict[str, Province]]:
    by_alias: dict[str, Province] = {}
    for p in provinces().values():
        for a in p.aliases:
            by_alias.setdefault(a, p)
    # the end: no letter, no ".word" of a product name ("HCM.Egov"), and a digit only when it
    # numbers the next item of a table glued by scraping ("1. Đà Nẵng2. Quảng Ninh")
    return compile_anchored(r"(?<![\p{L}\p{N}_.@/])" + trie_pattern(by_alias)
                            + r"(?![\p{L}_]|\.\p{L}|\p{N}++(?![.)] ))"), by_alias


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


# a provincial portal or paper named by its address or source tag: "nghean.gov.vn",
# "(Nguồn: bacgiang.gov)", "baobinhduong.vn", "(Baonghean)", "bacninhtv"; each form is
# found from a literal ("bao", ".gov", "tv") so that the scan stays cheap
_PAPER = (re.compile(r"bao([a-z]{4,})(?:\.(?:com\.|org\.)?vn)?(?![\w-])"),
          re.compile(r"Bao([a-z]{4,})(?:\.(?:com\.|org\.)?vn)?(?![\w-])"))
_SITE_END = (re.compile(r"\.gov(?:\.vn)?(?![\w-])"), re.compile(r"tv(?![\w-])"))
_SITE_NAME = re.compile(r"(?:(?<=www\.)|(?<![\w.@-]))[a-z]{4,}$")


@lru_cache(maxsize=None)
def _slugs() -> dict[str, Province]:
    """Provinces by the glued ASCII form of their names in web addresses ("nghean",
    "thuathienhue", "bariavungtau"); a form two provinces share is left out."""
    table: dict[str, Optional[Province]] = {}
    for p in provinces().values():
        for a in p.aliases:
            if "." in a or regex.match(r"(?i:tp|thành phố|thủ đô)\b", a):
                continue
            slug = regex.sub(r"[^a-z]", "", strip_diacritics(a).lower())
            if len(slug) >= 4:
                table[slug] = p if table.get(slug, p) is p else None
    return {k: v for k, v in table.items() if v is not None}


def _web_tags(text: str) -> list[tuple[int, int, Province, str]]:
    slugs = _slugs()
    out = []
    for rx in _PAPER:
        for m in rx.finditer(text):
            if m.group(1) in slugs and (m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_.@-")):
                out.append((m.start(), m.end(), slugs[m.group(1)], m.group()))
    for rx in _SITE_END:
        for m in rx.finditer(text):
            n = _SITE_NAME.search(text, max(0, m.start() - 40), m.start())
            if n and n.group() in slugs:
                out.append((n.start(), m.end(), slugs[n.group()], text[n.start():m.end()]))
    return out


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
            if r.regex.search(after) if r.pattern.startswith("^") else r.backward.search(before):
                rule = r.name
                break
        if rule is None and _person_before().search(before):
            rule = "person-name-before"
        if rule is None:
            out.append((s, e, by_alias[m.group()], m.group()))
    tags = [t for t in _web_tags(text) if all(t[1] <= s or t[0] >= e for s, e, _, _ in out)]
    return sorted(out + tags, key=lambda t: t[0]) if tags else out


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
