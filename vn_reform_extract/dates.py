"""Dates, months, quarters, years, intervals and relative phrases (SCHEMA.md DateMention),
and the article's own publication date from its header.

The rules live in ``patterns/dates.yaml`` and ``patterns/published.yaml``; this module reads
their named groups (see the ``kind`` table at the top of ``dates.yaml``), checks day and
month ranges, infers missing years, joins "từ A đến B" into one interval and resolves
relative phrases against ``doc.published``.

After ``extract`` runs, ``doc.context["date_spans"]`` holds ``(view_start, view_end, value)``
for every reported mention, for the extractors that run later (facts, legal references).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Optional, Union

import regex

from . import patterns
from .document import Document
from .trie import matches_at, starts_at_digit
from .schema import DateMention
from .spans import Taken

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4}
_MONTH_WORDS = {"một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
                "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12}
_WEEKDAYS = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "4": 2, "năm": 3, "5": 3, "sáu": 4, "6": 4,
             "bảy": 5, "7": 5, "nhật": 6}
_CUT = regex.compile(r"[.;:()\n\[\]]")
_LEFT = 50  # characters left of a match looked at for its prefix words
_JOIN_RULE = "date-join"  # the `join` section of dates.yaml


# ---------------------------------------------------------------------------- points


@dataclass(frozen=True)
class _Point:
    gran: str                  # day | month | quarter | half | year
    y: Optional[int]
    m: Optional[int] = None
    d: Optional[int] = None
    q: Optional[int] = None    # quarter or half number
    explicit: bool = True      # the year is written
    inferred: bool = False     # the year came from published / a nearby date

    def key(self) -> tuple[int, int, int]:
        """A sortable start of the point (year unknown sorts as 0)."""
        y = self.y or 0
        if self.gran == "day":
            return (y, self.m or 1, self.d or 1)
        if self.gran == "month":
            return (y, self.m or 1, 1)
        if self.gran == "quarter":
            return (y, 3 * (self.q or 1) - 2, 1)
        if self.gran == "half":
            return (y, 6 * (self.q or 1) - 5, 1)
        return (y, 1, 1)

    def value(self) -> str:
        ys = f"{self.y:04d}" if self.y else "XXXX"
        if self.gran == "day":
            return f"{ys}-{self.m:02d}-{self.d:02d}"
        if self.gran == "month":
            return f"{ys}-{self.m:02d}"
        if self.gran == "quarter":
            return f"{ys}-Q{self.q}"
        if self.gran == "half":
            return f"{ys}-H{self.q}"
        return ys


@dataclass
class _Cand:
    start: int
    end: int
    rule: str
    a: Optional[_Point] = None        # a point, or the first end of an interval
    b: Optional[_Point] = None        # the second end of an interval
    fixed: Optional[str] = None       # a value already resolved (relative phrases)
    fixed_gran: str = "day"
    group: int = -1                   # mentions of one match (day lists) share a group

    @property
    def is_interval(self) -> bool:
        return self.b is not None or self.fixed_gran == "interval"


# ---------------------------------------------------------------------------- rules


@lru_cache(maxsize=None)
def _rules() -> tuple[Any, dict]:
    pf = patterns.load("dates")
    data = pf.data
    join = data.get("join") or {}
    extra = {
        "between": regex.compile(join.get("between", r"\s*[\-–]\s*"), regex.V1 | regex.IGNORECASE),
        "before": regex.compile(join.get("before", r"từ\s+$"), regex.V1 | regex.IGNORECASE),
        "name_year": regex.compile(patterns.expand(str(data.get("name_year_before", r"(?!)")), pf.macros),
                                   regex.V1),
        "no_anchor": regex.compile(patterns.expand(str(data.get("no_anchor_before", r"(?!)")), pf.macros),
                                   regex.V1 | regex.IGNORECASE),
        "target_year_before": regex.compile(str(data.get("target_year_before", r"(?!)")), regex.V1 | regex.IGNORECASE),
        "half_value": str(data.get("half_value", "year")),
        "report_weeks": bool(data.get("report_weeks", True)),
        "lunar_after": regex.compile(str(data.get("lunar_after", r"(?!)")), regex.V1 | regex.IGNORECASE),
        "year_after": regex.compile(str(data.get("year_after", r"(?!)")), regex.V1 | regex.IGNORECASE),
        "not_after": {r.name: regex.compile(patterns.expand(str(r.extra["not_after"]), pf.macros),
                                            regex.V1 | regex.IGNORECASE)
                      for r in pf.rules if r.extra.get("not_after")},
        "prefixes": {str(k): regex.compile(patterns.expand(str(v), pf.macros), regex.V1 | regex.IGNORECASE)
                     for k, v in (data.get("prefixes") or {}).items()},
    }
    return pf, extra


def _int(m: regex.Match, name: str) -> Optional[int]:
    try:
        v = m.group(name)
    except IndexError:
        return None
    return int(v) if v else None


def _month(m: regex.Match) -> Optional[int]:
    """The month of group ``m``: digits or a month word ("sáu", "Mười Hai")."""
    try:
        v = m.group("m")
    except IndexError:
        return None
    if not v:
        return None
    if v.isdigit():
        return int(v)
    return _MONTH_WORDS.get(" ".join(v.lower().split()))


def _year(m: regex.Match) -> Optional[int]:
    """Group ``y``, or a two-digit ``yy`` (00-49 -> 20xx, 50-99 -> 19xx)."""
    y = _int(m, "y")
    if y is None:
        yy = _int(m, "yy")
        if yy is not None:
            y = 2000 + yy if yy < 50 else 1900 + yy
    return y


def _valid_day(y: Optional[int], mo: Optional[int], d: Optional[int]) -> bool:
    if not mo or not d or not 1 <= mo <= 12:
        return False
    last = calendar.monthrange(y if y else 2000, mo)[1]  # 2000 is a leap year: 29/2 allowed
    return 1 <= d <= last


def _day(y: Optional[int], mo: Optional[int], d: Optional[int]) -> Optional[_Point]:
    return _Point("day", y, mo, d, explicit=y is not None) if _valid_day(y, mo, d) else None


def _date_starts(doc: Document) -> list[int]:
    """The number starts a date rule can match at: a day or month of one or two digits
    followed by a separator ("2/11", "27-9", "3.7", "22 đến 27/6"), or a year 19xx/20xx."""
    starts = doc.context.get("_date_starts")
    if starts is None:
        text, n, starts = doc.text, len(doc.text), []
        for p in doc.number_starts():
            e = p
            while e < n and text[e].isdigit():
                e += 1
            run = e - p
            nxt = text[e] if e < n else ""
            if (run <= 2 and nxt and (nxt in "/.-đt" or nxt.isspace())) or (run == 4 and text[p:p + 2] in ("19", "20")):
                starts.append(p)
        doc.context["_date_starts"] = starts
    return starts


# --- which digit rules can match at which number start
# A digit rule opens (after its lookbehinds) with a day or month of one or two digits, or a
# year 19xx/20xx; the character after a day is one of a few separators. Read from the
# pattern text, this says at which starts the rule needs no try at all (most of them).
_LEAD_DAY = re.compile(r"\(\?P<\w+>\(\?:\\d\{1,2\}\)\)")
_LEAD_YEAR = re.compile(r"\(\?P<\w+>\(\?:\(\?:19\|20\)\\d\\d\)\)")
_PUNCT_CLASS = r"\[(?:\\[./\-–]|[/.,:;–])+\]"
_FOLLOW = re.compile(
    r"\(\?P<\w+>(?P<named>" + _PUNCT_CLASS + r")\)"    # (?P<sep>[/.\-])
    r"|(?P<cls>" + _PUNCT_CLASS + r"|\\[./\-]|/)"        # [/\-]  \.  /
    r"|(?P<space>\\s)\+"                                # \s+
    r"|\\s\*\(\?:(?P<words>\w+(?:\|\w+)*)\)")          # \s*(?:đến|tới)


def _skip_lookbehinds(pattern: str, i: int = 0) -> int:
    """The index after the lookbehinds a pattern opens with (also inside "(?:...)")."""
    while True:
        if pattern.startswith(("(?<!", "(?<="), i):
            i = _group_end(pattern, i)
        elif pattern.startswith("(?:(?<", i):
            j = _group_end(pattern, i)
            if _skip_lookbehinds(pattern, i + 3) != j - 1:
                return i
            i = j
        else:
            return i


def _group_end(pattern: str, i: int) -> int:
    """The index after the group opening at ``i`` (escapes and classes skipped)."""
    depth, j, n = 0, i, len(pattern)
    while j < n:
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


@lru_cache(maxsize=None)
def _digit_gate(pattern: str, flags: int) -> tuple[str, Any]:
    """("year", None) for a rule that opens with a year; ("day", follow) for one that opens
    with one or two digits and then a character ``follow`` matches (never a digit);
    ("any", None) when the pattern has another shape (tried at every start)."""
    i = _skip_lookbehinds(pattern)
    if _LEAD_YEAR.match(pattern, i):
        return "year", None
    m = _LEAD_DAY.match(pattern, i)
    f = _FOLLOW.match(pattern, m.end()) if m else None
    if f is None:
        return "any", None
    if f.group("words"):
        follow = r"\s|" + "|".join(regex.escape(w[0]) for w in f.group("words").split("|"))
    else:
        follow = f.group("named") or f.group("cls") or r"\s"
    rx = regex.compile(follow, flags)
    if any(rx.match(d) for d in "0123456789"):  # pragma: no cover - the shapes above exclude it
        return "any", None
    return "day", rx


def _digit_shapes(doc: Document) -> list[tuple[int, int, str]]:
    """(start, digit run length, character after the run) of every date start."""
    shapes = doc.context.get("_date_shapes")
    if shapes is None:
        text, n, shapes = doc.text, len(doc.text), []
        for p in _date_starts(doc):
            e = p
            while e < n and text[e].isdigit():
                e += 1
            shapes.append((p, e - p, text[e] if e < n else ""))
        doc.context["_date_shapes"] = shapes
    return shapes


def _rule_starts(doc: Document, rule: Any) -> list[int]:
    """The date starts where a digit rule can match: a year rule at four-digit runs, a day
    rule at runs of one or two digits followed by one of its separators. (A day is
    ``\\d{1,2}`` then a non-digit, so the character after the whole run is that one.)"""
    gate = _digit_gate(rule.pattern, rule.flags)
    shape, follow = gate
    if shape == "any":
        return _date_starts(doc)
    # several rules share a gate ("/" after a day): its starts are computed once per text
    cache = doc.context.setdefault("_date_rule_starts", {})
    out = cache.get(gate)
    if out is not None:
        return out
    if shape == "year":
        out = [p for p, run, _ in _digit_shapes(doc) if run == 4]
    else:
        ok: dict[str, bool] = {}
        out = []
        for p, run, nxt in _digit_shapes(doc):
            if run <= 2 and nxt:
                hit = ok.get(nxt)
                if hit is None:
                    hit = ok[nxt] = follow.match(nxt) is not None
                if hit:
                    out.append(p)
    cache[gate] = out
    return out


@lru_cache(maxsize=None)
def _group_names(rx: Any) -> tuple[str, ...]:
    return tuple(rx.groupindex)


@lru_cache(maxsize=None)
def _rule_table() -> tuple[tuple, ...]:
    """Per rule, what ``_candidates`` needs besides its matches (read once, not per article):
    (rule, kind, not_after, before, prefix_required, prefix, opens with a digit)."""
    pf, extra = _rules()
    out = []
    for rule in pf.rules:
        required = rule.extra.get("prefix_required")
        out.append((rule, rule.kind or "dmy", extra["not_after"].get(rule.name),
                    extra["prefixes"].get(rule.extra.get("before", "")), required,
                    extra["prefixes"].get(required or rule.extra.get("prefix", "")), starts_at_digit(rule.pattern)))
    return tuple(out)


@lru_cache(maxsize=None)
def _prefilter_rx(pattern: str) -> "re.Pattern":
    return re.compile(pattern)


def _prefiltered(rule: Any, doc: Document) -> Any:
    """The rule's matches, tried only where its `prefilter` finds a start in the lower-cased
    text (same length as the text for Vietnamese; otherwise a full scan)."""
    text = doc.text
    low = doc.context.get("_date_lower")
    if low is None:
        low = doc.context["_date_lower"] = text.lower()
    if len(low) != len(text):
        return rule.regex.finditer(text)
    # several rules share a prefilter ("tháng", "ngày", "năm"): each is run once per text
    found = doc.context.setdefault("_date_prefilter_hits", {})
    pattern = rule.extra["prefilter"]
    at = found.get(pattern)
    if at is None:
        at = found[pattern] = [m.start("at") for m in _prefilter_rx(pattern).finditer(low)]
    return matches_at(rule.anchored, text, at)


def _candidates(doc: Document) -> list[_Cand]:
    pf, extra = _rules()
    text = doc.text
    phrase = bool(doc.context.get("_date_phrase"))  # parse_date: one phrase, not an article
    out: list[_Cand] = []
    group = 0
    for rule, kind, not_after, before, required, prefix, at_digits in _rule_table():
        if kind in ("relative", "weekday") and doc.published is None:
            continue  # nothing to resolve a relative phrase against
        prefiltered = "prefilter" in rule.extra
        groups = _group_names(rule.anchored if at_digits or prefiltered else rule.regex)
        found = (matches_at(rule.anchored, text, _rule_starts(doc, rule)) if at_digits
                 else _prefiltered(rule, doc) if prefiltered
                 else rule.regex.finditer(text))
        for m in found:
            s, e = m.span()
            for g in groups:  # a group captured in a lookbehind starts the mention
                gs = m.start(g)
                if 0 <= gs < s:
                    s = gs
            if before is not None and not before.search(text, max(0, s - _LEFT), s):
                continue
            if prefix is not None:
                pm = prefix.search(text, max(0, s - _LEFT), s)
                if pm and pm.start() < s:
                    s = pm.start()
                elif required:
                    continue
            if not_after is not None and not_after.search(text, max(0, s - 20), s):
                continue
            group += 1
            if kind in ("dmy", "my") and extra["lunar_after"].match(text, e, min(len(text), e + 40)):
                continue  # a lunar date
            if kind == "dmy":
                p = _day(_year(m), _month(m), _int(m, "d"))
                if p:
                    out.append(_Cand(s, e, rule.name, p, group=group))
            elif kind == "dm_range":
                y = _int(m, "y")
                b = _day(y, _int(m, "m2"), _int(m, "d2"))
                a = _day(y, _int(m, "m1"), _int(m, "d1"))
                if a and b:
                    if y and a.key()[1:] > b.key()[1:]:
                        a = replace(a, y=y - 1)
                    out.append(_Cand(s, e, rule.name, a, b, group=group))
            elif kind == "day_range":
                y, mo = _int(m, "y"), _int(m, "m")
                a, b = _day(y, mo, _int(m, "d1")), _day(y, mo, _int(m, "d2"))
                if a and b and a.d < b.d:
                    out.append(_Cand(s, e, rule.name, a, b, group=group))
            elif kind == "day_list":
                y, mo = _int(m, "y"), _int(m, "m")
                last = _day(y, mo, _int(m, "d"))
                if not last:
                    continue
                items = []
                for dm in regex.finditer(r"\d+", m.group("days")):
                    p = _day(y, mo, int(dm.group()))
                    if p is None:
                        items = []
                        break
                    items.append(_Cand(m.start("days") + dm.start(), m.start("days") + dm.end(), rule.name, p, group=group))
                if items:
                    out.extend(items)
                    out.append(_Cand(m.start("d"), e, rule.name, last, group=group))
            elif kind == "my":
                mo = _month(m)
                if mo and 1 <= mo <= 12:
                    y = _int(m, "y")
                    out.append(_Cand(s, e, rule.name, _Point("month", y, mo, explicit=y is not None), group=group))
            elif kind == "quarter":
                qs = m.group("q").lower()
                q = _ROMAN.get(qs) or int(qs)
                y = _int(m, "y")
                out.append(_Cand(s, e, rule.name, _Point("quarter", y, q=q, explicit=y is not None), group=group))
            elif kind == "half":
                y = _int(m, "y")
                if extra["half_value"] == "half":
                    h = 2 if regex.search(r"cuối", m.group("h"), regex.IGNORECASE) else 1
                    out.append(_Cand(s, e, rule.name, _Point("half", y, q=h), group=group))
                else:
                    out.append(_Cand(s, e, rule.name, _Point("year", y), group=group))
            elif kind == "year":
                if _in_name(text, s, extra["name_year"]):
                    continue
                out.append(_Cand(s, e, rule.name, _Point("year", _int(m, "y")), group=group))
            elif kind == "year_range":
                y1, y2 = _int(m, "y1"), _int(m, "y2")
                if y1 and y2 and y1 < y2 <= y1 + 100 and not _in_name(text, s, extra["name_year"]):
                    out.append(_Cand(s, e, rule.name, _Point("year", y1), _Point("year", y2), group=group))
            elif kind == "weekday":
                rel = " ".join((m.group("rel") or "").lower().split())
                if not phrase and rel in ("", "tới", "này"):
                    continue  # "Thứ hai, ..." is an enumeration as often as a day
                try:
                    res = _weekday(m.group("wd"), rel, doc.published)
                except (OverflowError, ValueError):  # past date.max / before date.min
                    res = None
                if res:
                    out.append(_Cand(s, e, rule.name, fixed=res, fixed_gran="day", group=group))
            elif kind == "relative":
                if doc.published is None:
                    continue
                try:
                    res = _relative(text[s:e], doc.published, phrase)
                except (OverflowError, ValueError):  # past date.max / before date.min
                    res = None
                if res:
                    out.append(_Cand(s, e, rule.name, fixed=res[0], fixed_gran=res[1], group=group))
    return out


def _in_name(text: str, start: int, name_year: regex.Pattern) -> bool:
    """"Luật Ngân sách năm 2002": the year is part of a law's name."""
    left = text[max(0, start - 90):start]
    cut = list(_CUT.finditer(left))
    if cut:
        left = left[cut[-1].end():]
    return bool(name_year.search(left))


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest match wins where rules overlap; mentions of one match stay together."""
    groups: dict[int, list[_Cand]] = {}
    for c in cands:
        groups.setdefault(c.group, []).append(c)
    spans = sorted(((min(c.start for c in g), max(c.end for c in g), gid) for gid, g in groups.items()),
                   key=lambda t: (t[0], -(t[1] - t[0])))
    taken = Taken(max((t[1] for t in spans), default=0))
    keep: list[_Cand] = []
    for s, e, gid in sorted(spans, key=lambda t: (-(t[1] - t[0]), t[0])):
        if taken.overlaps(s, e):
            continue
        taken.take(s, e)
        keep.extend(groups[gid])
    keep.sort(key=lambda c: (c.start, c.end))
    return keep


# ---------------------------------------------------------------------------- years


def _with_published(p: _Point, pub: date, ahead: bool = False) -> _Point:
    y = pub.year
    if ahead:  # "tháng 9 tới": the next one from the publication
        if p.key()[1:] < (pub.month, pub.day if p.gran == "day" else 1):
            y += 1
    elif p.gran == "day":
        cand = date(y, p.m, min(p.d, calendar.monthrange(y, p.m)[1]))
        delta = (cand - pub).days
        if delta > 183:
            y -= 1
        elif delta < -300:
            y += 1
    elif p.gran == "month":
        months = (p.m - pub.month)
        if months > 6:
            y -= 1
        elif months < -10:
            y += 1
    return replace(p, y=y, inferred=True)


def _infer_years(doc: Document, cands: list[_Cand]) -> None:
    _, extra = _rules()
    no_anchor = extra["no_anchor"]
    target_before = extra["target_year_before"]
    anchors: list[tuple[int, int, str]] = []   # (position, year, granularity)
    for c in cands:
        if no_anchor.search(doc.text, max(0, c.start - 30), c.start):
            continue  # "sinh ngày 20/5/1970": a birth date says nothing about the article's year
        if c.a is not None and c.a.gran == "year" and c.b is None and target_before.search(doc.text, max(0, c.start - 12), c.start):
            continue
        if c.fixed is None and c.b is None and c.a is not None and c.a.y and c.a.explicit:
            anchors.append((c.start, c.a.y, c.a.gran))
        elif c.b is not None and c.b.explicit and c.b.gran != "year" and c.b.y:
            anchors.append((c.start, c.b.y, c.b.gran))

    # Without a publication date, a day or month written without its year takes the later of
    # the year written nearest before it and the latest year of the full dates (day, month,
    # year) of the article (news reports the present; older dates are background); months
    # and bare years after it are no evidence (careers, anniversaries); else "XXXX".
    latest = max((a[1] for a in anchors if a[2] == "day"), default=None)

    def year_at(pos: int) -> Optional[int]:
        before = [a[1] for a in anchors if a[0] < pos]
        cands = [y for y in (before[-1] if before else None, latest) if y is not None]
        return max(cands) if cands else None

    pub = doc.published
    for c in cands:
        if c.fixed is not None or c.a is None:
            continue
        last = c.b or c.a
        if last.y is not None:
            continue
        ya = extra["year_after"].match(doc.text, c.end, min(len(doc.text), c.end + 20)) if c.b is None else None
        if pub is not None and ya and ya.group("rel"):
            # "tháng 12 năm ngoái": one mention with the year of the relative word
            step = {"ngoái": -1, "trước": -1, "nay": 0, "tới": 1, "sau": 1}[ya.group("rel").lower()]
            nb = replace(last, y=pub.year + step, inferred=True)
            c.end = ya.end()
        elif pub is not None:
            nb = _with_published(last, pub, ahead=bool(ya and ya.group("ahead")))
        else:
            y = year_at(c.start)
            nb = replace(last, y=y, inferred=y is not None)
        if c.b is None:
            c.a = nb
        else:
            c.b = nb
            if nb.y is not None:
                ya = nb.y - 1 if c.a.key()[1:] > nb.key()[1:] else nb.y
                c.a = replace(c.a, y=ya, inferred=nb.inferred)


def _join(doc: Document, cands: list[_Cand]) -> list[_Cand]:
    """"từ A đến B" -> one interval A/B."""
    _, extra = _rules()
    text = doc.text
    out: list[_Cand] = []
    i = 0
    while i < len(cands):
        c = cands[i]
        if i + 1 < len(cands):
            n = cands[i + 1]
            between = text[c.end:n.start]
            if (c.fixed is None and n.fixed is None and not c.is_interval and not n.is_interval
                    and c.group != n.group and len(between) <= 12 and extra["between"].fullmatch(between)
                    and (("-" in between or "–" in between) and c.a.gran == n.a.gran
                         or c.a.gran == n.a.gran == "year"   # "Năm 1962 đến năm 1969"
                         or extra["before"].search(text[max(0, c.start - 12):c.start]))):
                a, b = c.a, n.a
                if not a.explicit and b.y is not None:
                    ya = b.y - 1 if (a.gran, b.gran) == ("day", "day") and a.key()[1:] > b.key()[1:] else b.y
                    a = replace(a, y=ya, inferred=b.inferred, explicit=b.explicit)
                if a.y is None or b.y is None or a.key() < b.key() or (a.key() == b.key() and a.gran != b.gran):
                    out.append(_Cand(c.start, n.end, _JOIN_RULE, a, b, group=c.group))
                    i += 2
                    continue
        out.append(c)
        i += 1
    return out


# ---------------------------------------------------------------------------- relative


def _add_months(y: int, mo: int, k: int) -> tuple[int, int]:
    t = y * 12 + (mo - 1) + k
    return t // 12, t % 12 + 1


def _weekday(wd: str, rel: str, pub: date) -> Optional[str]:
    """"thứ Năm tuần tới", "thứ ba vừa rồi", "chủ nhật" -> the day, from ``pub``."""
    target = _WEEKDAYS.get(wd.lower().split()[-1])
    if target is None:
        return None
    monday = pub - timedelta(days=pub.weekday())
    if rel.startswith("tuần"):
        step = {"này": 0, "tới": 1, "sau": 1, "trước": -1, "qua": -1}[rel.split()[-1]]
        return (monday + timedelta(weeks=step, days=target)).isoformat()
    if rel == "này":
        return (monday + timedelta(days=target)).isoformat()
    if rel.startswith("vừa"):  # the last such day before
        back = (pub.weekday() - target) % 7 or 7
        return (pub - timedelta(days=back)).isoformat()
    ahead = (target - pub.weekday()) % 7 or 7  # bare or "tới": the next such day
    return (pub + timedelta(days=ahead)).isoformat()


def _relative(phrase: str, pub: date, single: bool = False) -> Optional[tuple[str, str]]:
    p = regex.sub(r"\s+", " ", phrase.lower())
    head, _, tail = p.rpartition(" ")
    if p in ("hôm nay", "bữa nay") or tail == "nay" and head in ("rạng sáng", "sáng", "trưa", "chiều", "tối", "đêm"):
        return pub.isoformat(), "day"
    if p == "hôm qua" or tail == "qua" and head in ("rạng sáng", "sáng", "trưa", "chiều", "tối", "đêm"):
        return (pub - timedelta(days=1)).isoformat(), "day"
    if p == "hôm kia":
        return (pub - timedelta(days=2)).isoformat(), "day"
    if p == "ngày mai" or tail == "mai":
        return (pub + timedelta(days=1)).isoformat(), "day"
    if p == "ngày kia":
        return (pub + timedelta(days=2)).isoformat(), "day"
    unit, _, when = p.partition(" ")
    if when in ("tiếp theo", "kế tiếp", "tiếp", "hiện tại") and not single:
        return None
    step = {"này": 0, "nay": 0, "hiện tại": 0, "trước": -1, "ngoái": -1, "tới": 1, "sau": 1, "tiếp": 1,
            "tiếp theo": 1, "kế tiếp": 1, "sau nữa": 2}.get(when)
    if step is None:
        return None
    if unit == "tuần":
        if not single and not _rules()[1]["report_weeks"]:
            return None
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=step)
        return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}", "interval"
    if unit == "tháng":
        y, mo = _add_months(pub.year, pub.month, step)
        return f"{y:04d}-{mo:02d}", "month"
    if unit == "quý":
        q = (pub.year * 4 + (pub.month - 1) // 3) + step
        return f"{q // 4:04d}-Q{q % 4 + 1}", "quarter"
    if unit == "năm":
        if when == "ngoái" or step:
            return f"{pub.year + step:04d}", "year"
        return f"{pub.year:04d}", "year"
    return None


# ---------------------------------------------------------------------------- API


def _mentions(doc: Document) -> list[tuple[_Cand, str, str, bool]]:
    cands = _select(_candidates(doc))
    _infer_years(doc, cands)
    cands = [c for i, c in enumerate(cands)  # a relative year taken into a month ("tháng 12 năm ngoái")
             if not (i and cands[i - 1].start <= c.start and c.end <= cands[i - 1].end)]
    cands = _join(doc, cands)
    out = []
    for c in cands:
        if c.fixed is not None:
            out.append((c, c.fixed, c.fixed_gran, True))
        elif c.b is not None:
            out.append((c, f"{c.a.value()}/{c.b.value()}", "interval", c.a.inferred or c.b.inferred))
        else:
            out.append((c, c.a.value(), c.a.gran, c.a.inferred))
    return [m for m in out if _real_days(m[1])]


_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _real_days(value: str) -> bool:
    """False for a calendar day that does not exist ("29/2" of 2023) or a year past 9999."""
    for part in value.split("/"):
        if not part[:4].isdigit() and not part.startswith("XXXX") or len(part.split("-")[0]) > 4:
            return False
        if _DAY_VALUE.fullmatch(part):
            try:
                date.fromisoformat(part)
            except ValueError:
                return False
    return True


def extract(doc: Document) -> list[DateMention]:
    result: list[DateMention] = []
    spans: list[tuple[int, int, str]] = []
    for c, value, gran, inferred in _mentions(doc):
        result.append(DateMention(**doc.mention(c.start, c.end), rule=c.rule, value=value,
                                  granularity=gran, year_inferred=inferred))
        spans.append((c.start, c.end, value))
    doc.context["date_spans"] = spans
    return result


def as_date(value: Union[None, str, date, datetime], what: str = "published") -> Optional[date]:
    """A ``datetime.date`` from a date, a datetime or an ISO string ("2022-11-02")."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise ValueError(f"{what} must be an ISO date such as '2022-11-02', got {value!r}") from exc
    raise TypeError(f"{what} must be a datetime.date or an ISO string, got {type(value).__name__}")


@lru_cache(maxsize=1)
def _phrase_rules() -> dict[str, Any]:
    pf, _ = _rules()
    ph = pf.data.get("phrases") or {}

    def rx(key: str) -> regex.Pattern:
        return regex.compile(patterns.expand(str(ph[key]), pf.macros), regex.V1 | regex.IGNORECASE)

    holidays = {" ".join(str(n).lower().split()): str(md)
                for md, names in (pf.data.get("holidays") or {}).items() for n in names}
    lunar = sorted((" ".join(str(n).lower().split()) for n in pf.data.get("lunar_new_year") or []),
                   key=len, reverse=True)
    names = sorted(list(holidays) + lunar, key=len, reverse=True)
    return {
        "now": rx("now"), "clock_tail": rx("clock_tail"), "clock_only": rx("clock_only"),
        "edge_day": rx("edge_day"),
        "units": {str(k): str(v) for k, v in ph["amount_units"].items()},
        "before": regex.compile(r"^(?:" + ph["amount_before"] + r")\s+", regex.IGNORECASE),
        "rel": regex.compile(r"\s+(?P<r>" + "|".join(
            f"(?P<{k}>{ph['amount_' + k]})" for k in ("past_point", "past_span", "future_span", "future_point"))
            + r")$", regex.IGNORECASE),
        "holidays": holidays, "lunar": set(lunar),
        "holiday": regex.compile(r"^(?:(?:ngày|lễ|dịp)\s+)?(?P<name>" + "|".join(regex.escape(n).replace(r"\ ", r"\s+")
                                 for n in names) + r")(?:\s+(?P<cc>\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+))?(?:\s+(?:năm\s+)?(?P<y>\d{4}))?$",
                                 regex.IGNORECASE),
    }


@lru_cache(maxsize=1)
def _lunar_new_year() -> tuple[dict[int, date], dict[str, list[int]]]:
    import csv
    path = patterns.data_dir("gazetteers") / "lunar_new_year.csv"
    by_year: dict[int, date] = {}
    by_can_chi: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            y = int(r["year"])
            by_year[y] = date.fromisoformat(r["date"])
            by_can_chi.setdefault(r["can_chi"].lower(), []).append(y)
    return by_year, by_can_chi


def _shift(ref: date, unit: str, k: int) -> date:
    if unit == "year":
        y = ref.year + k
        return date(y, ref.month, min(ref.day, calendar.monthrange(y, ref.month)[1]))
    if unit == "month":
        y, mo = _add_months(ref.year, ref.month, k)
        return date(y, mo, min(ref.day, calendar.monthrange(y, mo)[1]))
    if unit == "week":
        return ref + timedelta(weeks=k)
    if unit == "day":
        return ref + timedelta(days=k)
    return ref  # hours, minutes, seconds: the day of the reference


def _at(d: date, gran: str) -> str:
    return f"{d.year:04d}" if gran == "year" else f"{d.year:04d}-{d.month:02d}" if gran == "month" else d.isoformat()


def _amount_of_time(phrase: str, ref: date) -> Optional[str]:
    """"23 ngày trước", "sau 5 năm nữa", "2 tuần 3 ngày", "2 tháng vừa rồi", "3 ngày tới"."""
    from .numbers import read_quantity
    pr = _phrase_rules()
    s = " ".join(phrase.split())
    bm = pr["before"].match(s)
    lead = bm.group().strip().lower() if bm else ""
    if bm:
        s = s[bm.end():]
    rm = pr["rel"].search(s)
    kind = next((k for k in ("past_point", "past_span", "future_span", "future_point") if rm and rm.group(k)), None)
    if rm:
        s = s[:rm.start()]
    parts: list[tuple[int, str]] = []
    while s.strip():
        q = read_quantity(s)
        if q is None or q[0] != int(q[0]) or q[0] < 0 or q[1]:
            return None
        um = regex.match(r"\s*(?P<u>[\p{L}]+)(?![\p{L}])", q[2])
        if not um or um.group("u").lower() not in pr["units"]:
            return None
        parts.append((int(q[0]), pr["units"][um.group("u").lower()]))
        s = q[2][um.end():]
    if not parts:
        return None
    if kind is None:
        kind = "future_point" if lead == "sau" else "past_point" if lead in ("", "cách đây") else None
    if kind is None:
        return None
    grans = [u for _, u in parts]
    fine = "day" if set(grans) & {"day", "week", "hour", "minute", "second"} else grans[-1]
    if kind in ("past_point", "future_point"):
        sign = -1 if kind == "past_point" else 1
        d = ref
        for n, u in parts:
            d = _shift(d, u, sign * n)
        return _at(d, fine)
    if len(parts) != 1:
        return None
    n, u = parts[0]
    if u in ("hour", "minute", "second"):
        return ref.isoformat()
    if u == "week":
        u, n = "day", 7 * n
    if kind == "past_span":
        a, b = _shift(ref, u, -n), _shift(ref, u, -1)
    else:
        a, b = _shift(ref, u, 1), _shift(ref, u, n)
    return f"{_at(a, u)}/{_at(b, u)}"


def _holiday(phrase: str, ref: Optional[date]) -> Optional[str]:
    pr = _phrase_rules()
    m = pr["holiday"].fullmatch(" ".join(phrase.split()))
    if not m:
        return None
    name = " ".join(m.group("name").lower().split())
    y = int(m.group("y")) if m.group("y") else None
    if name in pr["lunar"]:
        by_year, by_can_chi = _lunar_new_year()
        if y is None and m.group("cc"):
            years = by_can_chi.get(" ".join(m.group("cc").lower().split()), [])
            near = ref.year if ref else None
            if not years or near is None:
                return None
            y = min(years, key=lambda t: (abs(t - near), -t))
        y = y or (ref.year if ref else None)
        return by_year[y].isoformat() if y in by_year else None
    if m.group("cc"):
        return None
    md = pr["holidays"][name]
    return f"{y:04d}-{md}" if y else f"{ref.year:04d}-{md}" if ref else f"XXXX-{md}"


def _phrase_value(phrase: str, ref: Optional[date]) -> Optional[str]:
    """Single-phrase forms that are no article mention: holidays, "bây giờ", amounts of time
    from the reference, the first or last day of a month."""
    pr = _phrase_rules()
    h = _holiday(phrase, ref)
    if h:
        return h
    em = pr["edge_day"].fullmatch(phrase)
    if em:
        mo = _month(em)
        y = _int(em, "y") or (ref.year if ref else None)
        if mo and 1 <= mo <= 12:
            d = 1 if em.group("which").lower().startswith("đầu") else calendar.monthrange(y or 2001, mo)[1]
            return f"{y:04d}-{mo:02d}-{d:02d}" if y else f"XXXX-{mo:02d}-{d:02d}"
    if ref is None:
        return None
    if pr["now"].fullmatch(phrase):
        return ref.isoformat()
    return _amount_of_time(phrase, ref)


def parse_date(text: str, reference: Union[None, str, date] = None) -> Optional[str]:
    """The DateMention ``value`` of one phrase ("28/10", "quý IV năm 2023", "hôm qua",
    "thứ Năm tuần tới", "Giáng sinh", "23 ngày trước"), relative phrases resolved against
    ``reference``; None when the text is no date.

    Beyond what an article reports, a single phrase may be a bare weekday (the next one
    after ``reference``), a relative week, "năm tiếp theo", a holiday, an amount of time
    from the reference, or a clock time alone (the reference day); a trailing clock time is
    read past."""
    if not isinstance(text, str) or not text.strip():
        return None
    ref = as_date(reference, "reference")
    pr = _phrase_rules()
    raw = " ".join(text.strip().split())
    phrase = pr["clock_tail"].sub("", raw).strip(" ,.;|-–") or raw
    special = _phrase_value(phrase, ref)
    if special:
        return special
    # a bare "28/10" or "2024" is read as "ngày 28/10", "năm 2024"
    tries = (phrase, "ngày " + phrase, "năm " + phrase) if phrase[:1].isdigit() else (phrase,)
    for t in tries:
        doc = Document.from_text(t, ref)
        doc.context["_date_phrase"] = True
        found = _mentions(doc)
        if found:
            return found[0][1]
    if ref is not None and pr["clock_only"].fullmatch(raw):
        return ref.isoformat()
    return None


# ---------------------------------------------------------------------------- published


def find_published(doc: Document) -> Optional[date]:
    """The publication date printed in the article header (first lines only)."""
    pf = patterns.load("published")
    head_lines = int(pf.data.get("head_lines", 15))
    head_chars = int(pf.data.get("head_chars", 3000))
    best: Optional[tuple[int, int, date]] = None   # (-priority, line number, date)
    n = 0
    for lm in regex.finditer(r"[^\n]+", doc.text[:head_chars]):
        line = lm.group().strip()
        if not line:
            continue
        n += 1
        if n > head_lines:
            break
        for rule in pf.rules:
            max_len = int(rule.extra.get("max_line", 300))
            if len(line) > max_len and not rule.extra.get("search_prefix"):
                continue
            m = rule.regex.search(line[:max_len])
            if not m:
                continue
            y, mo, d = _int(m, "y"), _int(m, "m"), _int(m, "d")
            if not (y and _valid_day(y, mo, d)):
                continue
            cand = (-rule.priority, n, date(y, mo, d))
            if best is None or cand[:2] < best[:2]:
                best = cand
    return best[2] if best else None
