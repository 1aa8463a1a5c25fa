"""Currency names, symbols and ISO 4217 codes (``gazetteers/currencies.csv``, built from
``gazetteers/sources/currencies.csv`` by ``gazetteers/build.py``).

Each row is one surface form of a currency: a Vietnamese or English word ("đồng",
"nhân dân tệ", "đô la"), a symbol ("$", "€", "VN$") or a code ("USD"), or a subunit
("xu", "xen", "cent", factor 0.01). ``not_followed_by`` lists words after which the surface
is no currency in running text ("đô thị", "tệ nạn", "yên tâm").
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .patterns import data_dir


@dataclass(frozen=True)
class Currency:
    code: str        # ISO 4217
    surface: str
    kind: str        # word | code | symbol | subunit
    factor: float    # 0.01 for a subunit
    not_followed_by: str


@lru_cache(maxsize=1)
def table() -> tuple[Currency, ...]:
    """All rows, longest surface first."""
    path = data_dir("gazetteers") / "currencies.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [Currency(r["code"], r["surface"], r["kind"], float(r["factor"] or 1), r["not_followed_by"])
                for r in csv.DictReader(f)]
    return tuple(sorted(rows, key=lambda c: -len(c.surface)))


@lru_cache(maxsize=1)
def by_surface() -> dict[str, Currency]:
    """Lower-cased surface -> row (the first, longest-listed, wins)."""
    out: dict[str, Currency] = {}
    for c in table():
        out.setdefault(c.surface.lower(), c)
    return out


def lookup(surface: str) -> Optional[Currency]:
    return by_surface().get(" ".join(surface.split()).lower())


def code_of(surface: str, default: Optional[str] = None) -> Optional[str]:
    """The ISO 4217 code of a currency word, symbol or code ("tệ" -> "CNY")."""
    c = lookup(surface)
    return c.code if c else default


def _alt(c: Currency, *, text: bool) -> str:
    esc = regex.escape(c.surface).replace(r"\ ", r"\s+").replace(" ", r"\s+")
    if c.kind == "word":
        esc = f"(?i:{esc})"
    if c.surface[-1].isalpha():
        esc += r"(?![\p{L}\p{M}])"
    if text and c.not_followed_by:
        esc += r"(?!\s+(?i:" + c.not_followed_by + r")(?![\p{L}\p{M}]))"
    return esc


@lru_cache(maxsize=None)
def pattern(kinds: tuple[str, ...] = ("word", "code", "symbol"), text: bool = True) -> str:
    """A regex alternation of the surfaces of ``kinds``, longest first; with ``text`` the
    exclusions for running text apply ("5 đô thị" is no money)."""
    rows = [c for c in table() if c.kind in kinds]
    alts = [_alt(c, text=text) for c in rows]
    # the first characters of the surfaces, checked before the alternatives are tried one
    # by one (most places after a number start no currency)
    words = "".join(sorted({c.surface[0] for c in rows if c.kind == "word"}))
    others = "".join(sorted({c.surface[0] for c in rows if c.kind != "word"}))
    firsts = "|".join(([f"(?i:[{regex.escape(words)}])"] if words else []) +
                      ([f"[{regex.escape(others)}]"] if others else []))
    return ("(?=" + firsts + ")" if firsts else "") + "(?:" + "|".join(alts) + ")"


def text_macro() -> str:
    """The ``{currency}`` macro of the pattern files: a currency after a number in running text."""
    return pattern(("word", "code", "symbol"), True)
