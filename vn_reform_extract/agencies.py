"""Agency mentions: central bodies from the gazetteers, local bodies as head + place.

Every mention gets the canonical name of SCHEMA ("UBND tỉnh" in an article about
Bình Dương -> "Ủy ban nhân dân tỉnh Bình Dương"). Later extractors find the spans in
``doc.context["agency_spans"]``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from . import localities, patterns, provinces as province_mod
from .document import _CAP_WORD, Document, first_words
from .gazetteer import Province, central_bodies, departments, district_province, ministries, surnames
from .officials.names import is_foreign_word
from .schema import AgencyMention
from .spans import Taken
from .textnorm import nfc
from .trie import trie_pattern

_B = r"(?<![\p{L}\p{N}_])"
_E = r"(?![\p{L}\p{N}_])"
_SEP = r"[ ,&–-]+(?:và )?"
_CAP = r"\p{Lu}[\p{Ll}\p{M}]*"
_DISTRICT_TYPES = {"huyện": "huyện", "quận": "quận", "q": "quận", "thị xã": "thị xã", "tx": "thị xã",
                   "thành phố": "thành phố", "tp": "thành phố"}
_COMMUNE_TYPES = {"phường": "phường", "p": "phường", "xã": "xã", "thị trấn": "thị trấn"}
_PLACE_TYPE = r"(?P<ptype>(?i:tỉnh|thành phố|tp\.?|huyện|quận|q\.|thị xã|tx\.?|phường|p\.|xã|thị trấn))"
# a name's words on one line: "Phủ Lý" at the end of a line is no person "Lý ..."
_LOCAL_NAME = (r"(?P<pname>\d{1,2}" + _E + r"|" + _CAP + r"(?:[ \t]+(?!(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Trương|Đinh)[ \t]+\p{Lu})"
               + r"(?:" + _CAP + r"|\d{1,2})" + _E + r"){0,3})")


def _words(alias: str) -> list[str]:
    return [w for w in regex.split(r"\s*[-–,&]\s*|\s+", alias) if w and w != "và"]


def _flex(aliases) -> str:
    """A pattern for aliases that tolerates the spellings of news text: any case after the
    first letter, "-", "," or "&" for a space, a dropped "và" ("Sở Tài nguyên Môi trường")."""
    return trie_pattern(aliases, tokens=_words, joiner=_SEP, rest_ignore_case=True)


@dataclass(frozen=True)
class Body:
    name: str
    kind: str
    level: str = "central"
    ministry: Optional[str] = None


@lru_cache(maxsize=None)
def _config() -> dict:
    return patterns.load("agencies").data


@lru_cache(maxsize=None)
def _central() -> dict[str, Body]:
    """Every alias of a central body -> the body (ministries.csv, central_bodies.csv)."""
    cfg = _config()
    codes = set(cfg.get("standalone_codes") or [])
    table: dict[str, Body] = {}
    for r in ministries():
        body = Body(r["name_vi"], r["kind"])
        for a in r["aliases"].split("|"):
            if a and (not regex.fullmatch(r"[A-Z]+", a) or a in codes):
                table.setdefault(a, body)
    for r in central_bodies():
        body = Body(r["name"], r["kind"], ministry=r["ministry"] or None)
        for a in r["aliases"].split("|"):
            if a:
                table.setdefault(a, body)
    return table


@lru_cache(maxsize=None)
def _foreign_rx() -> Optional[regex.Pattern]:
    """A country name right after a central body: "Bộ Quốc phòng Trung Quốc" is no Vietnamese body."""
    countries = _config().get("foreign_countries") or []
    if not countries:
        return None
    return regex.compile(r"[ \t]*(?:của |tại )?(?:" + trie_pattern(countries, tokens=str.split, joiner=" ") + r")" + _E)


@lru_cache(maxsize=None)
def _central_first_words() -> frozenset[str]:
    return first_words(_central())


# a body named inside a title starts in lower case: "Trưởng ban Nội chính Trung ương",
# "Chánh văn phòng T.Ư Đảng", "Bí thư huyện ủy A Lưới", "Trưởng đoàn ĐBQH tỉnh"
_TITLE_HEAD = regex.compile(r"(?<=(?<![\p{L}\p{M}])(?:[Tt]rưởng|Chánh|[Bb]í thư|Phó|[Ủủ]y viên|[Uu]ỷ viên) )"
                            r"(?:ban|văn phòng|đoàn|(?:huyện|thành|tỉnh|quận|thị|đảng) (?:ủy|uỷ))(?= )")


def _view(doc: Document) -> str:
    """The text with the heads of bodies named inside titles capitalized (same length, so
    every offset stays valid); the text itself when there are none."""
    view = doc.context.get("_agency_view")
    if view is None:
        text = doc.text
        hits = [m.start() for m in _TITLE_HEAD.finditer(text)] if _MAY_HAVE_TITLE_HEAD.search(text) else []
        if hits:
            chars = list(text)
            for i in hits:
                chars[i] = chars[i].upper()
            view = "".join(chars)
        else:
            view = text
        doc.context["_agency_view"] = view
        doc.context["_agency_title_heads"] = hits
    return view


_MAY_HAVE_TITLE_HEAD = regex.compile(r"(?:rưởng|Chánh|í thư|Phó|viên) (?:ban|văn|đoàn|huyện|thành|tỉnh|quận|thị|đảng) ")


def _with_title_heads(doc: Document, rx: regex.Pattern, found: list) -> list:
    """``found`` plus the matches of ``rx`` at the heads capitalized by ``_view``."""
    view = _view(doc)
    extra = [m for p in doc.context["_agency_title_heads"] if (m := rx.match(view, p))]
    return sorted(found + extra, key=lambda m: m.start()) if extra else found


@lru_cache(maxsize=None)
def _central_by_first_word() -> dict[str, regex.Pattern]:
    """The central pattern split by the first word of its aliases: one big alternation
    costs far more per try than the small one of the word found at the position."""
    groups: dict[str, list[str]] = {}
    for alias in _central():
        m = _CAP_WORD.match(alias)
        if m:
            groups.setdefault(m.group().lower(), []).append(alias)
    # the separator between words is one subpattern called by name: a third of the size,
    # and of the compile time, of the patterns that spell it out between every two words
    return {w: regex.compile(_B + r"(?=\p{Lu})" + trie_pattern(aliases, tokens=_words, joiner="(?&sep)",
                                                               rest_ignore_case=True)
                             + _E + r"(?(DEFINE)(?P<sep>" + _SEP + "))")
            for w, aliases in groups.items()}


def _central_match(text: str, pos: int) -> Optional[regex.Match]:
    """The central body's alias at ``pos`` (its first word capitalized), if any."""
    w = _CAP_WORD.match(text, pos)
    rx = _central_by_first_word().get(w.group().lower()) if w else None
    return rx.match(text, pos) if rx is not None else None


def _central_matches(doc: Document) -> list[regex.Match]:
    by_word = _central_by_first_word()
    found, end, text = [], 0, doc.text
    for p, w in doc.cap_words_in(by_word):
        if p >= end and (m := by_word[w].match(text, p)):
            found.append(m)
            end = max(m.end(), p + 1)
    view = _view(doc)
    extra = [m for p in doc.context["_agency_title_heads"] if (m := _central_match(view, p))]
    return sorted(found + extra, key=lambda m: m.start()) if extra else found


@lru_cache(maxsize=None)
def _central_keys() -> dict[str, Body]:
    return {_dept_key(a): b for a, b in _central().items()}


@lru_cache(maxsize=4096)
def _central_body(surface: str) -> Optional[Body]:
    return _central_keys().get(_dept_key(surface))


@lru_cache(maxsize=None)
def _prefix_rx() -> tuple[regex.Pattern, list[dict]]:
    prefixes = _config()["prefixes"]
    alts = "|".join(f"(?P<p{i}>{p['pattern']})" for i, p in enumerate(prefixes))
    return regex.compile(r"(?:" + alts + r")\s+$"), prefixes


@lru_cache(maxsize=None)
def _local() -> tuple[regex.Pattern, list[dict], dict[str, dict]]:
    heads = _config()["heads"]
    depts: dict[str, dict] = {}
    for r in departments():
        for a in r["aliases"].split("|"):
            if a.startswith("Sở "):
                depts.setdefault(a[3:], r)
    dept_alts = _flex(depts)
    head_alts = "|".join(f"(?P<h{i}>{h['pattern']})" for i, h in enumerate(heads))
    # "Phòng Tư pháp thị xã Dĩ An"; "Phòng Cảnh sát hình sự Công an tỉnh Kon Tum" and
    # "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao, Công an tỉnh
    # Thái Nguyên" name their parent body after them
    cfg = _config()
    parent = "|".join(cfg.get("sub_unit_parents") or ["(?!)"])
    # the words of a unit's name are no verbs ("Phòng Cảnh sát kinh tế chủ trì, phối hợp Công an ...")
    stop = trie_pattern(sorted(set(cfg.get("name_stop") or []) - {"và"}), tokens=str.split, joiner=" ")
    phong = (r"(?P<phong>(?:P|(?<=[Tt]rưởng\s)p)hòng\s+(?:\p{Lu}{2,5}(?=\s)|" + _CAP + r")(?:(?:\s+|\s*[-–]\s*|\s+và\s+|,\s+(?=(?:chống|cứu hộ)\s))"
             r"(?!(?:huyện|quận|thị xã|thành phố|phường|xã|thị trấn|tỉnh)\s)(?!(?:" + stop + r")(?![\p{L}\p{M}]))"
             r"[\p{L}\p{M}]+){0,14}?)(?=\s+(?:huyện|quận|thị xã|thành phố|phường|xã|thị trấn)\s"
             r"|(?:\s*\([A-ZĐ]{1,4}\d{0,3}\))?(?P<parent>(?:\s*[-–,])?\s+(?:" + parent + r")\s))")
    rx = regex.compile(_B + r"(?:(?P<dept>Sở\s+(?i:" + dept_alts + r"))" + _E + r"|" + phong
                       + r"|(?=\p{Lu})(?i:" + head_alts + r")" + _E + r")")
    return rx, heads, {_dept_key(a): r for a, r in depts.items()}


@lru_cache(maxsize=None)
def _local_first_words() -> frozenset:
    cfg = _config()
    words = [h["canon"] for h in cfg["heads"]] + list(cfg.get("first_words_extra") or [])
    return first_words(words)


_LOWER_PHONG = regex.compile(r"(?<=[Tt]rưởng\s)phòng")


def _local_matches(doc: Document) -> list:
    """What the local pattern's ``finditer`` finds, tried only at the first words of heads
    (and at "phòng" after "trưởng", the one head written in lower case)."""
    lrx = _local()[0]
    found = doc.matches_at_cap_words(lrx, _local_first_words())
    if "rưởng phòng" in doc.text:
        found += [m for p in _LOWER_PHONG.finditer(doc.text) if (m := lrx.match(doc.text, p.start()))]
        found.sort(key=lambda m: m.start())
    return _with_title_heads(doc, lrx, found)


def _dept_key(surface: str) -> str:
    return " ".join(w for w in _KEY_SPLIT.split(surface.lower()) if w and w != "và")


_KEY_SPLIT = regex.compile(r"[\s,&–-]+")
_SPACES = regex.compile(r"\s+")


# "HĐND huyện  Trong không khí ...": a place name follows its type after one space and is
# no capitalized function word
_NOT_PLACE = r"(?!(?:Trong|Tại|Theo|Khi|Với|Về|Để|Do|Sau|Trước|Từ|Đến|Qua|Nhưng|Còn|Cũng|Ngoài|Bên|Riêng|Hiện|Vì|Nếu|Ngày|Tháng|Năm|Ảnh|Nguồn|Video|Clip)(?![\p{L}\p{M}]))"
_PLACE_RX = regex.compile(r"\s+" + _PLACE_TYPE + r"(?:(?<=\.) ?| )" + _NOT_PLACE + _LOCAL_NAME + "?")
_TYPE_ONLY_RX = regex.compile(r"\s+" + _PLACE_TYPE + _E)
_WS = regex.compile(r"\s+")
_BARE_NAME_RX = regex.compile(r"\s+" + _LOCAL_NAME)


_DISTRICT_TYPE_RX = regex.compile(r"\s+(?:huyện|quận|thị xã|Q\.)" + _E)
_LOCAL_AFTER = regex.compile(r"[ \t]+(?:xã|phường|thị trấn|huyện|quận|thị xã|tỉnh)" + _E)
_PROVINCE_TYPE_RX = regex.compile(r"\s+(?i:tỉnh|thành phố|tp\.?)" + _E)


def _bare_name(prov: Province) -> str:
    """The province as written right after "Tỉnh ủy"/"Thành ủy": its name, or the form of
    ``bare_names`` ("Thành ủy Thành phố Hồ Chí Minh", not a person's name)."""
    return (_config().get("bare_names") or {}).get(prov.name, prov.name)


@dataclass
class Place:
    form: str           # as written in canonical names: "tỉnh Bình Dương", "huyện A Lưới"
    level: str
    end: int            # view position where the place ends
    province: Optional[Province] = None


def _province_at(doc: Document, pos: int) -> Optional[tuple[int, Province, str]]:
    rx, by_alias = province_mod._matcher()
    m = rx.match(doc.text, pos)
    if m:
        return m.end(), by_alias[m.group()], m.group()
    return None


def _implicit_province(doc: Document, pos: int) -> Optional[Province]:
    """The province a bare "UBND tỉnh" means: the last one named earlier in the sentence,
    else the article's main province when it dominates the article."""
    from .gazetteer import provinces
    s, _ = doc.sentence_of(pos)
    last = None
    for ps, pe, code in doc.context.get("province_spans", []):
        if s <= ps and pe <= pos:
            last = code
    if last:
        return provinces()[last]
    return localities.dominant_province(doc)


def _person_name(ptype: str, name: str) -> bool:
    """Whether the capitalized words after a district type are a person's name rather than
    the district's: "Thành phố" written with a capital stands for the article's city, and
    a family name with two more syllables ("thành phố Nguyễn Ngọc Tuấn") is a person,
    unless the district gazetteer knows the name."""
    words = name.split()
    if district_province(name) is not None:
        return False
    if ptype[:1].isupper() and ptype.lower().startswith("thành phố"):
        return True
    return len(words) >= 3 and words[0] in surnames()


def _parse_place(doc: Document, pos: int, style: str) -> Optional[Place]:
    text = doc.text
    ws = _WS.match(text, pos)
    after_ws = ws.end() if ws else pos
    if style in ("bare", "bare_city", "bare_district"):
        if style != "bare_district" and ws:
            hit = _province_at(doc, after_ws)
            if hit:
                end, prov, _ = hit
                return Place(_bare_name(prov), "provincial", end, prov)
            if _PROVINCE_TYPE_RX.match(text, pos):
                # "Thành ủy Thành phố Hồ Chí Minh", "Tỉnh ủy tỉnh Lạng Sơn"
                place = _parse_place(doc, pos, "admin")
                if place is not None and place.level == "provincial":
                    return Place(_bare_name(place.province), "provincial", place.end, place.province)
        if style != "bare" and _DISTRICT_TYPE_RX.match(text, pos):
            # "Quận ủy quận 9" (a number needs its type word), "Huyện ủy huyện Sóc Sơn" -> "Huyện ủy Sóc Sơn"
            place = _parse_place(doc, pos, "admin")
            if place is not None and place.level == "district":
                name = place.form.split(" ", 2 if place.form.startswith("thị xã") else 1)[-1]
                return place if name.isdigit() else Place(name, "district", place.end, place.province)
        m = _BARE_NAME_RX.match(text, pos)
        # "Huyện ủy A Lưới", "Thành ủy Quy Nhơn" (a city inside a province); not the person
        # after a title ("Bí thư huyện ủy Hồ Xuân Trăng")
        if m and style != "bare" and not _person_name("huyện", m.group("pname")):
            name = m.group("pname")
            return Place(name, "district", m.end(), district_province(name))
        return None
    if ws:
        hit = _province_at(doc, after_ws)
        if hit:
            end, prov, alias = hit
            return Place(localities.province_name_at(doc, prov, end), "provincial", end, prov)
    m = _PLACE_RX.match(text, pos)
    if m and m.group("pname"):
        ptype = m.group("ptype").lower().rstrip(".")
        name_start = m.start("pname")
        if ptype in ("tỉnh", "thành phố", "tp"):
            hit = _province_at(doc, name_start)
            if hit:
                end, prov, _ = hit
                if ptype == "tỉnh" or prov.full_name(doc.published).startswith("thành phố"):
                    return Place(localities.province_name_at(doc, prov, end), "provincial", end, prov)
                return Place(f"thành phố {m.group('pname')}", "district", m.end(), prov)
            if ptype == "tỉnh":
                return None
        if ptype in _DISTRICT_TYPES and _person_name(m.group("ptype"), m.group("pname")):
            m = None  # "UBND Thành phố Nguyễn Văn Tùng": the city of the article, then a person
        elif ptype in _DISTRICT_TYPES:
            return Place(f"{_DISTRICT_TYPES[ptype]} {m.group('pname')}", "district", m.end(),
                         district_province(m.group("pname")) or localities.province_of(doc, m.start("pname"), m.end()))
        if ptype in _COMMUNE_TYPES:
            return Place(f"{_COMMUNE_TYPES[ptype]} {m.group('pname')}", "commune", m.end(),
                         localities.province_of(doc, m.start("pname"), m.end()))
    m = _TYPE_ONLY_RX.match(text, pos)
    ptype = m.group("ptype").lower().rstrip(".") if m else ""
    if ptype in ("tỉnh", "thành phố", "tp"):
        prov = _implicit_province(doc, pos)
        if prov and (ptype == "tỉnh") == prov.full_name(doc.published).startswith("tỉnh"):
            return Place(prov.full_name(doc.published), "provincial", m.end(), prov)
    if ptype in ("huyện", "quận", "thị xã", "tx"):
        # "UBND thị xã" in an article that names one town: that town
        kind = _DISTRICT_TYPES[ptype]
        names = _named_districts(doc).get(kind, [])
        if len(names) == 1:
            return Place(f"{kind} {names[0]}", "district", m.end(), district_province(names[0]))
    return None


def _named_districts(doc: Document) -> dict[str, list[str]]:
    """The distinct districts the article names, by type ("thị xã" -> ["Kỳ Anh"])."""
    found = doc.context.get("_districts")
    if found is None:
        found = {}
        for dm in _DISTRICT_RX.finditer(doc.text):
            ptype = dm.group("dtype").lower().rstrip(".")
            name = dm.group("pname")
            if _person_name(dm.group("dtype"), name):
                continue
            names = found.setdefault(_DISTRICT_TYPES[ptype], [])
            if name not in names:
                names.append(name)
        doc.context["_districts"] = found
    return found


_TITLE_BEFORE = regex.compile(r"(?:Ủy viên|Uỷ viên|Bí thư|Chủ tịch|Thủ tướng|Trưởng|Trưởng [Bb]an|Phó)\s+$")


def _prefix(text: str, start: int) -> Optional[regex.Match]:
    """The prefix ("Ban Thường vụ", "Văn phòng" ...) right before a body, if it makes a body
    of its own: "Phó Bí thư Thường trực Tỉnh ủy" and "Ủy viên Ban Thường vụ Tỉnh ủy" are titles."""
    prefix_rx, prefixes = _prefix_rx()
    window = text[max(0, start - 40):start]
    pm = prefix_rx.search(window)
    if pm is None:
        return None
    p = prefixes[int(pm.lastgroup[1:])]
    # "Phó Bí thư Thường trực Tỉnh ủy" is a title; "Ủy viên Ban Thường vụ Tỉnh ủy" names the body
    if p["canon"] == "Thường trực" and _TITLE_BEFORE.search(window[:pm.start()]):
        return None
    if any(text.startswith(w, start) for w in p.get("not_before") or ()):
        return None
    return pm


@lru_cache(maxsize=None)
def _club_rx() -> regex.Pattern:
    return regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(_config()["club_words"]) + r")(?![\p{L}\p{M}])")


_PLACE_TYPE_WORD = regex.compile(r"(?i:tỉnh|thành phố|tp|huyện|quận|thị xã|xã|phường)(?![\p{L}\p{M}])")


def _is_club(doc: Document, start: int, head_end: int, end: int) -> bool:
    """"Công an Hà Nội thắng 6-1": a football club named after a body, written without the
    place's type word, in a sentence about sport."""
    if _PLACE_TYPE_WORD.search(doc.text, head_end, end):
        return False
    s, e = doc.sentence_of(start)
    return bool(_club_rx().search(doc.text, s, max(e, end)))


# "Thanh tra Bộ", "Văn phòng Bộ" with no ministry named after them: the article's ministry
_IMPLICIT_MINISTRY = regex.compile(r"(?<![\p{L}\p{M}])(?P<unit>Thanh tra|Văn phòng) Bộ(?![\p{L}\p{M}])(?![ \t]*(?:\p{Lu}|\d|trưởng|[\p{L}\p{M}]+ (?:và|vụ)))")


def _implicit_ministry_units(doc: Document, cands: list) -> list:
    if "a Bộ" not in doc.text and "g Bộ" not in doc.text:
        return []
    counts: dict[str, int] = {}
    for c in cands:
        if c[2].kind == "ministry" and c[4] == "central-gazetteer":
            counts[c[2].name] = counts.get(c[2].name, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    named = [n for n, k in counts.items() if k == top]
    if len(named) != 1:
        return []
    return [(m.start(), m.end(), Body(f"{m.group('unit')} {named[0]}", "department", "central", named[0]), None,
             "central-with-prefix") for m in _IMPLICIT_MINISTRY.finditer(doc.text)]


_SHARED_SEP = regex.compile(r"[ \t]*(?:[,/&–-]|và)[ \t]*")


def _shared_place(doc: Document, pos: int) -> Optional[Place]:
    """"HĐND, UBND tỉnh Bình Dương", "Tỉnh ủy - HĐND - UBND tỉnh": a head with no place of its
    own, listed right before bodies of the same kind of place, is at that place."""
    lrx, heads, _ = _local()
    at = pos
    for _ in range(3):
        sep = _SHARED_SEP.match(doc.text, at)
        nxt = lrx.match(doc.text, sep.end()) if sep else None
        if nxt is None or nxt.group("dept") or nxt.group("phong"):
            return None
        head = heads[int(nxt.lastgroup[1:])]
        if head["place"] != "admin":
            return None
        place = _parse_place(doc, nxt.end(), "admin")
        if place is not None:
            return Place(place.form, place.level, pos, place.province)
        at = nxt.end()
    return None


@lru_cache(maxsize=None)
def _standing_before_rx() -> regex.Pattern:
    return regex.compile(r"(?P<bt>Ban Thường vụ)(?:" + _config()["standing_before_title"] + r")$")


def _candidates(doc: Document) -> list[tuple[int, int, Body, Optional[str], str]]:
    text = _view(doc)
    out: list[tuple[int, int, Body, Optional[str], str]] = []
    prefix_rx, prefixes = _prefix_rx()
    foreign = _foreign_rx()
    # the body after a prefix that names a part of it ("Văn phòng Ngân hàng Nhà nước"), by the
    # prefixed mention's start: the article refers to that body too
    parents: dict[int, tuple] = doc.context.setdefault("_agency_parents", {})
    for m in _central_matches(doc):
        body = _central_body(m.group())
        if (body is None or body.kind == "ignore" or (foreign is not None and foreign.match(text, m.end()))
                or (body.kind in ("front", "party_committee") and _LOCAL_AFTER.match(text, m.end()))):
            # "Chủ tịch MTTQ Việt Nam xã": the commune's committee, not the central one
            out.append((m.start(), m.end(), Body("", "ignore"), None, "central-gazetteer"))
            continue
        s, kind, rule = m.start(), body.kind, "central-gazetteer"
        name = localities.body_name_on_date(doc, body.name, m.start(), m.end())
        pm = _prefix(text, s)
        if pm:
            p = prefixes[int(pm.lastgroup[1:])]
            pkind = "party_committee" if p["canon"] == "Đảng ủy" or p.get("kind") == "party_committee" else kind
            pname = f"{p['canon']} {name}"
            if "," in pm.group():
                # "Ban cán sự đảng, Bộ trưởng Bộ Giao thông vận tải": two bodies, each its own span
                ps = s - len(pm.group())
                out.append((ps, ps + pm.group().index(","), Body(pname, pkind, "central", body.ministry), None,
                            "central-with-prefix"))
            else:
                if p.get("implies_parent"):
                    parents[s - len(pm.group())] = (s, m.end(), Body(name, kind, "central", body.ministry), None, rule)
                s -= len(pm.group())
                name, rule, kind = pname, "central-with-prefix", pkind
        out.append((s, m.end(), Body(name, kind, "central", body.ministry), None, rule))
    out += _implicit_ministry_units(doc, out)
    lrx, heads, dept_keys = _local()
    pending = doc.context.setdefault("_agency_sub_units", [])
    for m in _local_matches(doc):
        rule = "local-head-place"
        if m.group("dept"):
            dept = dept_keys[_dept_key(m.group("dept")[3:])]
            head = {"canon": localities.body_name_on_date(doc, dept["name_vi"], m.start(), m.end()),
                    "kind": "department", "place": "admin", "implicit": True}
            ministry = localities.body_name_on_date(doc, dept["ministry"], m.start(), m.end()) or None
        elif m.group("phong"):
            head = {"canon": "P" + regex.sub(r"\s*([-–])\s*", r" \1 ", regex.sub(r"\s+", " ", m.group("phong")))[1:],
                    "kind": "department", "place": "admin",
                    "requires_place": True}
            ministry = None
        else:
            i = int(m.lastgroup[1:])
            head, ministry = heads[i], None
        place = _parse_place(doc, m.end(), head["place"]) if not m.group("parent") else None
        if place is None and head["place"] == "admin" and not m.group("phong") and not m.group("dept"):
            place = _shared_place(doc, m.end())
        end = m.end()
        if place is None:
            # after a comma the next body is the unit's parent in a title ("Trưởng phòng Khoáng
            # sản, Sở Tài nguyên và Môi trường tỉnh Yên Bái") or for a police unit; else a list
            if m.group("parent") and (not m.group("parent").lstrip().startswith(",")
                                      or text.endswith("rưởng ", 0, m.start())
                                      or _comma_parent_rx().match(m.group("phong"), 6)):
                canon = " ".join(_unit_abbreviations().get(w, w) for w in head["canon"].split(" "))
                pending.append((m.start(), m.end(), canon, m.end("parent") - len(m.group("parent").lstrip("-–, \t\n"))))
                continue
            if head.get("requires_place"):
                continue
            implicit = head.get("implicit") or head.get("implicit_city")
            prov = _implicit_province(doc, m.start()) if implicit else None
            if prov is None or (head.get("implicit_city") and prov.kind != "thành phố"):
                continue
            form = _bare_name(prov) if head["place"].startswith("bare") else prov.full_name(doc.published)
            place = Place(form, "provincial", end, prov)
            rule = "local-implicit-province"
        else:
            end = place.end
        if place.level != "provincial" and head["kind"] == "department" and m.group("dept"):
            continue  # a Sở belongs to a province
        if head.get("club_name") and _is_club(doc, m.start(), m.end(), end):
            continue
        prov = place.province or (_implicit_province(doc, m.start()) if place.level != "provincial" else None)
        s, name, kind = m.start(), f"{head['canon']} {place.form}", head["kind"]
        pm = _prefix(text, s)
        if pm:
            p = prefixes[int(pm.lastgroup[1:])]
            if not (p["canon"] == "Thanh tra" and head["canon"] == "Thanh tra"):
                if p.get("implies_parent"):
                    parents[s - len(pm.group())] = (s, end, Body(name, kind, place.level, ministry),
                                                    prov.code if prov else None, rule)
                s -= len(pm.group())
                name = f"{p['canon']} {name}"
                kind = ("party_committee" if head["kind"] == "party_committee" or p["canon"] == "Đảng ủy"
                        or p.get("kind") == "party_committee" else kind)
        out.append((s, end, Body(name, kind, place.level, ministry), prov.code if prov else None, rule))
        if head["kind"] == "party_committee" and s == m.start():
            st = _standing_before_rx().search(text, max(0, s - 90), s)
            if st:
                # "tham gia Ban Chấp hành, Ban Thường vụ, giữ chức Phó Bí thư Tỉnh ủy Quảng Ninh"
                out.append((st.start(), st.end("bt"), Body(f"Ban Thường vụ {name}", kind, place.level, ministry),
                            prov.code if prov else None, "local-head-place"))
        if place.level == "provincial" and rule == "local-head-place" and not head["place"].startswith("bare"):
            out += _listed_provinces(doc, end, name[:len(name) - len(place.form)], kind, ministry)
    return out


_LIST_NEXT = regex.compile(r"(?:\s*,\s*(?:và\s+)?|\s+và\s+)(?:(?:tỉnh|thành phố|TP\.?)\s*)?")


def _listed_provinces(doc: Document, pos: int, head: str, kind: str, ministry: Optional[str]) -> list:
    """"Công an tỉnh Trà Vinh, Bến Tre và Vĩnh Long": one body for each province of a list
    closed by "và" right after a body's province."""
    found, closed = [], False
    while not closed:
        sep = _LIST_NEXT.match(doc.text, pos)
        hit = _province_at(doc, sep.end()) if sep else None
        if hit is None:
            break
        end, prov, _ = hit
        closed = "và" in sep.group()
        found.append((sep.end(), end, Body(f"{head}{prov.full_name(doc.published)}", kind, "provincial", ministry), prov.code,
                      "local-head-place"))
        pos = end
    # closed by "và", or long enough to be a list ("Công an TPHCM, Gia Lai, Quảng Ngãi và một số đơn vị")
    return found if closed or len(found) >= 2 else []


@lru_cache(maxsize=None)
def _units() -> tuple[regex.Pattern, list[dict]]:
    cfg = _config()
    units = cfg.get("units") or []
    heads = "|".join(f"(?P<u{i}>{u['pattern']})" for i, u in enumerate(units))
    # the words that end a position in officials.yaml end a unit's name too
    officials_stop = [w.strip() for w in patterns.load("officials").macros.get("stop", "").split("|") if w.strip()]
    stop = trie_pattern(sorted(set(cfg.get("name_stop") or []) | set(officials_stop)), tokens=str.split, joiner=" ")
    prov_rx, _ = province_mod._matcher()
    # a family name followed by a capitalized syllable starts a person's name
    person = trie_pattern(sorted(surnames())) + r" \p{Lu}"
    # words of the stop list that belong to a name: "Cục Cảnh sát giao thông", "Cục Hàng không"
    keep = "|".join(cfg.get("name_not_stop") or []) or r"(?!)"
    not_word = (r"(?!" + person + r"|(?!(?:" + keep + r")(?![\p{L}\p{M}]))(?:" + stop + r"|Bộ|Sở|Ủy ban|UBND|Tổng cục|Cục|Vụ|Ban|huyện|quận|thị xã|thành phố|phường|xã|thị trấn|tỉnh|TP|Q\.|P\.)(?![\p{L}\p{M}])"
                r"|" + prov_rx.pattern + r")")
    # "Chi cục Phó Chi cục ...": a title, not the unit's name
    # "và" joins the two halves of a merged unit's name ("Cục Khoa học Công nghệ và Đào tạo",
    # "Cục Trồng trọt và Bảo vệ thực vật"), not a second body ("Vụ Pháp chế và Thanh tra Bộ")
    other_body = "|".join(cfg.get("not_after_and") or ["(?!)"])
    name = r"(?!(?:Phó|Trưởng|Phụ trách)\s)" + _CAP + r"(?:(?: | ?[-–] ?| và (?=\p{Lu})(?!(?:" + other_body + r")(?![\p{L}\p{M}])))" + not_word + r"(?:[\p{L}\p{M}]+|(?<=(?:Đề án|Chương trình|số) )\d{2,4}(?![\d/.,]\d))){0,5}"
    # a steering committee's topic: "Ban Chỉ đạo Trung ương về phòng, chống tham nhũng"
    tstop = trie_pattern(sorted(set(cfg.get("topic_stop") or [])), tokens=str.split, joiner=" ")
    tword = r"(?!(?:" + tstop + r")(?![\p{L}\p{M}]))[\p{L}\p{M}\d]+"
    topic = r"(?P<topic> về " + tword + r"(?:,? " + tword + r"){0,9})?"
    return regex.compile(_B + r"(?:" + heads + r") (?P<uname>" + name + r")" + _E + topic), units


# a steering committee of the centre: "Ban Chỉ đạo Trung ương ...", "... quốc gia", "Ban Chỉ đạo Đề án 896"
_CENTRAL_NAME = regex.compile(r"(?<![\p{L}\p{M}])(?:Trung ương|[Qq]uốc gia|Chính phủ|Nhà nước|(?:Đề án|Chương trình) \d+)(?![\p{L}\p{M}])")
# a region's unit of a central department ("Chi cục Hải quan khu vực II") is in no one province
_REGIONAL = regex.compile(r"(?<![\p{L}\p{M}])khu vực (?:[IVX]+|\d+)(?![\p{L}\p{M}\d])")
_FOREIGN_UNIT = regex.compile(r"(?<![\p{L}\p{M}])(?i:Liên bang)(?![\p{L}\p{M}])")
_LOCAL_PARENT_RX = regex.compile(r"\s*(?:\(|(?:trực )?thuộc\s)\s*")
_PARENT_RX = regex.compile(r"\s*(?:[-–,(]|thuộc|trực thuộc|của)\s*")


def _unit_candidates(doc: Document) -> list[tuple[int, int, Body, Optional[str], str]]:
    text = doc.text
    rx, units = _units()
    out = []
    foreign = _foreign_rx()
    for m in rx.finditer(text):
        i = int(next(k for k, v in m.groupdict().items() if v and k.startswith("u"))[1:])
        unit = units[i]
        if _FOREIGN_UNIT.search(m.group("uname")) or (foreign is not None and foreign.match(text, m.end())):
            continue  # "Cục Dự trữ Liên bang Mỹ"
        if m.group("uname").split(" ")[0] in (unit.get("not_names") or ()):
            continue  # "vụ Xuân 2017": a crop season
        head = _SPACES.sub(" ", text[m.start():m.start("uname")]).strip()
        name = f"{head} {nfc(m.group('uname'))}"
        if m.group("topic") and unit.get("topic"):
            name += " " + nfc(m.group("topic")).strip()
        # a unit named only with its parent ("Trung tâm Pháp y thuộc Sở Y tế thành phố Đà Nẵng")
        parent_only = unit.get("parent_only")
        place = _parse_place(doc, m.end(), "admin") if not parent_only else None
        end = place.end if place else m.end()
        ministry = None
        pm = _PARENT_RX.match(text, end) if place is None else None
        if pm:
            parent = _central_match(text, pm.end())
            body = _central_body(parent.group()) if parent else None
            if body is not None and body.kind == "ministry":
                ministry = body.name
            elif not unit.get("central"):
                # "Chi cục Quản lý đất đai (Sở Tài nguyên và Môi trường tỉnh Kon Tum)":
                # the unit is where its parent body is
                lp = _LOCAL_PARENT_RX.match(text, end)
                local = _local()[0].match(text, lp.end()) if lp else None
                parent_place = _parse_place(doc, local.end(), "admin") if local else None
                if parent_place is not None and parent_place.level == "provincial":
                    place = Place(parent_place.form, "provincial", end, parent_place.province)
        regional = _REGIONAL.search(name)
        if place is None and unit.get("implicit") and not regional:
            prov = _implicit_province(doc, m.start())
            if prov is not None:
                place = Place(prov.full_name(doc.published), "provincial", end, prov)
        if place is None and (parent_only or (not unit.get("central") and not regional and not _CENTRAL_NAME.search(name))):
            continue
        if place is not None:
            prov = place.province or (_implicit_province(doc, m.start()) if place.level != "provincial" else None)
            out.append((m.start(), end, Body(f"{name} {place.form}", unit["kind"], place.level), prov.code if prov else None,
                        "local-head-place"))
        else:
            out.append((m.start(), end, Body(name, unit["kind"], "central", ministry), None, "central-unit"))
    return out


_CLEAN_END = regex.compile(r"\s*(?:[^\s\p{L}\p{N}]|$|(?:thuộc|trực thuộc|của|Bộ)\s)")
_RUN_ON = regex.compile(r"\s+(?:\p{Ll}|(?:" + _NOT_PLACE[3:-len(r"(?![\p{L}\p{M}]))")] + r")(?![\p{L}\p{M}]))")


def _trim_run_ons(doc: Document, cands: list) -> list:
    """A unit name read from the text runs on into the verb after it ("Cục Chăn nuôi chỉ
    định", "Tổng cục Du lịch đề xuất"): when the article names the unit alone elsewhere,
    ending at punctuation or before its parent, a longer name that continues it with a
    lower-case word (or a sentence opener) is cut back to it."""
    text = doc.text
    units = [c for c in cands if c[4] == "central-unit"]
    if len(units) < 2:
        return cands
    clean = {c[2].name for c in units if _CLEAN_END.match(text, c[1])}
    if not clean:
        return cands
    out = []
    for c in cands:
        if c[4] == "central-unit" and c[2].name not in clean:
            best = max((n for n in clean if c[2].name.startswith(n + " ")), key=len, default=None)
            if best is not None:
                cut = c[0] + len(best)  # a central unit's name is the text, its spaces normalized
                if text[c[0]:cut].split() == best.split() and _RUN_ON.match(text, cut):
                    c = (c[0], cut, Body(best, c[2].kind, c[2].level, c[2].ministry), c[3], c[4])
        out.append(c)
    return out


def _resolve_overlaps(cands: list) -> list:
    """Longest first; a mention never overlaps another of the same list. A unit name read
    from the text ("Tổng cục Thống kê thường xuyên") gives way to a gazetteer name that
    starts at the same place ("Tổng cục Thống kê")."""
    known = {c[0] for c in cands if c[4] == "central-gazetteer"}
    cands = [c for c in cands if not (c[4] == "central-unit" and c[0] in known)]
    chosen: list = []
    taken = Taken(max((c[1] for c in cands), default=0))
    for c in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
        if not taken.overlaps(c[0], c[1]):
            chosen.append(c)
            taken.take(c[0], c[1])
    return sorted(chosen, key=lambda c: c[0])


_DISTRICT_RX = regex.compile(r"(?<![\p{L}])(?P<dtype>huyện|quận|thị xã|TX\.?|Huyện|Quận|Thị xã)\s+" + _NOT_PLACE + _LOCAL_NAME)


def _province_from_districts(doc: Document) -> Optional[Province]:
    """For an article that names districts but no province: the province they all lie in."""
    found = {p.code: p for m in _DISTRICT_RX.finditer(doc.text) if (p := district_province(m.group("pname")))}
    return next(iter(found.values())) if len(found) == 1 else None


@lru_cache(maxsize=None)
def _comma_parent_rx() -> regex.Pattern:
    """Units whose parent may follow after a comma ("Phòng Cảnh sát kinh tế, Công an TP Hải
    Phòng"); for the others a comma separates two bodies of a list."""
    return regex.compile(_config().get("comma_parent_units") or "(?!)")


@lru_cache(maxsize=None)
def _unit_abbreviations() -> dict[str, str]:
    return dict(_config().get("unit_abbreviations") or {})


def _sub_units(doc: Document, cands: list) -> list:
    """"Phòng Cảnh sát hình sự" before "Công an tỉnh Kon Tum": the unit of that body, named
    in full ("Phòng Cảnh sát hình sự Công an tỉnh Kon Tum"); each keeps its own span."""
    pending = doc.context.get("_agency_sub_units") or []
    if not pending:
        return []
    by_start = {c[0]: c for c in cands if c[2].kind != "ignore"}
    out = []
    for s, e, canon, parent_start in pending:
        parent = by_start.get(parent_start)
        if parent is not None:
            out.append((s, e, Body(f"{canon} {parent[2].name}", "department", parent[2].level, parent[2].ministry),
                        parent[3], "local-sub-unit"))
    return out


# a foreign office-holder's chain of titles: "Somdy Douangdy, Ủy viên Trung ương Đảng, Phó Thủ
# tướng, Bộ trưởng Bộ Tài chính"; "đồng chí Thongloun Sisoulith là Vụ trưởng Vụ Nghiên cứu, ...;
# năm 1987-1992, là Thứ trưởng Bộ Ngoại giao": the bodies of those titles are no Vietnamese ones
_CHAIN_SPLIT = regex.compile(r"[,;:]")
_CAP_RUN = regex.compile(r"(?<![\p{L}\p{M}])\p{Lu}[\p{L}\p{M}]*(?:-\p{Lu}[\p{L}\p{M}]*)*(?: \p{Lu}[\p{L}\p{M}]*(?:-\p{Lu}[\p{L}\p{M}]*)*)+")
# a clause of a title chain: empty, or a title (capitalized), a year, or a predicate "là ..."
_CHAIN_CLAUSE = regex.compile(r"\s*(?:(?:và|nguyên|cựu|kiêm|đồng chí|[Tt]ừ|[Nn]ăm|[Tt]háng|đến|nay|giai đoạn|sau đó|rồi|giữ chức|thư ký|"
                              r"được|bầu|bổ nhiệm|làm|(?:chuyên|giảng) viên(?: chính)?|cán bộ|trợ lý)(?![\p{L}\p{M}])\s*)*"
                              r"(?:\p{Lu}|\d|\(|$|là\s)")
_CHAIN_MAX = 12


# the word a title ends with right before its body: "Bộ trưởng Bộ ...", "Ủy viên Bộ Chính trị"
_TITLE_END = regex.compile(r"(?:^|(?<![\p{L}\p{M}])(?i:trưởng|viên|thư|tướng|nhiệm|tịch|lệnh|đốc|biểu|ký|án|sứ|ủy|uỷ|vụ|trực)[ \t]+)$")
_NAME_AFTER = regex.compile(r"[ \t]+(\p{Lu}[\p{L}\p{M}]*) \p{Lu}")


def _is_place_name(run: str) -> bool:
    m = province_mod._matcher()[0].match(run)
    return (m is not None and m.end() == len(run)) or district_province(run) is not None


def _foreign_holder(doc: Document, start: int, end: int) -> bool:
    """Whether the body at [start, end) is named in the title chain of a foreign person, the
    nearest name before it in the sentence, reached through title clauses only."""
    foreign_at = doc.context.get("_agency_foreign_words")
    if foreign_at is None:
        foreign_at = doc.context["_agency_foreign_words"] = [p for p, w in doc.cap_words() if is_foreign_word(w)]
    i = bisect.bisect_left(foreign_at, start - 600)
    if i == len(foreign_at) or foreign_at[i] >= start:
        return False
    text = doc.text
    s, _ = doc.sentence_of(start)
    clauses = _CHAIN_SPLIT.split(text[max(s, start - 600):start])
    if not _TITLE_END.search(clauses[-1].strip(" \t") + (" " if clauses[-1].strip() else "")):
        return False
    surnames_ = surnames()
    after = _NAME_AFTER.match(text, end)
    if after and after.group(1) in surnames_:
        return False  # "Bộ trưởng Bộ Công an Tô Lâm"
    for clause in reversed(clauses[-_CHAIN_MAX:]):
        for run in reversed(_CAP_RUN.findall(clause)):
            words = run.split(" ")
            n_foreign = sum(1 for w in words if is_foreign_word(w))
            if n_foreign >= 2 and 2 * n_foreign > len(words) and not _is_place_name(run):
                rest = clause[clause.rindex(run) + len(run):]
                return bool(_CHAIN_CLAUSE.match(rest))
            if words[0] in surnames_ and not _is_place_name(run):
                return False  # a Vietnamese name
        if not _CHAIN_CLAUSE.match(clause):
            return False
    return False


@lru_cache(maxsize=None)
def _steering_rx() -> regex.Pattern:
    """A steering committee named by its task in lower case, then its level: "Ban Chỉ đạo
    phòng, chống dịch Covid-19 tỉnh Nghệ An", "Ban chỉ đạo phòng, chống tội phạm của Chính
    phủ", "Ban Chỉ đạo 389 quốc gia"; or "Ban chỉ đạo quốc gia phòng, chống dịch Covid-19"."""
    cfg = _config()
    stop = trie_pattern(sorted(set(cfg.get("topic_stop") or []) | set(cfg.get("steering_topic_stop") or [])),
                        tokens=str.split, joiner=" ")
    word = r"(?!(?:" + stop + r")(?![\p{L}\p{M}]))(?:\p{Ll}[\p{Ll}\p{M}]*(?:-\d+)?|(?i:covid)(?:-19)?)"
    topic = r"(?:\d{3}|" + word + r")(?:,? " + word + r"){0,11}?"
    central = r"(?:của )?Chính phủ|[Qq]uốc gia|Trung ương"
    place = r"(?:tỉnh|thành phố|TP|huyện|quận|thị xã|xã|phường)(?:\.|(?![\p{L}\p{M}]))"
    return regex.compile(r"(?<![\p{L}\p{M}])Ban [Cc]hỉ đạo (?:(?P<topic>" + topic + r")(?= (?:(?P<central>" + central
                         + r")(?![\p{L}\p{M}])|" + place + r"))|(?P<national>quốc gia(?! và )(?:,? " + word + r"){1,12}))")


def _steering_candidates(doc: Document) -> list:
    text = doc.text
    if "hỉ đạo" not in text:
        return []
    out = []
    for m in _steering_rx().finditer(text):
        if m.group("national"):
            out.append((m.start(), m.end(), Body(f"Ban Chỉ đạo {m.group('national')}", "steering_committee"), None,
                        "central-unit"))
            continue
        topic = m.group("topic")
        if m.group("central"):
            c = m.group("central")
            out.append((m.start(), m.end() + 1 + len(c), Body(f"Ban Chỉ đạo {topic} {c}", "steering_committee"), None,
                        "central-unit"))
            continue
        place = _parse_place(doc, m.end(), "admin")
        if place is None:
            continue
        prov = place.province or (_implicit_province(doc, m.start()) if place.level != "provincial" else None)
        out.append((m.start(), place.end, Body(f"Ban Chỉ đạo {topic} {place.form}", "steering_committee", place.level),
                    prov.code if prov else None, "local-head-place"))
    return out


def extract(doc: Document) -> list[AgencyMention]:
    if doc.context.get("main_province") is None:
        main = _province_from_districts(doc)
        if main is not None:
            doc.context["main_province"] = main
            doc.context["province_counts"] = {main.code: 1}
    cands = _trim_run_ons(doc, _candidates(doc) + _unit_candidates(doc) + _steering_candidates(doc))
    found = [c for c in _resolve_overlaps(cands + _sub_units(doc, cands))
             if c[2].kind != "ignore" and not (c[2].level == "central" and _foreign_holder(doc, c[0], c[1]))]
    doc.context["agency_spans"] = [(s, e, b.name, code) for s, e, b, code, _ in found]
    parents = doc.context.get("_agency_parents")
    if parents:
        # listed after the mention that implies them; no span of their own in agency_spans
        found = sorted(found + [parents[c[0]] for c in found if c[0] in parents], key=lambda c: c[0])
    return [AgencyMention(**doc.mention(s, e), rule=rule, name=b.name, kind=b.kind, level=b.level,
                          province_code=code, ministry=b.ministry)
            for s, e, b, code, rule in found]
