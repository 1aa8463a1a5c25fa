"""Which positions belong to whom: candidates of the same person merged, repeated full
names and short mentions ("ông Bảy", "Thứ trưởng Tuyên") attached, far appointments
("..., được điều động giữ chức ..."), and the agency and province of the first position."""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import regex

from ..textnorm import key, nfc
from .candidates import Candidate
from .context import Context
from .shapes import COMMA, NAME_SYLLABLE_NEXT, SEPARATOR_BEFORE_HONORIFIC, is_letter

PROVINCIAL_WORD = regex.compile(r"(?i)\btỉnh\b|tỉnh ủy|tỉnh uỷ|thành ủy|thành uỷ|\bTP\b|thành phố")


@dataclass
class Person:
    name: str
    rule: str
    first: int
    honorific: Optional[str] = None
    rank: Optional[str] = None
    titles: list[tuple[int, int, str]] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)


def overlaps(a: tuple[int, int], spans: list[tuple[int, int, Any, Any]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e, *_ in spans)


def resolve(cx: Context, cands: list[Candidate], shorts, authors, lists=()) -> list[Person]:
    text = cx.text
    people: dict[str, Person] = {}
    order: list[str] = []
    # a one-word name ("Thủ tướng Paetongtarn") is a short mention of a person whose full
    # name holds that word ("Paetongtarn Shinawatra"), anywhere in the article
    keys = {c.name: key(c.name) for c in cands}
    words_of = {}
    for c in cands:
        if " " in c.name and (c.titles or c.rank):
            k = keys[c.name]
            for w in k.split():
                words_of.setdefault(w, set()).add(k)
    for c in sorted(cands, key=lambda c: c.start):
        if overlaps((c.start, c.end), authors):
            continue
        k = keys[c.name]
        if " " not in k and len(words_of.get(k, ())) == 1:
            full = next(iter(words_of[k]))
            if full not in people:
                continue  # its full name comes later: the second pass below attaches it
            k = full
        p = people.get(k)
        if p is None:
            if not c.titles and not c.rank:
                continue
            p = people[k] = Person(c.name, c.rule, c.start)
            order.append(k)
        if c.honorific and not p.honorific:
            p.honorific = c.honorific
        if c.rank and not p.rank:
            p.rank = c.rank
        p.titles.extend(c.titles)
        p.mentions.append((c.start, c.end))
    # candidates without a position that are a known person (second pass: order independent)
    for c in cands:
        k = keys[c.name]
        if " " not in k and len(words_of.get(k, ())) == 1:
            k = next(iter(words_of[k]))
        if k in people and (c.start, c.end) not in people[k].mentions:
            p = people[k]
            p.mentions.append((c.start, c.end))
            p.titles.extend(c.titles)
            if c.honorific and not p.honorific:
                p.honorific = c.honorific
    if not people:
        return []
    plist = [people[k] for k in order]
    lower = text.lower()
    if len(lower) != len(text):  # pragma: no cover - no such characters in Vietnamese
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    # repeated full names anywhere
    by_given: dict[str, list[Person]] = {}
    for p in plist:
        by_given.setdefault(p.name.split()[-1].lower(), []).append(p)
    hits = _word_starts(lower, {_first_word(p.name.lower()) for p in plist} | set(by_given))
    found = _occurrences_all(lower, {p.name.lower() for p in plist}, hits)
    for p in plist:
        needle = p.name.lower()
        seen = set(p.mentions)
        for i in found[needle]:
            j = i + len(needle)
            ok = (i == 0 or not is_letter(text[i - 1])) and (j >= len(text) or not is_letter(text[j])) \
                and not NAME_SYLLABLE_NEXT.match(text, j)
            if ok and (i, j) not in seen and not overlaps((i, j), authors):
                p.mentions.append((i, j))
                seen.add((i, j))
    # short mentions: "ông Bảy", "Thứ trưởng Tuyên"
    for g, ps in by_given.items():
        for gi in _occurrences(lower, g, hits):
            ge = gi + len(g)
            nxt = gi
            if (nxt and is_letter(text[nxt - 1])) or (ge < len(text) and is_letter(text[ge])) \
                    or not text[nxt].isupper() or NAME_SYLLABLE_NEXT.match(text, ge):
                continue
            pm = cx.R.short_pre.search(text, max(0, nxt - 40), nxt)
            if not pm:
                continue
            _short_mention(cx, ps, nxt, ge, pm)
    _far_appointments(cx, plist)
    # "các Ủy viên Bộ Chính trị: ... Lương Cường; ... Lê Minh Hưng": the list's position is theirs
    for ls, le, title in lists:
        for p in plist:
            if any(ls <= s < le for s, _ in p.mentions) and title not in p.titles:
                p.titles.append(title)
    # "ý kiến của Phó Thủ tướng Chính phủ, Phó Chủ tịch UBND tỉnh Ngô Tân Phượng yêu cầu": a
    # leading position of a chain that another person of the article holds is theirs
    # ("nguyên Ủy viên Bộ Chính trị, nguyên Thủ tướng X; nguyên Ủy viên Bộ Chính trị, ...
    # Y": a leading position that others hold only as a leading position stays theirs; how
    # many people hold each position other than as a leading one, counted once)
    held = [{key(t[2]) for t in p.titles if t[0] not in cx.chain_leading} for p in plist]
    holders = Counter(k for ks in held for k in ks)
    for p, own in zip(plist, held):
        p.titles = [t for t in p.titles
                    if not (t[0] in cx.chain_leading and holders[key(t[2])] - (key(t[2]) in own) > 0
                            and not cx.R.shared_heads.match(t[2]))]
    return plist


_WORD = regex.compile(r"[\p{L}\p{M}]+")


def _first_word(needle: str) -> str:
    m = _WORD.match(needle)
    return m.group() if m else ""


_ONE_PASS_FROM = 50_000  # characters


def _word_starts(lower: str, words: set[str]) -> dict[str, list[int]]:
    """Where each of ``words`` stands as a whole word in the text (not after or before a
    letter), leftmost-longest and non-overlapping as one alternation's ``finditer`` would
    find them. On an article, one ``str.find`` walk per word; on a long text (many people,
    each word walked through all of it) the words made of letters only are found in one
    pass over the letter runs of the text."""
    words = {w for w in words if w}
    n = len(lower)
    letters = {w for w in words if _WORD.fullmatch(w)} if n > _ONE_PASS_FROM else set()
    found: list[tuple[int, int, str]] = []
    if letters:
        found.extend((m.start(), -len(m.group()), m.group()) for m in _WORD.finditer(lower) if m.group() in letters)
    for w in words - letters:
        k = len(w)
        i = lower.find(w)
        while i >= 0:
            j = i + k
            if (i == 0 or not is_letter(lower[i - 1])) and (j >= n or not is_letter(lower[j])):
                found.append((i, -k, w))
            i = lower.find(w, i + 1)
    out: dict[str, list[int]] = {w: [] for w in words}
    end = 0
    for i, k, w in sorted(found):
        if i >= end:
            out[w].append(i)
            end = i - k
    return out


def _occurrences_all(lower: str, needles: set[str], hits: dict[str, list[int]]) -> dict[str, list[int]]:
    """``_occurrences`` of each needle; the needles read from the positions of their first
    word are looked up together (a slice of each length at each position), not one
    ``startswith`` per needle at each position of a common family name."""
    out: dict[str, list[int]] = {}
    by_first: dict[str, set[str]] = {}
    for needle in needles:
        first = _first_word(needle)
        if not first or _self_overlapping(needle) or first not in hits:
            out[needle] = _occurrences(lower, needle, hits)
        else:
            out[needle] = []
            by_first.setdefault(first, set()).add(needle)
    for first, group in by_first.items():
        lengths = sorted({len(nd) for nd in group})
        for i in hits[first]:
            for k in lengths:
                nd = lower[i:i + k]
                if nd in group:
                    out[nd].append(i)
    return out


def _self_overlapping(needle: str) -> bool:
    return any(needle[:k] == needle[-k:] for k in range(1, len(needle)))


def _occurrences(lower: str, needle: str, hits: dict[str, list[int]]) -> list[int]:
    """The starts ``lower.find`` walks to for ``needle`` (each search resuming after the last
    hit) that begin a word and end one or continue with a non-letter: only these can be a
    mention. From the positions of its first word when the needle is a word followed by
    non-letters and cannot overlap itself; else by ``find``."""
    first = _first_word(needle)
    if not first or _self_overlapping(needle) or first not in hits:
        out, i = [], lower.find(needle)
        while i >= 0:
            out.append(i)
            i = lower.find(needle, i + len(needle))
        return out
    return [i for i in hits[first] if lower.startswith(needle, i)]


def _short_mention(cx: Context, ps: list[Person], pos: int, end: int, pm: Any) -> None:
    text = cx.text
    before = [p for p in ps if min(s for s, _ in p.mentions) < pos]
    p = max(before, key=lambda p: max(s for s, _ in p.mentions if s < pos)) if before else ps[0]
    span = (pos, end)
    if any(s <= span[0] < e for s, e in p.mentions):
        return
    p.mentions.append(span)
    pre = pm.group("pre")
    ps_, pe_ = pm.span("pre")
    if cx.head_at(ps_):
        p.titles.append((ps_, pe_, nfc(pre)))
    elif pre.lower() in ("ông", "bà", "đồng chí") and not p.honorific:
        p.honorific = pre.lower()
    # positions right before: "... đối với ông Hà" / ", ông Hà"
    if pre.lower() in ("ông", "bà", "đồng chí", "đ/c"):
        bm = SEPARATOR_BEFORE_HONORIFIC.search(text, max(0, ps_ - 12), ps_)
        if bm and not bm.group().strip() and cx.verb_before(bm.start()):
            bm = None
        if bm:
            t_end = bm.start()
            near = cx.heads_before(t_end, 200) if bm.group().strip() else cx.heads_before(t_end, 90)[:2]
            for hs, he in near:
                if cx.extend_title(hs, he, t_end + 1) == t_end:
                    p.titles.append((hs, t_end, cx.clean(hs, t_end)))
                    break


def _far_appointments(cx: Context, plist: list[Person]) -> None:
    """'ông X - ..., được điều động ..., giữ chức Phó Bí thư Tỉnh ủy Quảng Ninh'."""
    text = cx.text
    for p in plist:
        for s, e in list(p.mentions):
            limit = cx.sent_end(s)
            pos = max([e] + [te for ts, te, _ in p.titles if s <= ts < limit])
            for m in cx.R.appoint_far.finditer(text, pos, min(limit, pos + 250)):
                hs = m.end()
                if cx.head_at(hs) is None:
                    continue
                # another person or a reported clause in between: the position is not theirs
                if cx.R.anchor.search(text, pos, m.start()) or cx.R.reporting.search(text, pos, m.start()):
                    break
                chain, end = cx.titles_chain(hs, limit)
                # ", ông Y ...": the next person (an anchor starts with a letter, so this is
                # the anchor right after the comma and its spaces)
                cm = COMMA.match(text, end)
                if cm and cx.R.anchor.match(text, cm.end()):
                    break
                p.titles.extend(t for t in chain if t not in p.titles)
                break


def _sorted_disjoint(spans: list) -> Optional[list[int]]:
    """The starts of spans that are sorted, non-empty and do not overlap (as the province and
    agency passes leave them), else None."""
    try:
        starts = [int(a[0]) for a in spans]
        ends = [int(a[1]) for a in spans]
    except (TypeError, ValueError, IndexError):
        return None
    ok = all(a < b for a, b in zip(starts, ends)) and all(ends[i] <= starts[i + 1] for i in range(len(spans) - 1))
    return starts if ok else None


def _span_indexes(cx: Context) -> tuple[Optional[list[int]], Optional[list[int]]]:
    idx = getattr(cx, "_link_indexes", None)
    if idx is None:
        idx = cx._link_indexes = (_sorted_disjoint(cx.agencies), _sorted_disjoint(cx.province_spans))
    return idx


def agency_and_province(cx: Context, s: int, e: int) -> tuple[Optional[str], Optional[str]]:
    agency = prov = None
    a_starts, p_starts = _span_indexes(cx)
    if a_starts is not None:
        # sorted and disjoint: the first agency overlapping [s, e) is the first one ending after s
        i = bisect.bisect_right(a_starts, s) - 1
        if i < 0 or int(cx.agencies[i][1]) <= s:
            i += 1
        agencies = cx.agencies[i:i + 1] if i < len(a_starts) and a_starts[i] < e else []
    else:
        agencies = cx.agencies
    for a in agencies:
        try:
            as_, ae = int(a[0]), int(a[1])
        except (TypeError, ValueError, IndexError):
            continue
        if as_ < e and s < ae:
            agency = a[2] if len(a) > 2 else None
            prov = a[3] if len(a) > 3 else None
            break
    if prov is None:
        # sorted and disjoint: only the first province starting at or after s can end by e + 1
        provs = cx.province_spans if p_starts is None else cx.province_spans[bisect.bisect_left(p_starts, s):][:1]
        for ps in provs:
            if s <= int(ps[0]) and int(ps[1]) <= e + 1:
                prov = ps[2] if len(ps) > 2 else None
                break
    if prov is None and PROVINCIAL_WORD.search(cx.text, s, e):
        mp = (cx.doc.context or {}).get("main_province")
        if mp is not None:
            prov = getattr(mp, "code", None) or (mp.get("code") if isinstance(mp, dict) else None)
    return agency, prov
