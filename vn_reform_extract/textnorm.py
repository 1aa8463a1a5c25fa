"""Keys for comparing Vietnamese names: NFC, lower case, one tone placement, no diacritics."""
from __future__ import annotations

import unicodedata

import regex

# old-style tone placement (hoà, thuỷ) -> the placement of official documents (hòa, thủy)
_TONE_FIX = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_RE = regex.compile("|".join(_TONE_FIX), regex.IGNORECASE)
_TONE_OLD = {v: k for k, v in _TONE_FIX.items()}
_TONE_OLD_RE = regex.compile("|".join(_TONE_OLD), regex.IGNORECASE)
_SPACE = regex.compile(r"\s+")
_ODD_SPACE = regex.compile(r"\s\s|[^\S ]")


def nfc(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if _ODD_SPACE.search(text):
        text = _SPACE.sub(" ", text)
    return text.strip()


def _retone(rx: regex.Pattern, table: dict[str, str], text: str) -> str:
    def repl(m: regex.Match) -> str:
        s = m.group()
        return "".join(o.upper() if c.isupper() else o for c, o in zip(s, table[s.lower()]))
    return rx.sub(repl, text)


def fix_tone(text: str) -> str:
    """Move tone marks to the placement of official documents, keeping case."""
    return _retone(_TONE_RE, _TONE_FIX, text)


def old_tone(text: str) -> str:
    """The other placement ("Hòa" -> "Hoà"), for generating aliases."""
    return _retone(_TONE_OLD_RE, _TONE_OLD, text)


def strip_diacritics(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if unicodedata.category(c) != "Mn"))


def key(text: str) -> str:
    """Comparison key: NFC, official tone placement, lower case, single spaces."""
    return fix_tone(nfc(text)).lower()


def loose_key(text: str) -> str:
    """Key without diacritics or punctuation, for alias matching of unaccented text."""
    return _SPACE.sub(" ", regex.sub(r"[^\w\s]", " ", strip_diacritics(key(text)))).strip()
