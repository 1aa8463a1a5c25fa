"""Reading numbers as Vietnamese news writes them.

- digits: "1.159" -> 1159 (dot groups of three are thousands), "87,87" -> 87.87,
  "50.3" -> 50.3 (a dot not followed by exactly three digits is a decimal point),
  "1.200.000" -> 1200000, "1,234,567" -> 1234567, "03" -> 3;
- multipliers: "1,2 triệu" -> 1200000, "300 nghìn", "9.300 tỷ";
- number words: "mười tám" -> 18, "hai mươi ba" -> 23, "hai mươi mốt" -> 21,
  "mười lăm" -> 15, "ba trăm linh năm" -> 305;
- approximations ("hơn", "gần", "khoảng", "trên", "dưới" ...) are read past and
  returned as a qualifier by :func:`read_quantity`;
- ranges "12-15" / "từ 5 đến 10" by :func:`parse_range`.

``parse_number`` and ``parse_money`` are public (SCHEMA "Helpers").
"""
from __future__ import annotations

import unicodedata
from typing import Optional

import regex

# -- digits ----------------------------------------------------------------------------
_DIGITS = regex.compile(
    r"(?P<n>\d{1,3}(?:\.\d{3})+(?:,\d+)?"      # 1.200.000 / 1.159 / 1.314,5
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"          # 1,234,567 (English grouping)
    r"|\d+(?:[.,]\d+)?)"                         # 87,87 / 50.3 / 03
)
_VN_GROUPED = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EN_GROUPED = regex.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?")
_KTR = regex.compile(r"(?i)(?:k|tr)\b")

UNITS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
MULTIPLIERS = {
    "nghìn": 1e3, "ngàn": 1e3, "ngìn": 1e3, "k": 1e3, "vạn": 1e4, "triệu": 1e6, "tr": 1e6,
    "tỷ": 1e9, "tỉ": 1e9, "nghìn tỷ": 1e12, "nghìn tỉ": 1e12, "ngàn tỷ": 1e12, "ngàn tỉ": 1e12,
    "triệu tỷ": 1e15,
}
QUALIFIERS = (
    "khoảng trên", "khoảng hơn", "khoảng gần", "hơn", "gần", "khoảng", "trên", "dưới",
    "chưa đến", "chưa tới", "xấp xỉ", "ước", "ước tính", "tối thiểu", "tối đa", "ít nhất",
    "không quá", "không vượt quá", "gần như", "hàng", "chừng", "độ",
)
_QUAL_RE = regex.compile(
    r"^(?P<q>" + "|".join(sorted(map(regex.escape, QUALIFIERS), key=len, reverse=True)) + r")\s+",
    regex.IGNORECASE,
)
_MULT_RE = regex.compile(
    r"\s*(?P<m>" + "|".join(sorted(map(regex.escape, MULTIPLIERS), key=len, reverse=True)) + r")\b",
    regex.IGNORECASE,
)
_WORD = regex.compile(r"[\p{L}\p{M}]+")

CURRENCIES = {
    "đồng": "VND", "đ": "VND", "vnd": "VND", "vnđ": "VND", "₫": "VND",
    "usd": "USD", "đô la mỹ": "USD", "đô la": "USD", "đô-la": "USD", "đôla": "USD", "đô": "USD", "$": "USD",
    "euro": "EUR", "eur": "EUR", "€": "EUR", "yên": "JPY", "yên nhật": "JPY", "jpy": "JPY",
    "nhân dân tệ": "CNY", "tệ": "CNY", "cny": "CNY", "won": "KRW", "bảng anh": "GBP", "gbp": "GBP",
    "baht": "THB", "bạt": "THB", "thb": "THB",
}
_CUR_RE = regex.compile(
    r"\s*(?P<c>" + "|".join(sorted(map(regex.escape, CURRENCIES), key=len, reverse=True)) + r")(?![\p{L}\p{M}])",
    regex.IGNORECASE,
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()


def parse_digits(s: str) -> Optional[float]:
    """A digit token as written ("1.159", "87,87", "50.3", "03") -> float."""
    s = s.strip()
    m = _DIGITS.fullmatch(s)
    if not m:
        return None
    if _VN_GROUPED.fullmatch(s):
        return float(s.replace(".", "").replace(",", "."))
    if _EN_GROUPED.fullmatch(s):
        return float(s.replace(",", ""))
    return float(s.replace(",", "."))


def parse_words(words: list[str]) -> Optional[float]:
    """Vietnamese number words ("hai mươi ba", "mười lăm", "ba trăm linh năm") -> float."""
    if not words:
        return None
    total = 0.0      # finished groups (millions, thousands)
    group = 0.0      # hundreds within the current group
    cur = None       # pending unit digit
    tens_seen = False
    for i, w in enumerate(words):
        w = w.lower()
        if w == "mười":
            if tens_seen:
                return None
            group += 10
            tens_seen = True
            cur = None
        elif w == "mươi":
            if cur is None or tens_seen:
                return None
            group += cur * 10
            cur = None
            tens_seen = True
        elif w == "trăm":
            if cur is None:
                return None
            group += cur * 100
            cur = None
            tens_seen = False
        elif w in ("linh", "lẻ"):
            continue
        elif w in ("nghìn", "ngàn", "triệu", "tỷ", "tỉ"):
            if cur is not None:
                group += cur
                cur = None
            if group == 0:
                group = 1 if i == 0 else 0
                if group == 0:
                    return None
            total += group * MULTIPLIERS[w]
            group = 0
            tens_seen = False
        elif w in UNITS:
            v = UNITS[w]
            if w == "mốt" and not tens_seen:
                return None
            if w in ("lăm", "nhăm") and not tens_seen:
                return None
            if cur is not None:
                return None
            if tens_seen and w == "một" and i > 0 and words[i - 1].lower() != "mười":
                pass  # "hai mươi một" is also written
            cur = v
            if tens_seen:
                group += cur
                cur = None
        else:
            return None
    if cur is not None:
        group += cur
    return total + group


def _strip_qualifier(s: str) -> tuple[str, Optional[str]]:
    m = _QUAL_RE.match(s)
    if m:
        return s[m.end():], m.group("q").lower()
    return s, None


def read_quantity(text: str) -> Optional[tuple[float, Optional[str], str]]:
    """(value, qualifier, rest) for the number at the start of ``text``; None without one.

    The number may be digits with an optional multiplier ("1,2 triệu") or number words.
    ``rest`` is what follows the number (and multiplier)."""
    s = _nfc(text)
    s, qual = _strip_qualifier(s)
    m = _DIGITS.match(s)
    if m:
        value = parse_digits(m.group())
        rest = s[m.end():]
        # a sign or stray letters glued to the digits ("3a", "F1") is no number
        if rest[:1].isalpha() and not _MULT_RE.match(rest):
            if not _KTR.match(rest):
                return None
        mm = _MULT_RE.match(rest)
        while mm:
            value *= MULTIPLIERS[mm.group("m").lower()]
            rest = rest[mm.end():]
            mm = _MULT_RE.match(rest)
        return value, qual, rest
    words: list[str] = []
    ends: list[int] = []
    pos = 0
    for wm in _WORD.finditer(s):
        if s[pos:wm.start()].strip():
            break
        w = wm.group().lower()
        if w in UNITS or w in ("mười", "mươi", "trăm", "linh", "lẻ", "nghìn", "ngàn", "triệu", "tỷ", "tỉ"):
            words.append(wm.group())
            ends.append(wm.end())
            pos = wm.end()
        else:
            break
    while words:
        v = parse_words(words)
        if v is not None:
            return v, qual, s[ends[-1]:]
        words.pop()
        ends.pop()
    return None


def parse_number(text: str) -> Optional[float]:
    """The value of a number phrase: "1.159" -> 1159.0, "87,87" -> 87.87, "1,2 triệu" -> 1200000.0,
    "mười tám" -> 18.0, "hai mươi ba" -> 23.0, "hơn 600" -> 600.0, "12%" -> 12.0;
    None when the text is no number (or more than a number plus a unit sign)."""
    if not isinstance(text, str):
        return None
    q = read_quantity(text)
    if q is None:
        return None
    value, _qual, rest = q
    rest = rest.strip()
    if rest and rest not in ("%", "điểm") and not rest.startswith("%"):
        return None
    return value


def parse_money(text: str) -> Optional[tuple[float, str]]:
    """An amount of money: "9.300 tỷ đồng" -> (9.3e12, "VND"), "31,8 triệu USD" -> (31800000.0, "USD"),
    "10 đô la" -> (10.0, "USD"), "$5" -> (5.0, "USD"); None without a currency."""
    if not isinstance(text, str):
        return None
    s = _nfc(text)
    pre = regex.match(r"(?P<c>\$|€|₫|US\$)\s*", s)
    if pre:
        q = read_quantity(s[pre.end():])
        if q is None:
            return None
        sym = pre.group("c")
        return q[0], {"$": "USD", "US$": "USD", "€": "EUR", "₫": "VND"}[sym]
    q = read_quantity(s)
    if q is None:
        return None
    value, _qual, rest = q
    cm = _CUR_RE.match(rest)
    if not cm:
        return None
    return value, CURRENCIES[cm.group("c").lower()]


def parse_range(text: str) -> Optional[tuple[float, float]]:
    """Both bounds of "12-15", "12 - 15%", "từ 5 đến 10", "5 – 10 triệu"."""
    s = _nfc(text)
    m = regex.match(r"(?i)^(?:từ\s+)?(?P<a>.+?)\s*(?:-|–|—|đến|tới|~)\s*(?P<b>.+)$", s)
    if not m:
        return None
    b = read_quantity(m.group("b"))
    if b is None:
        return None
    a = read_quantity(m.group("a"))
    if a is None:
        return None
    lo, hi = a[0], b[0]
    # "5 - 10 triệu": the multiplier of the upper bound applies to the lower one
    if not _MULT_RE.search(m.group("a")) and _MULT_RE.search(m.group("b")):
        mm = _MULT_RE.search(m.group("b"))
        lo *= MULTIPLIERS[mm.group("m").lower()]
    return lo, hi
