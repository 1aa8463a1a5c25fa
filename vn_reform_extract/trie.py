"""Fast scanning with big patterns: alternations of many literal strings factored as a
trie, and matching tried only at the positions where a match can start.

A flat ``a|b|c...`` of a thousand aliases makes the regex engine try each branch at every
position; the trie form shares prefixes, so a position is rejected after one or two characters.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from functools import lru_cache

import regex


def trie_pattern(words: Iterable[str], tokens: Optional[Callable[[str], list[str]]] = None,
                 joiner: str = "", rest_ignore_case: bool = False) -> str:
    """A non-capturing pattern matching the given strings, preferring the longest.

    With ``tokens`` the strings are split into tokens that are matched literally and
    joined by the ``joiner`` pattern (e.g. flexible separators between words);
    without it every character is a token. ``rest_ignore_case`` matches the first token as
    written and the rest in any case ("Ủy ban Nhân dân"), much faster than ignoring case
    everywhere."""
    split = tokens or list
    trie: dict = {}
    for w in words:
        parts = split(w)
        if not parts:
            continue
        node = trie
        for part in parts:
            node = node.setdefault(part, {})
        node[""] = {}
    return _emit(trie, joiner, first=True, rest_ignore_case=rest_ignore_case)


_NEVER = r"|\b\B)"


def anchored_pattern(pattern: str) -> str:
    """``pattern`` without the regex module's required-string search, which scans the rest of
    the text before every ``match`` (quadratic when a pattern is tried at many positions):
    the added alternative ``\\b\\B`` never matches, so the matches are the same."""
    return pattern if pattern.endswith(_NEVER) else "(?:" + pattern + _NEVER


def compile_anchored(pattern: str, flags: int = 0) -> Any:
    """A pattern meant only for ``matches_at``, compiled once in its anchored form."""
    return regex.compile(anchored_pattern(pattern), flags)


@lru_cache(maxsize=None)
def anchored(rx: Any) -> Any:
    """``rx`` in its anchored form (see ``anchored_pattern``); already anchored ones as they are."""
    return rx if rx.pattern.endswith(_NEVER) else regex.compile(anchored_pattern(rx.pattern), rx.flags)


def matches_at(rx: Any, text: str, positions: Iterable[int]) -> list[Any]:
    """What ``rx.finditer(text)`` finds, for a pattern that can only start at one of the
    (sorted) ``positions``: a few hundred tries instead of one at every character."""
    rx = anchored(rx)
    out, end = [], 0
    for p in positions:
        if p < end:
            continue
        m = rx.match(text, p)
        if m:
            out.append(m)
            end = max(m.end(), p + 1)
    return out


@lru_cache(maxsize=None)
def starts_at_digit(pattern: str) -> bool:
    """Whether a pattern can only start at a digit: after its leading lookarounds and
    opening groups, the first thing it matches is ``\\d`` (or a group of years "19|20")."""
    i = 0
    while True:
        if pattern.startswith("(?:", i) or pattern.startswith("(?P<", i):
            i = pattern.index(">", i) + 1 if pattern.startswith("(?P<", i) else i + 3
            continue
        if pattern.startswith("(?=\\d)", i):
            return True
        if pattern.startswith("(?<", i):  # a lookbehind: skip the balanced group
            depth, j = 0, i
            while j < len(pattern):
                c = pattern[j]
                if c == "\\":
                    j += 2
                    continue
                depth += c == "("
                depth -= c == ")"
                j += 1
                if depth == 0:
                    break
            i = j
            if pattern.startswith(")", i):  # the end of an opening "(?:" that held it
                i += 1
            continue
        return pattern.startswith("\\d", i) or pattern.startswith("19|20", i)


def _emit(node: dict, joiner: str, first: bool = False, rest_ignore_case: bool = False) -> str:
    def rest(child: dict) -> str:
        inner = _emit(child, joiner)
        return f"(?i:{inner})" if rest_ignore_case and inner else inner
    branches = [("" if first else joiner) + regex.escape(tok) + rest(child)
                for tok, child in sorted(node.items()) if tok != ""]
    if not branches:
        return ""
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if "" in node else body
