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
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Optional

import regex

# -- digits ----------------------------------------------------------------------------
_DIGITS = regex.compile(
    r"(?P<n>\d{1,3}(?:\.\d{3})+(?:,\d+)?"      # 1.200.000 / 1.159 / 1.314,5
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"          # 1,234,567 (English grouping)
    r"|\d+(?:[.,]\d+)?"                         # 87,87 / 50.3 / 03
    r"|[.,]\d+)"                                # ,77 (a leading decimal mark)
)
_VN_GROUPED = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EN_GROUPED = regex.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?")
_KTR = regex.compile(r"(?i)(?:k|tr)\b")
# a sign: "-1.200.000", "- 1.200.000", "âm 1,2 triệu"
_SIGN = regex.compile(r"(?:[-−]\s*|(?i:âm)\s+)(?=[\d.,\p{L}])")
# metric suffixes glued to digits: "3M", "1,2M", "-1200K", ",0012G" (lower-case k is common too)
_SUFFIX = regex.compile(r"(?P<s>[kKMBG])(?![\p{L}\p{M}\d])")
SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9}

UNITS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
MULTIPLIERS = {
    "nghìn": 1e3, "ngàn": 1e3, "ngìn": 1e3, "k": 1e3, "vạn": 1e4, "triệu": 1e6, "tr": 1e6,
    "tỷ": 1e9, "tỉ": 1e9, "nghìn tỷ": 1e12, "nghìn tỉ": 1e12, "ngàn tỷ": 1e12, "ngàn tỉ": 1e12,
    "triệu tỷ": 1e15,
}
_NUMBER_WORDS = set(UNITS) | {"mười", "mươi", "chục", "trăm", "linh", "lẻ", "rưỡi",
                              "nghìn", "ngàn", "vạn", "triệu", "tỷ", "tỉ"}
QUALIFIERS = (
    "khoảng trên", "khoảng hơn", "khoảng gần", "hơn", "gần", "khoảng", "trên", "dưới",
    "chưa đến", "chưa tới", "xấp xỉ", "ước", "ước tính", "tối thiểu", "tối đa", "ít nhất",
    "không quá", "không vượt quá", "gần như", "hàng", "chừng", "độ", "vài", "mấy",
)
_QUAL_RE = regex.compile(
    r"^(?P<q>" + "|".join(sorted(map(regex.escape, QUALIFIERS), key=len, reverse=True)) + r")\s+",
    regex.IGNORECASE,
)
_MULT_RE = regex.compile(
    r"\s*(?P<m>" + "|".join(sorted(map(regex.escape, MULTIPLIERS), key=len, reverse=True)) + r")\b",
    regex.IGNORECASE,
)
# "566 tỷ 384 triệu", "126 tỷ 090 triệu", "2 triệu 500 nghìn": a smaller amount after a multiplier
_COMPOUND = regex.compile(
    r"\s+(?P<n>\d{1,3})\s*(?P<m>nghìn|ngàn|triệu|tỷ|tỉ)(?![\p{L}\p{M}])", regex.IGNORECASE)
# "hai phẩy 23", "1 chấm 1", "một chấm ba": a decimal point as a word
_POINT = regex.compile(r"\s+(?i:phẩy|chấm)\s+")
_WORD = regex.compile(r"[\p{L}\p{M}]+")


class _Currencies(Mapping):
    """Lower-cased currency word, symbol or code -> ISO 4217 code (gazetteers/currencies.csv),
    read on first use."""

    def _data(self) -> dict[str, str]:
        from .currencies import by_surface
        return {k: c.code for k, c in by_surface().items() if c.kind != "subunit"}

    def __getitem__(self, key: str) -> str:
        return _currency_codes()[key]

    def __iter__(self):
        return iter(_currency_codes())

    def __len__(self) -> int:
        return len(_currency_codes())


@lru_cache(maxsize=1)
def _currency_codes() -> dict[str, str]:
    return _Currencies._data(None)  # type: ignore[arg-type]


CURRENCIES: Mapping = _Currencies()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()


def parse_digits(s: str) -> Optional[float]:
    """A digit token as written ("1.159", "87,87", "50.3", "03", ",77") -> float."""
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
    """Vietnamese number words ("hai mươi ba", "mười lăm", "ba trăm linh năm", "hai chục",
    "trăm", "hai triệu rưỡi") -> float."""
    if not words:
        return None
    total = 0.0      # finished groups (millions, thousands)
    group = 0.0      # hundreds within the current group
    cur = None       # pending unit digit
    tens_seen = False
    last_mult = 0.0  # the last multiplier read, for "rưỡi" (a half of it)
    for i, w in enumerate(words):
        w = w.lower()
        if w == "mười":
            if tens_seen:
                return None
            group += 10
            tens_seen = True
            cur = None
        elif w in ("mươi", "chục"):
            if tens_seen:
                return None
            if cur is None:
                if w == "mươi" or group:
                    return None
                cur = 1      # "chục" alone: ten
            group += cur * 10
            cur = None
            tens_seen = True
            last_mult = 10.0
        elif w == "trăm":
            if cur is None:
                if group or i and words[i - 1].lower() not in MULTIPLIERS:
                    return None
                cur = 1      # "trăm" alone: a hundred
            group += cur * 100
            cur = None
            tens_seen = False
            last_mult = 100.0
        elif w in ("linh", "lẻ"):
            continue
        elif w == "rưỡi":
            if cur is not None or not last_mult:
                return None
            if last_mult >= 1000:
                total += last_mult / 2
            else:
                group += last_mult / 2
            last_mult = 0.0
        elif w in ("nghìn", "ngàn", "vạn", "triệu", "tỷ", "tỉ"):
            if cur is not None:
                group += cur
                cur = None
            if group == 0:
                group = 1 if i == 0 else 0
                if group == 0:
                    # "nghìn tỷ": the multipliers multiply
                    if total and words[i - 1].lower() in MULTIPLIERS:
                        total *= MULTIPLIERS[w]
                        last_mult *= MULTIPLIERS[w]
                        continue
                    return None
            total += group * MULTIPLIERS[w]
            last_mult = MULTIPLIERS[w]
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


def _read_words(s: str) -> Optional[tuple[float, int]]:
    """(value, end) of the number words at the start of ``s``."""
    words: list[str] = []
    ends: list[int] = []
    pos = 0
    for wm in _WORD.finditer(s):
        if s[pos:wm.start()].strip():
            break
        w = wm.group().lower()
        if w in _NUMBER_WORDS:
            words.append(wm.group())
            ends.append(wm.end())
            pos = wm.end()
        else:
            break
    while words:
        v = parse_words(words)
        if v is not None:
            return v, ends[-1]
        words.pop()
        ends.pop()
    return None


def _fraction(s: str) -> Optional[tuple[float, int]]:
    """The part after a decimal word: "23" -> 0.23, "ba" -> 0.3, "hai mươi ba" -> 0.23."""
    m = regex.match(r"\d+", s)
    if m:
        return float("0." + m.group()), m.end()
    w = _read_words(s)
    if w is None or w[0] != int(w[0]):
        return None
    return float("0." + str(int(w[0]))), w[1]


def read_quantity(text: str) -> Optional[tuple[float, Optional[str], str]]:
    """(value, qualifier, rest) for the number at the start of ``text``; None without one.

    The number may be digits with a sign, a metric suffix ("3M", "100K") or multipliers
    ("1,2 triệu", "566 tỷ 384 triệu"), or number words ("hai chục", "hai phẩy 23").
    ``rest`` is what follows the number (and multiplier)."""
    s = _nfc(text)
    s, qual = _strip_qualifier(s)
    sign = 1.0
    sm = _SIGN.match(s)
    if sm:
        sign, s = -1.0, s[sm.end():]
    m = _DIGITS.match(s)
    if m:
        value = parse_digits(m.group())
        rest = s[m.end():]
        sx = _SUFFIX.match(rest)
        if sx:
            value *= SUFFIXES[sx.group("s")]
            rest = rest[sx.end():]
        # a sign or stray letters glued to the digits ("3a", "F1") is no number
        elif rest[:1].isalpha() and not _MULT_RE.match(rest):
            if not _KTR.match(rest):
                return None
        if "," not in m.group() and "." not in m.group():
            value, rest, _ = _with_fraction(value, rest)
        value, rest, last = _with_multipliers(value, rest)
        cm = _COMPOUND.match(rest) if last else None
        while cm:
            f = MULTIPLIERS[cm.group("m").lower()]
            if f >= last:
                break
            value += float(cm.group("n")) * f
            last = f
            rest = rest[cm.end():]
            cm = _COMPOUND.match(rest)
        return sign * value, qual, rest
    w = _read_words(s)
    if w is None:
        return None
    value, end = w
    value, rest, point = _with_fraction(value, s[end:])
    if point:  # "hai phẩy 5 triệu"
        value, rest, _ = _with_multipliers(value, rest)
    return sign * value, qual, rest


def _with_fraction(value: float, rest: str) -> tuple[float, str, bool]:
    """The decimal part written after a point word ("2 phẩy 5", "hai phẩy 23") added to
    ``value``; whether there was one."""
    pm = _POINT.match(rest)
    if pm:
        fr = _fraction(rest[pm.end():])
        if fr:
            return value + fr[0], rest[pm.end() + fr[1]:], True
    return value, rest, False


def _with_multipliers(value: float, rest: str) -> tuple[float, str, Optional[float]]:
    """``value`` times the multiplier words that follow it ("1,2 triệu", "3 nghìn tỷ") and
    their product (None without one)."""
    last = None
    mm = _MULT_RE.match(rest)
    while mm:
        f = MULTIPLIERS[mm.group("m").lower()]
        value *= f
        last = f if last is None else last * f
        rest = rest[mm.end():]
        mm = _MULT_RE.match(rest)
    return value, rest, last


def parse_number(text: str) -> Optional[float]:
    """The value of a number phrase: "1.159" -> 1159.0, "87,87" -> 87.87, "1,2 triệu" -> 1200000.0,
    "mười tám" -> 18.0, "hai mươi ba" -> 23.0, "hơn 600" -> 600.0, "12%" -> 12.0,
    "-1.200.000" / "âm 1,2 triệu" -> negative, "3M" -> 3000000.0, ",77" -> 0.77,
    "hai chục" -> 20.0, "vài trăm" -> 100.0 (an approximation);
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


# -- money ------------------------------------------------------------------------------
# words before an amount that bound or approximate it ("ít nhất $1,42", "không quá 7.000 đồng")
_MONEY_LEAD = regex.compile(
    r"^(?:(?:giữa|từ|khoảng|chừng|tầm|xấp xỉ|ước|ít nhất|tối thiểu|tối đa|nhiều hơn|ít hơn|kém hơn"
    r"|cao hơn|thấp hơn|lớn hơn|nhỏ hơn|không tới|không đến|không cao hơn|không hơn|không quá"
    r"|không vượt quá|không ít hơn|không dưới|không thấp hơn|chưa tới|chưa đến|hơn|trên|dưới|gần"
    r"|đúng|vào khoảng|lên tới|lên đến|tới|đến)\s+)+", regex.IGNORECASE)
_MONEY_TRAIL = regex.compile(r"\s*(?:trở\s+(?:xuống|lên)|[.;,!?])\s*$", regex.IGNORECASE)
# what may follow an amount: nothing, or a rate ("đồng/người/tháng", "USD/thùng")
_RATE = regex.compile(r"\s*(?:/\s*[\p{L}\p{M}\d²³]+(?:\s+[\p{L}\p{M}]+)?\s*)*")
_RANGE_SEP = regex.compile(r"\s+(?:và|đến|tới|cho\s+đến)\s+|\s*[-–~]\s*(?=\S)", regex.IGNORECASE)


@lru_cache(maxsize=1)
def _money_rx() -> tuple[Any, Any, Any]:
    from . import currencies
    before = regex.compile(r"(?P<c>" + currencies.pattern(("code", "symbol"), False) + r")\s*(?=[-−]?[\d.,])")
    after = regex.compile(r"\s*(?P<c>" + currencies.pattern(("word", "code", "symbol", "subunit"), False) + r")")
    sub = regex.compile(r"\s*(?P<c>" + currencies.pattern(("subunit",), False) + r")")
    return before, after, sub


def _amount(s: str) -> Optional[tuple[float, str, str]]:
    """(value, ISO code, rest) of an amount of money at the start of ``s``."""
    from .currencies import lookup
    before, after, sub = _money_rx()
    pre = before.match(s)
    q = read_quantity(s[pre.end():] if pre else s)
    if q is None and not pre:
        # a currency glued to the digits: "20Rs", "500.000đ"
        q = read_quantity(regex.sub(r"(?<=\d)(?=\p{L})", " ", s, count=1))
    if q is None:
        return None
    value, _qual, rest = q
    if pre:
        code = lookup(pre.group("c")).code
        am = after.match(rest)
        if am and lookup(am.group("c")).code == code:
            rest = rest[am.end():]   # "USD 5 USD"
    else:
        am = after.match(rest)
        if not am:
            return None
        cur = lookup(am.group("c"))
        rest = rest[am.end():]
        code = cur.code
        if cur.kind == "subunit":
            return value * cur.factor, code, rest
    # "2 đô 23", "2 đô la và 23 xen", "20 Rupees 43": the subunit after the unit
    tm = regex.match(r"\s*(?:(?i:và)\s+)?", rest)
    t = read_quantity(rest[tm.end():]) if rest.strip() else None
    if t is not None and 0 <= t[0] < 100 and t[0] == int(t[0]) and t[1] is None:
        trest = t[2]
        sm = sub.match(trest)
        if sm:
            trest = trest[sm.end():]
        if sm or not trest.strip():
            value += t[0] / 100
            rest = trest
    return value, code, rest


def parse_money(text: str) -> Optional[tuple[float, str]]:
    """An amount of money with its ISO 4217 code: "9.300 tỷ đồng" -> (9.3e12, "VND"),
    "31,8 triệu USD" -> (31800000.0, "USD"), "10 đô la" / "$10" / "10$" -> (10.0, "USD"),
    "3.000 tệ" -> (3000.0, "CNY"), "EUR 20" -> (20.0, "EUR"), "2 đô 23" -> (2.23, "USD"),
    "mười xen" -> (0.1, "USD"); a range or bound ("từ 1000 đến 2000 đồng", "dưới 7.000 đồng")
    gives its first amount. None without a currency."""
    if not isinstance(text, str):
        return None
    s = _nfc(text)
    s = _MONEY_TRAIL.sub("", s)
    lead = _MONEY_LEAD.match(s)
    if lead:
        s = s[lead.end():]
    if not s:
        return None
    r = _amount(s)
    if r is not None and _RATE.fullmatch(r[2]):
        return r[0], r[1]
    # a range: "1000-2000 đồng", "giữa 1000 đồng và 2000 đồng", "VND1000-VND2000"
    for sep in _RANGE_SEP.finditer(s):
        left, right = s[:sep.start()], s[sep.end():]
        rb = _amount(right)
        if rb is None or rb[2].strip():
            continue
        ra = _amount(left)
        if ra is not None and not ra[2].strip():
            return ra[0], ra[1]
        qa = read_quantity(left)
        if qa is not None and not qa[2].strip():
            lo = qa[0]
            # "5 - 10 triệu đồng": the multiplier of the upper bound applies to the lower one
            mr = _MULT_RE.search(right)
            if mr and not _MULT_RE.search(left) and lo * MULTIPLIERS[mr.group("m").lower()] <= rb[0]:
                lo *= MULTIPLIERS[mr.group("m").lower()]
            return lo, rb[1]
    return None


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
