"""Locality mentions: communes, wards and special zones of both maps, and the districts,
towns and provincial cities that existed before 1 July 2025.

A locality is only found with its type word ("phường Bến Thành", "huyện Tân Kỳ"): the
scan looks for type words, then matches the gazetteer names (thousands of them, one trie)
right after. A name found in several provinces is resolved by the nearest province named in
its sentence, then by a district named next to it, then by the article's province; it stays
unresolved (null codes) otherwise.
"""
from __future__ import annotations

import bisect
import csv
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Optional

import regex

from .document import Document
from .gazetteer import Province, province_by_name, provinces
from .patterns import data_dir
from .schema import LocalityMention
from .textnorm import key, old_tone
from .trie import trie_pattern

MAP_2025 = date(2025, 7, 1)

# type word (lower case, abbreviation without its dot) -> kind of the contract
_TYPES = {
    "xã": "xã", "phường": "phường", "p": "phường", "đặc khu": "đặc khu", "thị trấn": "thị trấn",
    "tt": "thị trấn", "huyện": "huyện", "quận": "quận", "q": "quận", "thị xã": "thị xã", "tx": "thị xã",
    "thành phố": "thành phố thuộc tỉnh", "tp": "thành phố thuộc tỉnh",
}
_DISTRICT_KIND = {"Huyện": "huyện", "Quận": "quận", "Thị xã": "thị xã", "Thành phố": "thành phố thuộc tỉnh"}
_DISTRICT_KINDS = frozenset(_DISTRICT_KIND.values())

# the type word right before a name: after a space, or after the dot of an abbreviation
# ("TP.Thủ Đức", "P. 5")
_TYPE_BEFORE = regex.compile(
    r"(?<![\p{L}\p{N}_.])(?:(?P<w>(?i:đặc khu|thị trấn|thị xã|thành phố|phường|xã|huyện|quận))[ \t]+"
    r"|(?P<a>TP|Tp|TX|TT|P|Q)(?:\.[ \t]?|[ \t]+))$")
_OLD_AFTER = regex.compile(r"\s*(?:\(\s*)?(?:cũ|trước đây)(?![\p{L}\p{M}])")
_NEW_AFTER = regex.compile(r"\s*(?:\(\s*)?mới(?![\p{L}\p{M}])")
_LONGEST = 400


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    era: str                        # "pre-2025" or "2025"
    province_code: Optional[str]    # 63-era province; None for a 2025 unit across old provinces
    merged_2025_province_code: str
    merged_2025_name: Optional[str]  # the 2025 unit ("phường Bến Thành"); None for districts
    district: Optional[str] = None   # the district of a pre-2025 commune ("Quận 1")
    old_province_codes: tuple[str, ...] = ()

    def in_province(self, p: Province) -> bool:
        """Whether the unit lies in a province named in the text (63-era record): its own old
        province, or for a 2025 unit, the new province the named one belongs to."""
        if self.era == "2025":
            return p.code in self.old_province_codes or self.merged_2025_province_code == p.merged_2025_code
        return self.province_code == p.code


def _rows(name: str) -> list[dict[str, str]]:
    with (data_dir("gazetteers") / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def units() -> dict[tuple[str, str], list[Unit]]:
    """(kind, name key) -> every unit of that kind and name, of both maps."""
    provs = provinces()
    table: dict[tuple[str, str], list[Unit]] = {}
    keys: dict[str, str] = {}  # many names recur (in other provinces, on both maps)

    def add(u: Unit) -> None:
        k = keys.get(u.name)
        if k is None:
            k = keys[u.name] = key(u.name)
        table.setdefault((u.kind, k), []).append(u)

    for r in _rows("communes_2025.csv"):
        old = tuple(r["old_province_codes"].split("|"))
        add(Unit(r["name"], r["kind"], "2025", old[0] if len(old) == 1 else None, r["province_code"],
                 f"{r['kind']} {r['name']}", None, old))
    for r in _rows("communes_pre2025.csv"):
        p = provs[r["province_code"]]
        add(Unit(r["name"], r["kind"], "pre-2025", p.code, p.merged_2025_code,
                 r["successors"].split("|")[0] or None, r["district"]))
    for r in _rows("districts.csv"):
        kind = next((k for prefix, k in _DISTRICT_KIND.items() if r["district"].startswith(prefix + " ")), None)
        if kind is None:
            continue
        p = provs[r["province_code"]]
        add(Unit(r["name"], kind, "pre-2025", p.code, p.merged_2025_code, None))
    return table


@lru_cache(maxsize=None)
def _first_words() -> tuple[frozenset[str], bool]:
    """The first words of the names as written (both tone placements), and whether some
    name starts with a digit ("Quận 1")."""
    written = {u.name.split()[0] for us in units().values() for u in us}
    words = written | {old_tone(w) for w in written}
    return frozenset(words), any(w.isdigit() for w in words)


# the last word of every type word, lower case: a cheap test before the regex
_TYPE_TAILS = frozenset(["khu", "trấn", "xã", "phố", "phường", "huyện", "quận", "tp", "tx", "tt", "p", "q",
                         "tp.", "tx.", "tt.", "p.", "q."])


@lru_cache(maxsize=None)
def _longest_name() -> int:
    return max(len(k.split()) for _, k in units())


# the words that can make a name: letters, digits, apostrophes and hyphens ("Đắk R'Lấp",
# "Phan Rang-Tháp Chàm"), separated by single spaces
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}'’-]+")
_NEXT_CAP = regex.compile(r"[ \t]\p{Lu}\p{Ll}")


@lru_cache(maxsize=None)
def _name_prefixes() -> frozenset[str]:
    """Every word prefix of every name key ("tân", "tân phú", "tân phú trung"): a
    longer name is looked up only while the words read so far begin one."""
    out = set()
    for k in {k for _, k in units()}:
        words = k.split(" ")
        for n in range(1, len(words) + 1):
            out.add(" ".join(words[:n]))
    return frozenset(out)


@lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    # ``key`` of a name is the keys of its words joined by spaces (no normalization
    # step reaches across a space)
    return key(word)


def _name_at(text: str, pos: int, kind: str) -> Optional[tuple[int, list[Unit]]]:
    """The longest gazetteer name of that kind written at ``pos``: the next words are read
    while they begin some name (a name is at most a handful of words). The name must not be
    the start of a longer name ("xã Tân Phú Trung" is not "xã Tân Phú")."""
    table, prefixes = units(), _name_prefixes()
    best = None
    k, p = "", pos
    for _ in range(_longest_name()):
        m = _WORD.match(text, p)
        if m is None:
            break
        k = (k + " " + _word_key(m.group())) if k else _word_key(m.group())
        if k not in prefixes:
            break
        cands = table.get((kind, k))
        if cands:
            best = (m.end(), cands)
        if not (m.end() < len(text) and text[m.end()] in " \t"):
            break
        p = m.end() + 1
    if best is None or _NEXT_CAP.match(text, best[0]):
        return None
    return best


@dataclass
class _Hit:
    start: int
    end: int
    kind: str
    name: str
    candidates: list[Unit]
    all_candidates: list[Unit]
    era_hint: Optional[str] = None
    unit: Optional[Unit] = None
    province_code: Optional[str] = None     # the province when the unit itself stays ambiguous
    merged_2025_province_code: Optional[str] = None


def _scan(doc: Document) -> list[_Hit]:
    """Tried only where a name can start: at the capitalized words (and numbers) that open
    a gazetteer name, when a type word ends right before them."""
    text = doc.text
    first, digits = _first_words()
    starts = [p for p, w in doc.cap_words() if w in first]
    if digits:
        starts = sorted(starts + doc.number_starts())
    out: list[_Hit] = []
    for p in starts:
        if out and p < out[-1].end:
            continue
        lo = max(0, p - 12)
        before = text[lo:p]
        tail = before.rstrip(" \t")
        if tail[tail.rfind(" ") + 1:].lstrip("([\"“‘'-–").lower() not in _TYPE_TAILS:
            continue
        m = _TYPE_BEFORE.search(before)
        if m is None:
            continue
        kind = _TYPES[(m.group("w") or m.group("a")).lower()]
        found = _name_at(text, p, kind)
        if found is None:
            continue
        end, cands = found
        start = lo + m.start()
        if kind == "thành phố thuộc tỉnh" and _is_province_city(text[p:end], doc.published):
            continue
        hint = None
        if _OLD_AFTER.match(text, end):
            hint = "pre-2025"
        elif _NEW_AFTER.match(text, end):
            hint = "2025"
        out.append(_Hit(start, end, kind, cands[0].name, cands, list(cands), hint))
    return out


@lru_cache(maxsize=4096)
def _province_named(name: str) -> Optional[Province]:
    # the same city names recur in article after article ("thành phố Thủ Đức")
    return province_by_name(name)


def _is_province_city(name: str, published: Optional[date]) -> bool:
    """"thành phố Hồ Chí Minh" is a province; so is "thành phố Huế" once Huế is a city of the
    central government (the province renames of the gazetteer say when)."""
    p = _province_named(name)
    if p is None:
        return False
    from .gazetteer import province_form
    return p.kind == "thành phố" or province_form(p, published).startswith("thành phố")


def _era(hit: _Hit, published: Optional[date]) -> list[Unit]:
    """The candidates of the map the mention belongs to: "cũ" / "mới" when written, else the
    map of the publication date (the current one without a date), else whichever has it."""
    eras = {u.era for u in hit.candidates}
    if len(eras) == 1:
        return hit.candidates
    want = hit.era_hint or ("pre-2025" if published is not None and published < MAP_2025 else "2025")
    return [u for u in hit.candidates if u.era == want]


def _narrow(cands: list[Unit], province: Optional[Province]) -> list[Unit]:
    if province is None:
        return cands
    inside = [u for u in cands if u.in_province(province)]
    return inside or cands


def _province_order(doc: Document) -> tuple[list, list[int], bool]:
    """The province spans, their starts, and whether they are sorted and do not overlap
    (as ``provinces.extract`` leaves them); computed once per document."""
    spans = doc.context.get("province_spans") or []
    cached = doc.context.get("_province_order")
    if cached is None or cached[0] is not spans:
        starts = [int(ps) for ps, _, _ in spans]
        ordered = all(spans[i][1] <= spans[i + 1][0] and spans[i][0] < spans[i][1] for i in range(len(spans) - 1))
        cached = (spans, starts, ordered and all(ps < pe for ps, pe, _ in spans))
        doc.context["_province_order"] = cached
    return cached


def _nearest_province(doc: Document, hit: _Hit) -> Optional[Province]:
    """The province named nearest to the hit inside its sentence (the earlier one on a tie)."""
    s, e = doc.sentence_of(hit.start)
    spans, starts, ordered = _province_order(doc)
    best, dist = None, None
    if ordered:
        # sorted, disjoint spans: the nearest before the hit is the last one ending before
        # it, the nearest after it the first one starting after it
        i = bisect.bisect_right(starts, hit.start) - 1
        while i >= 0 and spans[i][1] > hit.start:
            i -= 1
        if i >= 0 and spans[i][0] >= s:
            best, dist = spans[i][2], hit.start - spans[i][1]
        j = bisect.bisect_left(starts, hit.end)
        if j < len(spans) and spans[j][1] <= e and (dist is None or spans[j][0] - hit.end < dist):
            best = spans[j][2]
        return provinces()[best] if best else None
    for ps, pe, code in spans:
        if s <= ps and pe <= e:
            d = hit.start - pe if pe <= hit.start else ps - hit.end
            if d >= 0 and (dist is None or d < dist):
                best, dist = code, d
    return provinces()[best] if best else None


def _settle(hit: _Hit, cands: list[Unit]) -> bool:
    if len(cands) == 1:
        hit.unit = cands[0]
        return True
    return False


def _resolve(doc: Document, hits: list[_Hit]) -> None:
    published = doc.published
    main = doc.context.get("main_province")
    pending = []
    for j, h in enumerate(hits):
        cands = _era(h, published)
        h.candidates = cands
        if not _settle(h, _narrow(cands, _nearest_province(doc, h))):
            pending.append((j, h))
    # a district named right next to a commune ("xã Tân Phú, huyện Đồng Phú")
    for j, h in pending:
        for other in (hits[j + 1] if j + 1 < len(hits) else None, hits[j - 1] if j else None):
            if other is None or other.unit is None or abs(other.start - h.end) > 40 and abs(h.start - other.end) > 40:
                continue
            if other.kind in _DISTRICT_KINDS and h.kind not in _DISTRICT_KINDS:
                # next to an old district, a commune is one of the old map too
                near = [u for u in h.all_candidates if u.district and u.province_code == other.unit.province_code
                        and key(u.district).endswith(" " + key(other.unit.name))]
                if _settle(h, near):
                    break
            if other.unit.province_code:
                if _settle(h, [u for u in h.candidates if u.province_code == other.unit.province_code]):
                    break
    for _, h in pending:
        if h.unit is None and main is not None:
            _settle(h, [u for u in h.candidates if u.in_province(main)])
        if h.unit is None:
            # one province for all the candidates: the province is known, the unit not
            olds = {u.province_code for u in h.candidates}
            news = {u.merged_2025_province_code for u in h.candidates}
            if len(olds) == 1:
                h.province_code = olds.pop()
            if len(news) == 1:
                h.merged_2025_province_code = news.pop()


def find(doc: Document) -> list[_Hit]:
    """The locality mentions of a document, resolved (view offsets); cached in its context."""
    found = doc.context.get("_localities")
    if found is None:
        found = _scan(doc)
        if found:
            _resolve(doc, found)
        doc.context["_localities"] = found
    return found


def province_of(doc: Document, start: int, end: int) -> Optional[Province]:
    """The 63-era province of the locality written at a view span (for agencies)."""
    hits = find(doc)
    starts = doc.context.get("_locality_starts")
    if starts is None or len(starts) != len(hits):
        starts = doc.context["_locality_starts"] = sorted((h.start, i) for i, h in enumerate(hits))
    # a mention is a type word and a name, far shorter than _LONGEST characters
    lo = bisect_left(starts, (start - _LONGEST, -1))
    hi = bisect_left(starts, (max(end, start + 1), -1))
    inside = [i for _, i in starts[lo:hi] if hits[i].start <= start < hits[i].end or start <= hits[i].start < end]
    if not inside:
        return None
    h = hits[min(inside)]
    code = h.unit.province_code if h.unit else h.province_code
    return provinces()[code] if code else None


def article_province(doc: Document) -> Optional[Province]:
    """For an article that names no province: the one province its resolved localities lie in."""
    codes = Counter(h.unit.province_code for h in find(doc) if h.unit and h.unit.province_code)
    return provinces()[codes.most_common(1)[0][0]] if len(codes) == 1 else None


def extract(doc: Document) -> list[LocalityMention]:
    hits = find(doc)
    if doc.context.get("main_province") is None:
        main = article_province(doc)
        if main is not None:
            doc.context["main_province"] = main
            doc.context["province_counts"] = Counter({main.code: 1})
    out = []
    for h in hits:
        u = h.unit
        era = u.era if u else (h.candidates[0].era if len({c.era for c in h.candidates}) == 1 else None)
        out.append(LocalityMention(
            **doc.mention(h.start, h.end), rule="gazetteer:" + h.kind, name=h.name, kind=h.kind,
            era=era or ("pre-2025" if doc.published and doc.published < MAP_2025 else "2025"),
            code=None,
            province_code=u.province_code if u else h.province_code,
            merged_2025_code=None,
            merged_2025_name=u.merged_2025_name if u else None,
            merged_2025_province_code=u.merged_2025_province_code if u else h.merged_2025_province_code))
    return out


# --- names as of the article's date (called by agencies) ---------------------------------

_HISTORICAL_BEFORE = regex.compile(r"(?i:trước đây|trước kia|trước khi (?:hợp nhất|sáp nhập|sắp xếp)|(?<![\p{L}\p{M}])nguyên là)")


def _historical(doc: Document, start: int, end: int) -> bool:
    """A name the text itself marks as past: "tỉnh Kon Tum cũ", "(cũ)", "trước đây, Bộ ..."."""
    if _OLD_AFTER.match(doc.text, end):
        return True
    s, _ = doc.sentence_of(start)
    return _HISTORICAL_BEFORE.search(doc.text, s, start) is not None


@lru_cache(maxsize=None)
def _successors() -> dict[str, tuple[str, str]]:
    """Ministries and departments that ended by a merger: name -> (last day, successor)."""
    from .gazetteer import departments, ministries
    return {r["name_vi"]: (r["valid_to"], r["merged_into_name"]) for r in list(ministries()) + list(departments())
            if r.get("valid_to") and r.get("merged_into_name")}


def body_name_on_date(doc: Document, name: str, start: int, end: int) -> str:
    """The name of a ministry or department on the article's date: "Bộ Kế hoạch và Đầu tư"
    in a 2026 article is "Bộ Tài chính" (merged on 1 March 2025), unless the text marks the
    name as past."""
    succ = _successors().get(name)
    if succ is None or doc.published is None or doc.published.isoformat() <= succ[0]:
        return name
    return name if _historical(doc, start, end) else succ[1]


def province_name_at(doc: Document, province: Province, end: int) -> str:
    """"tỉnh Bình Dương" / "thành phố Huế": the province as named on the article's date,
    or as written when the text marks it as the old one ("tỉnh Thừa Thiên Huế cũ")."""
    if _OLD_AFTER.match(doc.text, end):
        return province.full_name()
    return province.full_name(doc.published)


def dominant_province(doc: Document) -> Optional[Province]:
    """The article's province for bodies named without one ("UBND tỉnh"), when it dominates
    the article's province mentions. After 1 July 2025 the mentions count by their 2025 unit:
    an article about Quảng Ngãi that keeps naming "tỉnh Kon Tum cũ" is about Quảng Ngãi."""
    main = doc.context.get("main_province")
    counts = doc.context.get("province_counts") or {}
    if not main or not counts:
        return None
    if doc.published is not None and doc.published >= MAP_2025:
        provs = provinces()
        merged: Counter = Counter()
        for code, n in counts.items():
            merged[provs[code].merged_2025_code] += n
        code, n = merged.most_common(1)[0]
        return _as_2025_unit(code) if n * 2 >= sum(merged.values()) else None
    return main if counts[main.code] * 2 >= sum(counts.values()) else None


@lru_cache(maxsize=None)
def _as_2025_unit(code: str) -> Optional[Province]:
    """The 63-era record that stands for a 2025 unit: the predecessor whose name it kept
    (new Gia Lai, code 52, is "Gia Lai", not Bình Định whose code it took), else the one
    whose code it kept (Huế)."""
    members = [p for p in provinces().values() if p.merged_2025_code == code]
    return (next((p for p in members if p.name == p.merged_2025_name), None)
            or next((p for p in members if p.code == code), None))
