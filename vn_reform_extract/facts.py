"""Numeric facts (SCHEMA NumericFact): percents, scores, ranks, counts and money.

The rules are data (``patterns/facts.yaml``): each is one regex over the article text
with named groups ``value`` / ``value2`` / ``out_of`` / ``unit`` / ``mult`` / ``cur``.
Exclusion rules (``kind: exclude``) claim dates, clock times, document numbers and
identifiers so that the fact rules below them cannot use those numbers. Candidates
are taken by priority, then position, then length; a number belongs to one match.

Context comes from the sentence of each fact: ``metric`` (nearest index or rate
named before it), ``target`` (a goal cue before it, or "sẽ" right after it),
``province_code`` (the sentence's province, else the article's main one) and
``period`` (the nearest date of the sentence).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any, Optional

import regex

from . import patterns, rank_lists
from .document import Document
from .numbers import CURRENCIES, MULTIPLIERS, parse_digits, read_quantity
from .schema import NumericFact
from .trie import matches_at, starts_at_digit, trie_pattern

ORDINALS = {"nhất": 1.0, "nhì": 2.0, "tư": 4.0}
_RANK_ROW_PRIORITY = 97         # rows of ranking tables and lists: above the rank rules
_ROW = object()                  # the "rule" of a rank_lists.Row candidate
_CONTEXT_DATE_PRIORITY = 65      # dates found by the date extractor: above plain counts
_LEGAL_PRIORITY = 100
_LATER = 1 << 40                 # the order of other extractors' spans: after every rule match
_NUMWORD = regex.compile(r"(?i)(?<![\p{L}\p{M}])(?:hai|ba|bốn|sáu|bảy|bẩy|tám|chín|mười|nhất|nhì)(?![\p{L}\p{M}])")
_ISDIGIT = regex.compile(r"[\p{Numeric_Type=Decimal}\p{Numeric_Type=Digit}]")  # what str.isdigit() accepts
_YEAR = regex.compile(r"(?<![\d./,])(?:(?:giai đoạn|nhiệm kỳ)\s)?((?:19|20)\d{2})(?:\s?[-–]\s?((?:19|20)\d{2}))?(?![\d.,]\d)")


class _Rules:
    def __init__(self) -> None:
        pf = patterns.load("facts")
        self.rules = sorted(pf.rules, key=lambda r: -r.priority)
        # rules that can only start at a digit are tried at the starts of digit runs
        # instead of at every position of the text
        self.anchor = {r.name: r.extra.get("anchor") or ("digit" if starts_at_digit(r.pattern) else None)
                       for r in self.rules}
        self.core_at_start = {r.name: _core_at_start(r.pattern) for r in self.rules}
        self.numword_start = re.compile(r"(?<!\w)" + patterns.expand("{nw1}", pf.macros) + r" ", re.IGNORECASE)
        self.numwords = [w + " " for w in regex.sub(r"[()?:]", "", patterns.expand("{nw1}", pf.macros)).split("|")]
        data = pf.data
        macros = pf.macros

        def comp(items: list[str], flags: int = 0) -> Optional[Any]:
            if not items:
                return None
            pats = [patterns.expand(p, macros) for p in items]
            return regex.compile("|".join(f"(?:{p})" for p in pats), regex.V1 | flags)

        self.metric = _AnyOf(data.get("metrics") or [], macros)
        self.metric_subject = comp([data["metric_subject"]], regex.IGNORECASE) if data.get("metric_subject") else None
        # the same pattern searched backward: it ends at "$", so whether it matches at all is
        # told by one try at the end (a forward search tries every start, each with up to ten
        # subject words); most clauses have no match
        self.metric_subject_at_end = regex.compile("(?r)" + self.metric_subject.pattern, self.metric_subject.flags) \
            if self.metric_subject is not None and data["metric_subject"].endswith("$") else None
        self.metric_verbs = tuple(data.get("metric_subject_verbs") or ())
        self.metric_drop, self.metric_trail, self.metric_reject, self.metric_verb_only, self.metric_lead = (
            comp([data[k]], regex.IGNORECASE) if data.get(k) else None
            for k in ("metric_subject_drop", "metric_subject_trail", "metric_subject_reject",
                      "metric_verb_only", "metric_subject_lead"))
        self.target = _AnyOf(data.get("target_cues") or [], macros, regex.MULTILINE)
        self.post_target = comp(data.get("post_target_cues") or [])
        self.future_year = comp(data.get("future_year") or [])
        self.sentence_start = comp(data.get("sentence_start_cues") or [])
        self.carry = comp(data.get("target_carry") or [])
        self.carry_far = comp(data.get("target_carry_far") or [])
        self.unit_abbreviations = dict(data.get("unit_abbreviations") or {})
        self.past = comp(data.get("past_markers") or [])
        self.future_date_lead = comp(data.get("future_date_lead") or [])
        self.local = comp(data.get("local_cues") or [])
        countries = patterns.load("agencies").data.get("foreign_countries") or []
        national = list(data.get("national_cues") or [])
        if countries:
            national.append(r"(?<![\p{L}\p{M}])" + trie_pattern(countries) + r"(?![\p{L}\p{M}])")
        self.national = _AnyOf(national, macros)


_WORD_GROUP = regex.compile(r"\(\?i?:([\p{L}\p{M}\d ]+(?:\|[\p{L}\p{M}\d ]+)*)\)")


def _required_words(pattern: str) -> Optional[tuple[str, ...]]:
    """The words one of which every match of ``pattern`` starts with (case-folded), when
    the pattern opens, after its lookarounds, with a group of plain words ("(?i:cả nước|
    toàn quốc)"); else None."""
    i = 0
    while pattern.startswith(("(?<!", "(?<=", "(?!", "(?="), i):
        i = _group_end(pattern, i)
        if i < 0:
            return None
    m = _WORD_GROUP.match(pattern, i)
    if m is None or pattern[m.end():m.end() + 1] in ("?", "*", "{"):
        return None
    return tuple(w.casefold() for w in m.group(1).split("|"))


def _class_end(pattern: str, i: int) -> int:
    """Where the character class opening at ``i`` ends ("[]...]" and "[^]...]" included)."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _group_end(pattern: str, i: int) -> int:
    """Where the parenthesized group opening at ``i`` ends (-1 when unbalanced)."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a character class: its parentheses do not count
            i = _class_end(pattern, i)
            continue
        depth += c == "("
        depth -= c == ")"
        i += 1
        if depth == 0:
            return i
    return -1


def _alternatives(s: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    out, depth, i, last = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(s, i)
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            out.append(s[last:i])
            last = i + 1
        i += 1
    out.append(s[last:])
    return out


def _zero_width(s: str, i: int = 0) -> int:
    """How far from ``i`` the pattern ``s`` holds only lookarounds and groups of
    alternatives that are all lookarounds (or empty): text that matches no character."""
    while i < len(s):
        if s.startswith(("(?<!", "(?<=", "(?!", "(?="), i):
            j = _group_end(s, i)
        elif s.startswith("(?:", i):
            j = _group_end(s, i)
            if j < 0 or not all(_zero_width(a) == len(a) for a in _alternatives(s[i + 3:j - 1])):
                return i
        else:
            return i
        if j < 0:
            return i
        i = j
    return i


def _core_at_start(pattern: str) -> bool:
    """Whether every match of a rule tried at a position holds that position in its core
    (``_core``): the rule has no value groups, or its ``value`` group is not optional and
    only lookarounds come before it."""
    if not any(f"(?P<{g}>" in pattern for g in ("value", "value2", "out_of")):
        return True
    i = _zero_width(pattern)
    if not pattern.startswith("(?P<value>", i):
        return False
    j = _group_end(pattern, i)
    return j > 0 and pattern[j:j + 1] not in ("?", "*") and not pattern.startswith("{0", j)


class _AnyOf:
    """An alternation of cue patterns, each compiled alone: ``finditer`` yields what the
    one pattern ``(?:p1)|(?:p2)|...`` would find (at each position the first alternative
    that matches), but each part keeps the regex module's fast scan for its own start,
    which a combined pattern loses."""

    def __init__(self, items: list[str], macros: dict[str, str], flags: int = 0) -> None:
        pats = [patterns.expand(p, macros) for p in items]
        self.parts = [regex.compile(p, regex.V1 | flags) for p in pats]
        # a part whose matches start with one of a list of words ("(?i:cả nước|toàn quốc)")
        # is searched only in a text that holds one of them (a plain substring test)
        self.words = [_required_words(p) for p in pats]

    def __bool__(self) -> bool:
        return bool(self.parts)

    def finditer(self, text: str, pos: int = 0, endpos: Optional[int] = None,
                 folded: Optional[str] = None) -> list[Any]:
        """``folded``: ``text.casefold()`` when it has the length of ``text``."""
        end = len(text) if endpos is None else endpos
        parts = self.parts
        window = "" if not any(self.words) else folded[pos:end] if folded is not None else text[pos:end].casefold()
        if len(parts) == 1:
            ws = self.words[0]
            return list(parts[0].finditer(text, pos, end)) if ws is None or any(map(window.__contains__, ws)) else []
        nxt = [rx.search(text, pos, end) if ws is None or any(map(window.__contains__, ws)) else None
               for rx, ws in zip(parts, self.words)]
        out = []
        while True:
            best = None
            for i, m in enumerate(nxt):
                if m is not None and m.start() < pos:  # inside the last match: search again
                    m = nxt[i] = parts[i].search(text, pos, end)
                if m is not None and (best is None or m.start() < best.start()):
                    best = m
            if best is None:
                return out
            out.append(best)
            pos = best.end() if best.end() > best.start() else best.start() + 1


@lru_cache(maxsize=1)
def rules() -> _Rules:
    return _Rules()


def _value_of(text: str, ordinal: bool = False) -> Optional[float]:
    t = text.strip()
    if ordinal and t.lower() in ORDINALS:
        return ORDINALS[t.lower()]
    v = parse_digits(t)
    if v is not None:
        return v
    q = read_quantity(t)
    if q is None or q[2].strip():
        return None
    return q[0]


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


class _Claims:
    """Character positions already used by an accepted match."""

    def __init__(self, n: int) -> None:
        self.mask = bytearray(n + 1)

    def free(self, spans: list[tuple[int, int]]) -> bool:
        mask = self.mask
        return all(not any(mask[s:e]) for s, e in spans)

    def take(self, spans: list[tuple[int, int]]) -> None:
        for s, e in spans:
            self.mask[s:e] = b"\x01" * (e - s)


_NEWLINE = regex.compile(r"\n")
# a sign written before a number, not a range dash after another number ("5 - 10%")
_SIGN_BEFORE = regex.compile(r"(?<![\d%.,]\s?)(?<=[\s(:])(?P<sign>[-−]\s?|(?i:âm)\s)$")
_COLON = regex.compile(":")
_SEPARATOR = regex.compile("[,;]")


def _core(m: Any) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    gi = m.re.groupindex
    for g in ("value", "value2", "out_of"):
        if g in gi:
            spans.extend(sp for sp in m.spans(g) if sp[0] >= 0 and sp[1] > sp[0])
    if not spans:
        spans = [m.span()]
    return spans


def _group(m: Any, name: str) -> Optional[str]:
    if name not in m.re.groupindex:
        return None
    return m.group(name)


def _multiplier(m: Any, name: str = "mult") -> float:
    if name not in m.re.groupindex:
        return 1.0
    f = 1.0
    for w in m.captures(name):
        f *= MULTIPLIERS.get(w.lower(), {"million": 1e6, "billion": 1e9}.get(w.lower(), 1.0))
    return f


def extract(doc: Document) -> list[NumericFact]:
    text = doc.text
    if not text or not _ISDIGIT.search(text) and not _NUMWORD.search(text):
        return []
    R = rules()
    lower = text.lower()
    starts = {"digit": doc.number_starts(),
              "line": [0] + [m.end() for m in _NEWLINE.finditer(text)],
              "numword": _numword_starts(R, text, lower)}
    # candidates are taken by priority, then position, then length, then order (the rules'
    # matches before the other extractors' spans): level by level, so that a lower rule is
    # not tried where a higher match already took the number
    fixed: dict[int, list[tuple]] = {}
    ctx = doc.context or {}
    # spans from the other extractors; legal numbers first, dates above plain counts
    ext: list[tuple[int, int, int]] = []
    for sp in ctx.get("legal_spans") or []:
        try:
            ext.append((_LEGAL_PRIORITY, int(sp[0]), int(sp[1])))
        except (TypeError, ValueError, IndexError):
            continue
    for sp in ctx.get("date_spans") or []:
        try:
            ext.append((_CONTEXT_DATE_PRIORITY, int(sp[0]), int(sp[1])))
        except (TypeError, ValueError, IndexError):
            continue
    order = _LATER
    for prio, s, e in ext:
        order += 1
        fixed.setdefault(prio, []).append((-prio, s, -(e - s), order, None, None, [(s, e)]))
    for row in rank_lists.find(doc):
        order += 1
        fixed.setdefault(_RANK_ROW_PRIORITY, []).append(
            (-_RANK_ROW_PRIORITY, row.value_start, -(row.value_end - row.value_start), order,
             _ROW, row, [(row.value_start, row.value_end)]))
    levels = sorted({r.priority for r in R.rules} | set(fixed), reverse=True)
    claims = _Claims(len(text))
    mask = claims.mask
    accepted: list[tuple[Any, Any]] = []
    found: list[tuple] = []     # the rules' candidates so far
    has: dict[Any, bool] = {}
    top = R.rules[0].priority if R.rules else 0
    order = 0
    k = 0
    for level in levels:
        cands = fixed.get(level, [])
        while k < len(R.rules) and R.rules[k].priority == level:
            rule = R.rules[k]
            k += 1
            if rule.priority < top and top:
                # numbers inside what the top exclusions matched (dates, document numbers,
                # clock times, phone numbers) are theirs: later rules skip them
                covered = bytearray(len(text) + 1)
                for c in found:
                    covered[c[1]:c[1] - c[2]] = b"\x01" * (-c[2])
                starts["digit"] = [p for p in starts["digit"] if not covered[p]]
                top = 0
            needs = rule.extra.get("requires")
            if needs:
                key = tuple(needs)
                if key not in has:
                    has[key] = any(map(lower.__contains__, needs))
                if not has[key]:
                    continue
            anchor = R.anchor[rule.name]
            if anchor:
                at = starts[anchor]
                if R.core_at_start[rule.name]:
                    at = [p for p in at if not mask[p]]  # a match there holds a number already taken
                ms = matches_at(rule.anchored, text, at)
            else:
                ms = rule.regex.finditer(text)
            for m in ms:
                order += 1
                c = (-rule.priority, m.start(), -(m.end() - m.start()), order, rule, m, _core(m))
                cands.append(c)
                found.append(c)
        cands.sort(key=lambda c: c[:4])
        for _p, _s, _l, _o, rule, m, core in cands:
            if not claims.free(core):
                continue
            if rule is _ROW:
                claims.take(core)
                accepted.append((rule, m))
                continue
            if rule is None or rule.kind == "exclude":
                claims.take(core)
                continue
            if rule.extra.get("needs_metric") and _metric(doc, m.start()) is None:
                continue
            claims.take(core)
            accepted.append((rule, m))
    accepted.sort(key=lambda a: a[1].start())

    fact_spans = [a[1].span() for a in accepted]
    out: list[NumericFact] = []
    try:
        n_ranges = 0
        for rule, m in accepted:
            got = _row_fact(doc, m, fact_spans) if rule is _ROW else _facts_of(doc, rule, m, fact_spans)
            if len(got) == 2:  # the two bounds of one written range
                n_ranges += 1
                for f, b in zip(got, ("from", "to")):
                    f.bound, f.range_id = b, n_ranges  # type: ignore[assignment]
            out.extend(got)
    finally:
        doc.context.pop(_CACHE, None)
    return out


def _numword_starts(R: _Rules, text: str, lower: str) -> list[int]:
    """Where ``R.numword_start`` matches: the number words found by plain substring search
    in the lower-cased text (no regex tried at every position), whole words only."""
    if len(lower) != len(text) or any(c in text for c in "ſıİ\u212a"):
        # offsets would shift, or a letter the regex's case folding equates with another
        return [m.start() for m in R.numword_start.finditer(text)]
    out = []
    for w in R.numwords:
        i = lower.find(w)
        while i >= 0:
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
                out.append(i)
            i = lower.find(w, i + 1)
    out.sort()
    return out


def _row_fact(doc: Document, row: rank_lists.Row, fact_spans: list[tuple[int, int]]) -> list[NumericFact]:
    """A rank of a ranking table or list, with the province (or country) of its row."""
    s, e = row.span()
    sent = doc.sentence_of(s)
    head = row.head if row.head >= 0 else s  # a table's index and year are named before its first row
    metric = _metric(doc, head)
    return [NumericFact(kind="rank", value=row.value, out_of=row.out_of, metric=metric, province_code=row.code,
                        subject=row.name, period=_period(doc, doc.sentence_of(head), head),
                        target=_is_target(doc, sent, s, e, row.value_start, fact_spans),
                        rule="rank-list-row", **doc.mention(s, e))]


def _facts_of(doc: Document, rule: Any, m: Any, fact_spans: list[tuple[int, int]]) -> list[NumericFact]:
    kind = rule.kind
    alt = rule.extra.get("count_if")
    if alt and _group(m, alt) is not None:
        kind = "count"  # the rule's named group says what it matched is counted ("có 9 điểm")
    ordinal = bool(rule.extra.get("ordinal"))
    values: list[float] = []
    for g in ("value", "value2"):
        t = _group(m, g)
        if t is None:
            continue
        v = _value_of(t, ordinal)
        if v is None:
            return []
        values.append(v)
    if not values:
        return []
    out_of = None
    t = _group(m, "out_of")
    if t:
        out_of = _value_of(t)
    unit = _group(m, "unit")
    if kind == "money":
        cur = _group(m, "cur")
        unit = CURRENCIES.get(" ".join(cur.split()).lower(), "VND") if cur else ("USD" if "$" in m.group() else None)
        f = _multiplier(m, "mult")
        if len(values) == 2:
            # "5 - 10 triệu": the upper multiplier also scales the lower bound, but not
            # when the lower bound is already the larger number ("800.000 - 1 triệu đồng")
            f1 = _multiplier(m, "mult1") if _group(m, "mult1") else (f if values[0] <= values[1] else 1.0)
            values = [values[0] * f1, values[1] * f]
        else:
            values = [values[0] * f]
            if _group(m, "tail"):  # "566 tỷ 384 triệu đồng": one amount
                whole = read_quantity(m.string[m.start("value"):m.end("tail")])
                if whole is not None:
                    values = [whole[0]]
    elif kind == "count":
        values = [v * _multiplier(m) for v in values]
        if unit:
            unit = _expand_unit(doc, " ".join(unit.split()), m.start())
    else:
        unit = None
    if kind == "count" and values[0] == 1 and _group(m, "value") and not _group(m, "value")[0].isdigit():
        return []  # "một" never counts
    qual = _group(m, "qual")
    s, e = m.span()
    for g in ("qual", "pre"):  # prefixes are matched by lookbehind: widen the span to them
        if g in m.re.groupindex and 0 <= m.start(g) < s:
            s = m.start(g)
    if len(values) == 1 and kind in ("percent", "money", "count", "score"):
        sg = _SIGN_BEFORE.search(m.string[max(0, s - 8):s])  # "giảm -5%", "lỗ âm 1,2 tỷ đồng"
        if sg:
            values = [-values[0]]
            s -= len(sg.group("sign"))
    sent = doc.sentence_of(s)
    vs = m.start("value") if m.start("value") >= 0 else s
    target = bool(rule.extra.get("target")) or _is_target(doc, sent, s, e, vs, fact_spans)
    metric = _metric(doc, s) if kind in ("percent", "score", "rank") else None
    if metric is None and kind == "percent":
        metric = _subject_metric(doc, sent, s)
    mention = doc.mention(s, e)
    base = dict(kind=kind, out_of=out_of, unit=unit, metric=metric,
                province_code=_province(doc, sent, s), period=_period(doc, sent, s),
                target=target, qualifier=qual.lower() if qual else None, rule=rule.name, **mention)
    return [NumericFact(value=v, **base) for v in values]


_CACHE = "_facts_cache"


def _expand_unit(doc: Document, unit: str, pos: int) -> str:
    """Short codes readers cannot query stand for their noun: "120 HS" -> "hồ sơ" (or
    "học sinh" in a sentence about schools), "50 DN" -> "doanh nghiệp"."""
    table = rules().unit_abbreviations
    if unit not in table:
        return unit
    choices = table[unit]
    if isinstance(choices, str):
        return choices
    sent = doc.sentence_of(pos)
    for alt in choices[1:]:
        if alt.get("when") and regex.search(alt["when"], doc.text[sent[0]:sent[1]]):
            return alt["unit"]
    return choices[0]["unit"]


def _matches(doc: Document, name: str, sent: tuple[int, int]) -> list[Any]:
    """Matches of one context regex in one sentence, computed once per sentence."""
    cache = doc.context.setdefault(_CACHE, {})
    key = (name, sent)
    got = cache.get(key)
    if got is None:
        rx = getattr(rules(), name)
        if rx is None or sent[1] <= sent[0]:
            got = []
        elif isinstance(rx, _AnyOf):
            got = rx.finditer(doc.text, sent[0], sent[1], folded=_folded(doc))
        else:
            got = list(rx.finditer(doc.text, sent[0], sent[1]))
        cache[key] = got
    return got


def _folded(doc: Document) -> Optional[str]:
    """The case-folded text, once per document; None when folding changes its length."""
    cache = doc.context.setdefault(_CACHE, {})
    if "folded" not in cache:
        f = doc.text.casefold()
        cache["folded"] = f if len(f) == len(doc.text) else None
    return cache["folded"]


def _index(doc: Document, name: str, sent: tuple[int, int]) -> tuple[list[Any], list[int], list[int]]:
    """The sentence's matches of one context regex with their starts and ends (both sorted:
    the matches do not overlap), so a fact finds the ones before it by bisection instead of
    walking the sentence from its start."""
    cache = doc.context.setdefault(_CACHE, {})
    key = ("index", name, sent)
    got = cache.get(key)
    if got is None:
        ms = _matches(doc, name, sent)
        got = cache[key] = (ms, [m.start() for m in ms], [m.end() for m in ms])
    return got


def _metric(doc: Document, pos: int) -> Optional[str]:
    sent = doc.sentence_of(pos)
    ms, _starts, ends = _index(doc, "metric", sent)
    k = bisect.bisect_right(ends, pos)
    if k == 0:
        return None
    best = ms[k - 1]  # the last index or rate named wholly before the fact
    name = " ".join(best.group().split())
    low = name.lower()
    if low.startswith("chỉ số"):
        return "C" + name[1:]
    if low.startswith(("tỷ lệ", "tỉ lệ")):
        return name[:1].lower() + name[1:]
    return name


_TRAILING_TIME = regex.compile(r"(?:\s(?:trong|của|vào))?\s(?:năm|tháng|quý|ngày)\s[\dIVX][\dIVX/.-]*$")
_CLAUSE_START = regex.compile(r"[;:()\[\]\"“”]|(?<!\d),|,(?!\d)|\s[-–]\s")  # "1,2 triệu" is no clause


def _subject_metric(doc: Document, sent: tuple[int, int], s: int) -> Optional[str]:
    """What a percent measures when no index or rate is named: the subject of the verb
    right before it in its clause ("Giao dịch qua ATM giảm 17,3%"), or of the clause
    before when this one opens with the verb ("Doanh thu đạt 12.689 tỉ đồng, tăng 13%")."""
    R = rules()
    if R.metric_subject is None:
        return None
    text = doc.text
    lo = max(sent[0], s - 100)
    if R.metric_verbs:
        window = text[lo:s].casefold()
        if not any(v in window for v in R.metric_verbs):
            return None  # no verb that opens a percent's subject
    cuts = [cm for cm in _CLAUSE_START.finditer(text, lo, s)]
    start = cuts[-1].end() if cuts else lo
    clause = text[start:s]
    m = None if R.metric_subject_at_end is not None and not R.metric_subject_at_end.search(clause) \
        else R.metric_subject.search(clause)
    if m is None:
        if R.metric_verb_only is None or R.metric_lead is None or not R.metric_verb_only.match(text[start:s]) \
                or not cuts or text[cuts[-1].start()] != ",":
            return None
        prev = cuts[-2].end() if len(cuts) > 1 else max(sent[0], cuts[-1].start() - 100)
        m = R.metric_lead.match(text[prev:cuts[-1].start()])
        if m is None:
            return None
    subject = m.group("subject")
    if R.metric_drop is not None:
        d = R.metric_drop.match(subject)
        if d is not None:
            subject = subject[d.end():]
    subject = _TRAILING_TIME.sub("", " ".join(subject.split()))
    if R.metric_trail is not None:
        subject = R.metric_trail.sub("", subject)
    if not subject or not subject[0].isalpha() or len(subject.split()) > 8 \
            or (R.metric_reject is not None and R.metric_reject.search(subject)):
        return None
    return subject


def _is_target(doc: Document, sent: tuple[int, int], s: int, e: int, vs: int,
               fact_spans: list[tuple[int, int]], _carry: int = 3) -> bool:
    """Whether the clause of a fact states a goal, plan or forecast.

    A goal cue before the fact in its clause (after any colon) with no past marker ("đã")
    between the cue and the fact in the fact's comma segment, a cue inside the fact before
    its number ("tối thiểu 80%"), "sẽ" right after it, a directive opening, a year or a
    date after the publication date, or a connective opening ("Bên cạnh đó", "Ngoài ra")
    that continues the goals of the sentence before."""
    R = rules()
    text = doc.text
    if sent[1] <= sent[0]:
        sent = (max(0, s - 200), e)
    if R.post_target is not None and R.post_target.match(text, e, max(e, sent[1])):
        return True
    cache = doc.context.setdefault(_CACHE, {})
    ss = sent[0]
    colons = _positions(doc, "colons", _COLON)
    i = bisect.bisect_left(colons, s) - 1
    if i >= 0 and colons[i] >= ss:
        ss = colons[i] + 1
    # the last past marker before the fact in its clause, and the last comma before the fact
    _pm, pstarts, _pe = _index(doc, "past", sent)
    k = bisect.bisect_left(pstarts, s) - 1
    last_past = pstarts[k] if k >= 0 and pstarts[k] >= ss else -1
    if R.target is not None:
        ms, starts, ends = _index(doc, "target", sent)
        a = bisect.bisect_left(starts, ss)
        c = max(a, bisect.bisect_left(starts, s))
        # a cue inside the fact, before its number ("tối thiểu 80%"), in a clause with no "đã"
        if c < len(ms) and starts[c] < e and ends[c] <= vs and last_past < 0:
            return True
        # a cue wholly before the fact that is not itself part of another fact ("3 mục tiêu")
        free = cache.get(("free_cues", sent))
        if free is None:
            free = [0]
            for cs in starts:
                j = bisect.bisect_right(fact_spans, (cs, float("inf"))) - 1
                inside = j >= 0 and fact_spans[j][0] <= cs < fact_spans[j][1]
                free.append(free[-1] + (not inside))
            cache[("free_cues", sent)] = free
        b = min(c, bisect.bisect_right(ends, s))
        if last_past >= 0:
            seps = _positions(doc, "separators", _SEPARATOR)
            j = bisect.bisect_left(seps, s) - 1
            if j < 0 or seps[j] < last_past:
                # "Thực hiện kế hoạch, tỉnh đã giảm 10 biên chế": only a cue after "đã" counts
                a = max(a, bisect.bisect_right(ends, last_past))
        if b > a and free[b] > free[a]:
            return True
    if R.sentence_start is not None and sent[0] < s and _starts_with(doc, "sentence_start", sent):
        return True
    if doc.published is not None and _future_before(doc, sent, ss, s, last_past):
        return True
    if _carry and R.carry is not None and _starts_with(doc, "carry", sent) \
            and bisect.bisect_left(pstarts, s) == 0:
        far = R.carry_far is not None and _starts_with(doc, "carry_far", sent)
        prev = _prev_sentence(doc, sent, across_paragraphs=far)
        if prev is not None:
            key = ("carried", prev, _carry)
            if key not in cache:
                cache[key] = _is_target(doc, prev, prev[1], prev[1], prev[1], fact_spans, _carry=_carry - 1)
            return cache[key]
    return False


def _positions(doc: Document, name: str, rx: Any) -> list[int]:
    cache = doc.context.setdefault(_CACHE, {})
    got = cache.get(name)
    if got is None:
        got = cache[name] = [m.start() for m in rx.finditer(doc.text)]
    return got


def _future_before(doc: Document, sent: tuple[int, int], ss: int, s: int, last_past: int) -> bool:
    """A year ("Đến năm 2030") or a led date ("Từ ngày 1/7") later than the publication
    date, before the fact in its clause and after any past marker."""
    R = rules()
    assert doc.published is not None
    cache = doc.context.setdefault(_CACHE, {})
    key = ("future", sent)
    got = cache.get(key)
    if got is None:
        pub = doc.published.isoformat()
        found: list[tuple[int, int]] = []
        if R.future_year is not None:
            for ym in _matches(doc, "future_year", sent):
                if int(ym.group("year")) > doc.published.year:
                    found.append((ym.start(), ym.end()))
        if R.future_date_lead is not None:
            spans = _valid_spans(doc, "date_spans", lambda sp: str(sp[2]) if sp[2] else None)
            if spans is not None:
                values, starts, ends = spans
                for k in range(bisect.bisect_left(starts, sent[0]), bisect.bisect_left(starts, sent[1])):
                    v, ds, de = values[k], starts[k], ends[k]
                    if v[0] != "X" and "/" not in v and v > pub[:len(v)] \
                            and R.future_date_lead.search(doc.text, max(sent[0], ds - 16), min(de, ds + 12)):
                        found.append((ds, de))
        found.sort(key=lambda x: x[1])
        got = cache[key] = ([f[0] for f in found], [f[1] for f in found])
    fstarts, fends = got
    lo = bisect.bisect_right(fends, last_past) if last_past >= 0 else 0
    hi = bisect.bisect_right(fends, s)
    # a later year or date ending in (last_past, s] that starts inside the clause (the last
    # one starts last: the spans do not overlap)
    return hi > lo and fstarts[hi - 1] >= ss


def _starts_with(doc: Document, name: str, sent: tuple[int, int]) -> bool:
    """Whether one context regex matches at the start of the sentence, tried once per sentence."""
    cache = doc.context.setdefault(_CACHE, {})
    key = ("starts", name, sent)
    got = cache.get(key)
    if got is None:
        got = cache[key] = bool(getattr(rules(), name).match(doc.text, sent[0]))
    return got


def _prev_sentence(doc: Document, sent: tuple[int, int], across_paragraphs: bool = False) -> Optional[tuple[int, int]]:
    i = bisect.bisect_left(doc.sentences, sent) - 1
    if i < 0:
        return None
    prev = doc.sentences[i]
    gap = doc.text[prev[1]:sent[0]]
    if "\n" in gap and (not across_paragraphs or gap.count("\n") > 2):
        return None  # within a paragraph, or the next one after an explicit connective
    return prev


def _province(doc: Document, sent: tuple[int, int], pos: int) -> Optional[str]:
    """The province named in the fact's sentence (the last one before the fact, else the
    first after it) unless the whole country or a foreign one is named between them;
    else the article's only (or clearly dominant) province when the sentence is local
    or the sentence before names it; none for national and foreign figures."""
    ctx = doc.context or {}
    spans = _place_spans(doc)
    items, starts = spans
    _nm, nstarts, _ne = _index(doc, "national", sent)
    lo, hi = bisect.bisect_left(starts, sent[0]), bisect.bisect_left(starts, sent[1])
    if lo < hi:
        k = min(hi, bisect.bisect_right(starts, pos))
        if k > lo:
            k = bisect.bisect_left(starts, starts[k - 1], lo)
            a, b = starts[k], pos
        else:
            a, b = sent[0], pos
        if bisect.bisect_left(nstarts, b) > bisect.bisect_left(nstarts, a):
            return None  # "Cả nước có 3.321 xã; Bình Dương ...": the country's figure
        return items[k]
    if nstarts:
        return None  # "cả nước", "toàn quốc", a foreign country
    code = _get(ctx.get("main_province"), "code")
    if not code or not _dominant(doc, str(code)):
        return None
    code = str(code)
    if _index(doc, "local", sent)[0]:
        return code
    prev = _prev_sentence(doc, sent)
    if prev is not None:
        a, b = bisect.bisect_left(starts, prev[0]), bisect.bisect_left(starts, prev[1])
        if code in items[a:b]:
            return code
    return None


def _place_spans(doc: Document) -> tuple[list[str], list[int]]:
    """Provinces named in the text and provincial bodies ("UBND tỉnh" of a known province),
    sorted by start, once per document."""
    cache = doc.context.setdefault(_CACHE, {})
    got = cache.get("places")
    if got is None:
        found = []
        ctx = doc.context or {}
        for name, at in (("province_spans", 2), ("agency_spans", 3)):
            for sp in ctx.get(name) or []:
                try:
                    ps, code = int(sp[0]), sp[at]
                except (TypeError, ValueError, IndexError):
                    continue
                if code:
                    found.append((ps, str(code)))
        found.sort(key=lambda x: x[0])
        got = cache["places"] = ([c for _, c in found], [p for p, _ in found])
    return got


def _dominant(doc: Document, code: str) -> bool:
    """The main province is the only one named, or named at least twice as often as any other."""
    cache = doc.context.setdefault(_CACHE, {})
    key = ("dominant", code)
    got = cache.get(key)
    if got is None:
        counts = (doc.context or {}).get("province_counts") or {}
        n = counts.get(code, 0)
        got = cache[key] = not any(c != code and 2 * k > n for c, k in counts.items())
    return got


def _valid_spans(doc: Document, name: str, item: Any) -> Optional[tuple[list[Any], list[int], list[int]]]:
    """``item`` of each well-formed span of ``doc.context[name]`` with the starts and ends
    of the spans, once per document; None when the spans are not sorted by start (the
    callers then scan them all)."""
    cache = doc.context.setdefault(_CACHE, {})
    key = ("spans", name)
    if key in cache:
        return cache[key]
    items, starts, ends = [], [], []
    for sp in (doc.context or {}).get(name) or []:
        try:
            it = item(sp)
            s, e = int(sp[0]), int(sp[1])
        except (TypeError, ValueError, IndexError):
            continue
        if it is None:
            continue
        items.append(it)
        starts.append(s)
        ends.append(e)
    ok = all(starts[i] <= starts[i + 1] for i in range(len(starts) - 1))
    cache[key] = got = (items, starts, ends) if ok else None
    return got


def _nearest(items: list[Any], starts: list[int], ends: list[int], sent: tuple[int, int], pos: int) -> Optional[Any]:
    """The item whose span is nearest ``pos`` within the sentence, a span after it counting
    double (the first of equals): spans sorted, non-empty and disjoint, so only the last one
    ending before ``pos`` and the next one can win."""
    lo, hi = bisect.bisect_left(starts, sent[0]), bisect.bisect_left(starts, sent[1])
    if lo >= hi:
        return None
    k = bisect.bisect_right(ends, pos)
    best = None
    if lo <= k - 1 < hi:
        best = (pos - ends[k - 1], items[k - 1])
    j = max(k, lo)
    if j < hi and (best is None or (starts[j] - pos) * 2 < best[0]):
        best = ((starts[j] - pos) * 2, items[j])
    return best[1] if best else None


def _disjoint(doc: Document, spans: tuple[list[Any], list[int], list[int]]) -> bool:
    cache = doc.context.setdefault(_CACHE, {})
    key = ("disjoint", id(spans))
    got = cache.get(key)
    if got is None:
        _items, starts, ends = spans
        got = cache[key] = (all(s < e for s, e in zip(starts, ends))
                            and all(ends[i] <= starts[i + 1] for i in range(len(starts) - 1)))
    return got


def _period(doc: Document, sent: tuple[int, int], pos: int) -> Optional[str]:
    ctx = doc.context or {}
    spans = ctx.get("date_spans")
    if spans:
        fast = _valid_spans(doc, "date_spans", lambda sp: sp[2] or None)
        if fast is not None and _disjoint(doc, fast):
            best = _nearest(*fast, sent, pos)
            return str(best) if best else None
        best = None
        for sp in spans:
            try:
                ds, de, value = sp[0], sp[1], sp[2]
            except (TypeError, IndexError):
                continue
            if sent[0] <= ds < sent[1] and value:
                d = pos - de if de <= pos else (ds - pos) * 2  # prefer the date before the fact
                if best is None or d < best[0]:
                    best = (d, value)
        return str(best[1]) if best else None
    cache = doc.context.setdefault(_CACHE, {})
    years = cache.get(("years", sent))
    if years is None:
        years = ([], [], [])
        for ym in _YEAR.finditer(doc.text, sent[0], sent[1]):
            years[0].append(ym.group(1) + ("/" + ym.group(2) if ym.group(2) else ""))
            years[1].append(ym.start())
            years[2].append(ym.end())
        cache[("years", sent)] = years
    return _nearest(*years, sent, pos)
