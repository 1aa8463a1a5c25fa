"""The positions gazetteer (gazetteers/titles.csv) and the family names (gazetteers/surnames.txt)."""
from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from functools import lru_cache

import regex

from .gazetteer import surnames  # noqa: F401  (the family names, re-exported)
from .patterns import data_dir
from .textnorm import fix_tone, old_tone


@dataclass(frozen=True)
class TitleEntry:
    title: str
    kind: str      # position | rank | role
    level: str
    notes: str = ""


@lru_cache(maxsize=None)
def entries() -> tuple[TitleEntry, ...]:
    path = data_dir("gazetteers") / "titles.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [TitleEntry(r["title"].strip(), (r.get("kind") or "position").strip(),
                           (r.get("level") or "").strip(), (r.get("notes") or "").strip())
                for r in csv.DictReader(fh) if r.get("title", "").strip()]
    return tuple(rows)


def _case_variants(t: str, lower_first: bool) -> set[str]:
    """'Phó Trưởng phòng' -> every upper/lower choice for the initials after the first word."""
    words = t.split()
    choices = []
    for i, w in enumerate(words):
        if w.isupper() or not w[:1].isalpha():
            choices.append((w,))
        elif i == 0:
            choices.append((w[0].upper() + w[1:], w[0].lower() + w[1:]) if lower_first else (w[0].upper() + w[1:],))
        else:
            choices.append((w[0].upper() + w[1:], w[0].lower() + w[1:]))
    return {" ".join(c) for c in itertools.product(*choices)}


def _trie_regex(words: set[str]) -> str:
    """A regex alternation factored by common prefixes (much faster than a flat list);
    longer continuations are tried before the shorter word ends."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else regex.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            # a shorter title ends here; a longer one must end at a word boundary too
            return "(?:" + body + r"(?![\p{L}\p{M}])" + ")?"
        return body

    return emit(trie)


def _alternation(titles: list[str], lower_first: frozenset = frozenset()) -> str:
    return _trie_regex(_forms(titles, lower_first))


def _forms(titles: list[str], lower_first: frozenset = frozenset()) -> set[str]:
    forms: set[str] = set()
    for t in titles:
        for f in (t, fix_tone(t), old_tone(t)):
            forms |= _case_variants(f, f.lower() in lower_first)
    return forms


def _head_titles() -> list[str]:
    return [e.title for e in entries() if e.kind != "rank"]


@lru_cache(maxsize=None)
def head_pattern() -> str:
    """Every position (not ranks), longest first, in the case variants news text uses
    (upper-case initial; later words either case). Case-sensitive: fast on long texts."""
    return _alternation(_head_titles(), lowercase_ok())


@lru_cache(maxsize=None)
def head_pattern_lower() -> str:
    """Every position with its first word in lower case ("phó giám đốc", "chủ tịch HĐQT"),
    for the few places where news text writes it so after a name."""
    heads = _head_titles()
    return _trie_regex(_forms(heads, frozenset(t.lower() for t in heads)) - _forms(heads, lowercase_ok()))


@lru_cache(maxsize=None)
def head_first_words() -> tuple[frozenset, frozenset]:
    """First words of the head forms: those starting with a capital (lower-cased, as
    ``Document.matches_at_cap_words`` takes them) and those written in lower case."""
    forms = _forms(_head_titles(), lowercase_ok())
    firsts = {f.split()[0] for f in forms}
    return (frozenset(w.lower() for w in firsts if w[:1].isupper()),
            frozenset(w for w in firsts if not w[:1].isupper()))


@lru_cache(maxsize=None)
def rank_first_words() -> frozenset[str]:
    """First words of the rank forms that ``rank_pattern`` matches, in every case written."""
    ranks = [e.title for e in entries() if e.kind == "rank"]
    return frozenset(f.split()[0] for f in _forms(ranks, frozenset(r.lower() for r in ranks)))


@lru_cache(maxsize=None)
def rank_pattern() -> str:
    """Military and police ranks, case as written ("Thiếu tướng", "thiếu tướng")."""
    ranks = [e.title for e in entries() if e.kind == "rank"]
    return _alternation(ranks, frozenset(r.lower() for r in ranks))


@lru_cache(maxsize=None)
def lowercase_ok() -> frozenset[str]:
    """Positions that count even when written in lower case ("người phát ngôn", "công chức")."""
    return frozenset(e.title.lower() for e in entries() if e.kind == "role" or e.level == "commune")


