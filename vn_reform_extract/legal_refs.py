"""Cited legal documents with a number (SCHEMA.md LegalRef), one per distinct document.

Rules and code tables are in ``patterns/legal_refs.yaml``.  For each citation this module
reads the document type (as written, or from the code: NQ -> Nghị quyết), every number of a
list ("Nghị quyết 18, 19"), the issue date written right after the number (or at the start
of the clause before the citation: "Ngày 3/12/2010, ... ký văn bản số ..."), and the issuer
("của Bộ Chính trị" in the text, else from the code: CP -> Chính phủ, UBND -> Ủy ban nhân
dân + the article's main province, party codes after the slash: TW, BCT, BBT).
"""
from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

import regex

from . import patterns
from .document import Document
from .schema import LegalRef
from .spans import Taken
from .textnorm import key, nfc

_DAY = regex.compile(r"^\d{4}-\d{2}-\d{2}$")
_AFTER_NUM = regex.compile(r"\s*,?\s*(?:(?:được\s+)?(?:ban hành|ký|thông qua)\s+)?(?:vào\s+)?", regex.IGNORECASE)
# "|\b\B" (never matches) keeps the regex module from scanning the rest of the text for
# "của" before each match attempt (its required-string search): one attempt per citation
_OF = regex.compile(r"(?:\s*,?\s*của\s+|\b\B)", regex.IGNORECASE)
_PARTY = regex.compile(r"^\d+[a-zđ]?-(?P<t>[^/\s]+)/(?P<iss>\S+)$")
_STATE = regex.compile(r"^\d+[a-zđ]?(?:/(?:19|20)\d\d)?/(?P<rest>.+)$")
_HYPHEN = regex.compile(r"-\s?")
_CLAUSE_START = regex.compile(r"(?:^|[;:])\s*$")
_CODE_SPACE = regex.compile(r"\s*([/\-])\s*")
_NUMBER_SEP = regex.compile(r"[/\-]")
_YEAR_DASH = regex.compile(r"^(\d+[a-zđ]?)-((?:19|20)\d\d)/")


@dataclass
class _Ref:
    start: int
    end: int
    rule: str
    doc_type: str
    number: str
    bare: bool
    date: Optional[str] = None
    issuer: Optional[str] = None
    type_start: int = 0
    match_end: int = 0


@lru_cache(maxsize=None)
def _tables() -> dict[str, Any]:
    pf = patterns.load("legal_refs")
    data = pf.data
    issuers: dict[str, str] = {}
    ministries: list[str] = []
    try:
        mdir = patterns.data_dir("gazetteers")
        with (mdir / "ministries.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            ministries.append(r["name_vi"])
            for ab in (r.get("abbreviations") or "").split("|"):
                if ab and regex.fullmatch(r"[\p{Lu}]+", ab):
                    issuers.setdefault(ab, r["name_vi"])
        with (mdir / "departments.csv").open(encoding="utf-8", newline="") as f:
            depts = list(csv.DictReader(f))
        by_ministry = {r["name_vi"]: r for r in rows}
        for dep in depts:
            mrow = by_ministry.get(dep.get("ministry") or "")
            if not mrow:
                continue
            for ab in (mrow.get("abbreviations") or "").split("|"):
                if ab.startswith("B") and regex.fullmatch(r"[\p{Lu}]+", ab):
                    issuers.setdefault("S" + ab[1:], dep["name_vi"] + " {province}")
    except (OSError, KeyError, FileNotFoundError):
        pass
    for k, v in (data.get("issuers") or {}).items():
        issuers.setdefault(str(k), str(v))
    text_issuers = sorted({*map(str, data.get("text_issuers") or []), *ministries}, key=len, reverse=True)
    # case-insensitive ("của Bộ chính trị", "Bộ Tài Chính"); reported in the listed spelling
    text_re = regex.compile(r"(?:" + "|".join(regex.escape(t) for t in text_issuers) + r")(?![\p{L}])",
                            regex.IGNORECASE) if text_issuers else None
    text_canon = {key(t): t for t in text_issuers}
    macros = pf.macros
    return {
        "pf": pf,
        "types": {str(k): str(v) for k, v in (data.get("types") or {}).items()},
        "party_types": {str(k): str(v) for k, v in (data.get("party_types") or {}).items()},
        "issuer_first_type": str(data.get("issuer_first_type") or "Công văn"),
        "issuers": issuers,
        "type_issuers": {str(k): str(v) for k, v in (data.get("type_issuers") or {}).items()},
        "party_issuers": {str(k): str(v) for k, v in (data.get("party_issuers") or {}).items()},
        "text_re": text_re,
        "text_canon": text_canon,
        "alias": {str(k): str(v) for k, v in (data.get("text_issuer_alias") or {}).items()},
        "code_re": regex.compile(patterns.expand("{code}", macros), regex.V1),
        "bare_re": regex.compile(patterns.expand("{bare}", macros), regex.V1),
    }


def _province_words(doc: Document) -> tuple[str, str]:
    p = doc.context.get("main_province")
    if not p:
        return "", ""
    name = p.get("name") if isinstance(p, dict) else getattr(p, "name", None)
    kind = (p.get("kind") if isinstance(p, dict) else getattr(p, "kind", None)) or "tỉnh"
    if not name:
        return "", ""
    return f"{kind} {name}", name


def _fill(template: str, doc: Document) -> str:
    full, name = _province_words(doc)
    return nfc(template.replace("{province}", full).replace("{province_name}", name))


def _lookup(code: str, table: dict[str, str]) -> Optional[str]:
    code = code.strip()
    if code in table:
        return table[code]
    stripped = regex.sub(r"\d+$", "", code)
    return table.get(stripped)


def _from_code(number: str, doc: Document) -> tuple[Optional[str], Optional[str]]:
    """(doc_type, issuer) read from a document code; None where unknown."""
    t = _tables()
    # the number as written may hold spaces and dashes ("40 – CT/TW", "19-2017/NQ-CP")
    number = _CODE_SPACE.sub(r"\1", number.replace("–", "-"))
    number = _YEAR_DASH.sub(r"\1/\2/", number)
    m = _PARTY.match(number)
    if m:
        dt = t["party_types"].get(m.group("t")) or t["types"].get(m.group("t"))
        # "3208-QĐ/BVHTTDL": a ministry writing its code the party way
        iss = _lookup(m.group("iss"), t["party_issuers"]) or _lookup(m.group("iss"), t["issuers"])
        return dt, _fill(iss, doc) if iss else None
    m = _STATE.match(number)
    if not m:
        return None, None
    parts = [p for p in _HYPHEN.split(m.group("rest")) if p]
    if not parts:
        return None, None
    if parts[0] in t["types"]:
        dt, iss_parts = t["types"][parts[0]], parts[1:]
    elif _lookup(parts[0], t["issuers"]):
        dt, iss_parts = t["issuer_first_type"], parts[:1]
    else:
        dt, iss_parts = None, parts[:1] if len(parts) == 1 else []
    names = [n for n in (_lookup(p, t["issuers"]) for p in iss_parts) if n]
    return dt, ", ".join(_fill(n, doc) for n in names) if names else None


def _canonical_type(written: str) -> str:
    s = nfc(written)
    return s[:1].upper() + s[1:].lower()


def _date_spans(doc: Document) -> list[tuple[int, int, str]]:
    spans = doc.context.get("date_spans")
    if spans is None:
        from . import dates
        dates.extract(doc)
        spans = doc.context.get("date_spans") or []
    return spans


class _Dates:
    """The date spans with their starts and ends, to find the ones near a citation by
    bisection (the spans of the date extractor are sorted and disjoint; others are
    scanned in full)."""

    def __init__(self, spans) -> None:
        self.spans = list(spans)
        self.starts = [s for s, _e, _v in self.spans]
        self.ends = [e for _s, e, _v in self.spans]
        n = len(self.spans)
        self.sorted = all(self.starts[i] <= self.starts[i + 1] for i in range(n - 1))
        self.disjoint = (self.sorted and all(s < e for s, e in zip(self.starts, self.ends))
                         and all(self.ends[i] <= self.starts[i + 1] for i in range(n - 1)))


def _date_after(doc: Document, pos: int, dates: _Dates) -> tuple[Optional[str], int]:
    spans = dates.spans
    j = bisect.bisect_left(dates.starts, pos) if dates.sorted else 0
    for s, e, v in (spans[i] for i in range(j, len(spans))):
        if dates.sorted and s > pos + 40:
            break
        if pos <= s <= pos + 40 and _AFTER_NUM.fullmatch(doc.text[pos:s]):
            return (v if _DAY.match(v) else None), e
    return None, pos


def _date_before(doc: Document, start: int, dates: _Dates, refs_starts: list[int]) -> Optional[str]:
    """``refs_starts``: the sorted starts of all citations."""
    sent_s, _ = doc.sentence_of(start)
    best = None
    if dates.disjoint:
        # the last span ending by ``start``, walking back only over the 150 characters before it
        for j in range(bisect.bisect_right(dates.ends, start) - 1, -1, -1):
            s, e, v = dates.spans[j]
            if start - e > 150:
                break
            if s >= sent_s:
                best = (s, e, v)
                break
    else:
        for s, e, v in dates.spans:
            if e > start:
                break
            if s >= sent_s and start - e <= 150:
                best = (s, e, v)
    if not best:
        return None
    s, e, v = best
    i = bisect.bisect_left(refs_starts, e)
    if not _DAY.match(v) or (i < len(refs_starts) and refs_starts[i] < start):
        return None  # another citation stands between the date and this one
    if not _CLAUSE_START.search(doc.text[sent_s:s]):
        return None
    return v


def _issuer_in_text(doc: Document, pos: int) -> Optional[str]:
    t = _tables()
    m = _OF.match(doc.text, pos)
    if not m or t["text_re"] is None:
        return None
    im = t["text_re"].match(doc.text, m.end())
    if not im:
        return None
    name = t["text_canon"].get(key(im.group()), im.group())
    return t["alias"].get(name, name)


def _find(doc: Document) -> list[_Ref]:
    t = _tables()
    text = doc.text
    found: list[tuple[int, int, int, Any, Any]] = []
    for prio, rule in enumerate(t["pf"].rules):
        groups = list(rule.regex.groupindex)
        for m in rule.regex.finditer(text):
            s = m.start()
            for g in groups:  # the type captured in the lookbehind starts the mention
                gs = m.start(g)
                if 0 <= gs < s:
                    s = gs
            found.append((s, m.end(), -prio, rule, m))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    taken = Taken(len(text))
    chosen = []
    for s, e, _, rule, m in found:
        if taken.overlaps(s, e):
            continue
        taken.take(s, e)
        chosen.append((s, rule, m))
    chosen.sort(key=lambda c: c[0])

    refs: list[_Ref] = []
    for start, rule, m in chosen:
        gd = m.groupdict()
        written = gd.get("type") or gd.get("type_law") or gd.get("type_so")
        bare = rule.name == "legal-typed-bare"
        items = [(m.start("num"), m.end("num"), m.group("num"))]
        more = m.group("more") or ""
        if more:
            item_re = t["bare_re"] if bare else t["code_re"]
            base = m.start("more")
            items += [(base + im.start(), base + im.end(), im.group()) for im in item_re.finditer(more)]
        for i, (s, e, num) in enumerate(items):
            num = nfc(num)
            code_type, code_issuer = (None, None) if bare else _from_code(num, doc)
            doc_type = _canonical_type(written) if written else code_type
            if not doc_type:
                continue
            refs.append(_Ref(start if i == 0 else s, e, rule.name, doc_type, num, bare,
                             issuer=code_issuer, type_start=start, match_end=m.end()))
    spans = _Dates(_date_spans(doc))
    starts = sorted(r.start for r in refs)
    list_dates = {}
    for r in refs:
        r.date, after = _date_after(doc, r.end, spans)
        if r.match_end not in list_dates:
            list_dates[r.match_end] = _date_after(doc, r.match_end, spans)[0]
        if r.date is None and list_dates[r.match_end]:
            # "Nghị quyết 18-NQ/TW và 19-NQ/TW ngày 25/10/2017": the list's date, unless
            # the number carries another year
            d = list_dates[r.match_end]
            y = regex.search(r"/((?:19|20)\d\d)/", r.number)
            if not y or y.group(1) == d[:4]:
                r.date = d
        if r.date is None:
            r.date = _date_before(doc, r.type_start, spans, starts)
        named = _issuer_in_text(doc, after) or _issuer_in_text(doc, r.end) or _issuer_in_text(doc, r.match_end)
        if named:
            r.issuer = named
        elif r.issuer is None:
            # only one body issues a decree or a law: "Nghị định 108" is the Government's
            r.issuer = t["type_issuers"].get(r.doc_type)
    return refs


def _merge(refs: list[_Ref]) -> list[_Ref]:
    """One LegalRef per document: repeated numbers and "chỉ thị số 01" after "01/CT-UBND" merge."""
    out: list[_Ref] = []
    index: dict[tuple, _Ref] = {}
    # the first full citation of each type by each beginning of its number ("01" of "01/CT-UBND")
    full: dict[tuple[str, str], _Ref] = {}
    for f in refs:
        if not f.bare:
            for sep in _NUMBER_SEP.finditer(f.number):
                full.setdefault((key(f.doc_type), f.number[:sep.start()]), f)
    for r in refs:
        if r.bare:
            target = full.get((key(r.doc_type), r.number))
            k = ("code", key(target.number)) if target else ("bare", key(r.doc_type), r.number)
        else:
            k = ("code", key(r.number))
        prev = index.get(k)
        if prev is None:
            if k[0] == "code" and r.bare:
                continue  # the full citation will be reported where it is written
            index[k] = r
            out.append(r)
            continue
        prev.date = prev.date or r.date
        prev.issuer = prev.issuer or r.issuer
    return out


def extract(doc: Document) -> list[LegalRef]:
    return [LegalRef(**doc.mention(r.start, r.end), rule=r.rule, doc_type=r.doc_type, number=r.number,
                     date=r.date, issuer=r.issuer) for r in _merge(_find(doc))]
