"""The passes that propose (name, positions) candidates:

- ``title_before_name``  "Phó Tổng Thanh tra Chính phủ Lê Sỹ Bảy"
- ``honorific_name``     "ông Lý Văn Đẹp - Phó Giám đốc Sở Nội vụ" and "<position>, ông X"
- ``name_then_position`` "Nguyễn Xuân Sơn - Phó Bí thư ..." (no honorific)
- ``list_heads``         "4 Phó Thủ tướng: Lê Minh Khái, Trần Hồng Hà và Lê Thành Long"
- ``ner_candidates``     statistical names next to a position (optional)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex

from ..trie import matches_at
from ..textnorm import nfc
from .context import Context
from .names import is_foreign_word
from .rules import anchor_first_words_rx
from .shapes import (CAPITAL_HONORIFICS, COMMA_OR_SPACES, LAST_TOKEN, MAX_TITLE_TOKENS, NAME_AFTER,
                     NAME_BEFORE_SEPARATOR, NAME_SYLLABLE, PUNCT_ENDING_POSITION, SEPARATOR_AFTER_NAME,
                     SEPARATOR_BEFORE_HONORIFIC, SEPARATOR_MARK, SPACE_THEN_LOWER, WORD)
from .titles import split_before

LIST_COLON = regex.compile(r"\s*:\s*")
LIST_ITEM_SEP = regex.compile(r"\s*[,;]\s*|\s+và\s+")
LIST_ITEM_END = regex.compile(r"\s*(?:[,;.)]|và\s|$)")


@dataclass
class Candidate:
    name: str
    start: int
    end: int
    rule: str
    honorific: Optional[str] = None
    rank: Optional[str] = None
    titles: list[tuple[int, int, str]] = field(default_factory=list)  # (view start, end, text)


def anchor_matches(cx: "Context") -> list:
    """What ``R.anchor.finditer`` finds, tried only where such a first word stands."""
    return matches_at(cx.R.anchor, cx.text, (w.start() for w in anchor_first_words_rx().finditer(cx.text)))


def title_before_name(cx: Context, cands: list[Candidate]) -> None:
    text = cx.text
    consumed = -1
    after_used = None  # positions other passes gave to the person named before them
    for hs, he in cx.heads():
        if hs < consumed:
            continue
        limit = cx.sent_end(hs)
        if not cx.name_start_between(he, min(limit, he + 260)):
            continue  # a name starts with a family name, a country or a foreign word: none follows here
        toks = cx.tokens(he, min(limit, he + 260))
        items = toks.items  # the tokens read so far: toks.has(i) reads up to i
        n = 0
        i = 0
        depth = 0
        found = None
        after_lower = False
        while toks.has(i):
            t = items[i]
            n += 1
            if n > MAX_TITLE_TOKENS:
                break
            prev_end = items[i - 1].end if i else he
            if "\n" in text[prev_end:t.start]:
                break
            x = t.text
            if x[:1].isupper() and cx.R.stop_any.fullmatch(x):
                break
            if x in CAPITAL_HONORIFICS and cx.R.anchor.match(text, t.start) and not cx.in_blocked(t.start):
                break
            if after_lower and x[:1].isupper() and cx.head_at(t.start) is not None:
                break  # "Thủ tướng hoan nghênh Bộ trưởng X": X belongs to the later position
            after_lower = x[:1].islower() and not cx.R.body.match(text, t.start)
            if cx.is_name_word(t):
                j = i
                run = [t]
                while toks.has(j + 1) and text[items[j].end:items[j + 1].start] == " " and (
                        cx.is_name_word(items[j + 1]) or cx.is_particle(toks, j + 1)):
                    if items[j + 1].start in cx.head_set:
                        break  # "Ủy viên Đoàn Chủ tịch": a position ends the run
                    j += 1
                    run.append(items[j])
                if i == 0 and len(run) == 1 and cx.foreign_name(run, single=True) and not cx.country_len(run, 0) \
                        and cx.bare_head(hs, he) in cx.R.single_name_heads:
                    found = (t.start, t.end, he)  # "Tổng thống Trump"
                    break
                if i == 0 and len(run) == 1 and (not toks.has(j + 1) or items[j + 1].text in {",", ".", ";", ":"}) \
                        and t.text not in cx.R.body_words and not cx.head_at(t.start) and not cx.country_len(run, 0):
                    break  # "tranh luận với Bộ trưởng Cường, ĐB X": a short mention of another person
                # a position inside the run ends the name candidates before it
                rng = cx.name_in_run(run, free=False)
                if rng:
                    a, b = rng
                    ns, ne = run[a].start, run[b - 1].end
                    before = items[i + a - 1] if i + a - 1 >= 0 else None
                    if cx.blocked_before(ns):
                        break
                    if cx.head_at(ns):
                        i = j + 1
                        continue
                    found = (ns, ne, before.end if before is not None else he)
                    break
                if cx.country_len(run, 0) and len(run) > cx.country_len(run, 0):
                    break  # a country, then more than a name: royal styles, not a person we can cut
                i = j + 1
                continue
            if x in PUNCT_ENDING_POSITION or x == "/":
                break
            if x == "(":
                depth += 1
            elif x == ")":
                depth -= 1
                if depth < 0:
                    break
            elif x == "," and depth == 0:
                nxt = toks.get(i + 1)
                if nxt is not None and cx.country_ends_at(t.start) and cx.foreign_name_at(toks, i + 1):
                    i += 1  # "Quốc vương Qatar, Sheikh Tamim bin Hamad al-Thani, ..."
                    continue
                if nxt is None or not (cx.head_at(nxt.start) or cx.R.body.match(text, t.start)
                                       or cx.R.comma_inside_phrase.match(text, t.end) or cx.comma_fields(t.start)):
                    break
            elif x[:1].islower() and cx.R.stop.match(text, t.start) and not cx.R.not_stop.match(text, t.start):
                if not (x == "tại" and toks.has(i + 1) and items[i + 1].text[:1].isupper()
                        and cx.R.at_heads.match(text, hs)):
                    break
            elif x[:1].isupper() and cx.R.stop_any.fullmatch(x):
                break
            i += 1
        if not found:
            continue
        ns, ne, tend = found
        # academic prefix between position and name: "Thứ trưởng Bộ Y tế, PGS.TS Nguyễn ..."
        title_end = tend
        mt = cx.R.acad_tail.search(text[hs:title_end])
        if mt:
            title_end = hs + mt.start()
        # a rank between position and name: "Bộ trưởng Bộ Công an - Đại tướng Lương Tam Quang"
        mt = cx.R.rank_tail.search(text, hs, title_end)
        if mt and mt.start() > hs:
            title_end = mt.start()
        parts = split_before(cx, hs, title_end)
        if after_used is None:  # this pass adds only "title-before-name" candidates: computed once
            after_used = {t[0] for c in cands if c.rule != "title-before-name" for t in c.titles
                          if t[0] < c.start or t[0] >= c.end}
        parts = [t for t in parts if t[0] not in after_used] or parts[-1:]
        cands.append(Candidate(nfc(text[ns:ne]), ns, ne, "title-before-name", titles=parts))
        consumed = ne


def honorific_name(cx: Context, cands: list[Candidate]) -> list[tuple[int, int, str, Optional[str]]]:
    """Honorific/rank + name. Returns the short (one-syllable) anchors for later."""
    text = cx.text
    shorts = []
    for m in anchor_matches(cx):
        hon_raw = m.group("hon")
        ns, ne = m.span("name")
        # cut the name at a position word written without a separator
        words = list(WORD.finditer(text[ns:ne]))
        for w in words[1:]:
            if cx.head_at(ns + w.start()):
                ne = ns + w.start() - 1
                break
        name = text[ns:ne].strip()
        ne = ns + len(name)
        syls = name.split()
        hl = hon_raw.lower()
        honorific = {"ông": "ông", "bà": "bà", "đồng chí": "đồng chí", "đ/c": "đồng chí", "các ông": "ông",
                     "các bà": "bà", "các đồng chí": "đồng chí"}.get(hl)
        rank = hon_raw if cx.R.rank.fullmatch(hon_raw) else None
        if len(syls) < 2:
            shorts.append((ns, ne, name, honorific))
            continue
        if cx.in_blocked(ns):
            continue
        limit = cx.sent_end(ns)
        cand = Candidate(nfc(name), ns, ne, "name-title", honorific=honorific, rank=rank)
        # positions after: ", Phó Giám đốc ..." / " - Phó Giám đốc" / " (Phó ...)"
        sm = SEPARATOR_AFTER_NAME.match(text, ne)
        if sm:
            if SEPARATOR_MARK.search(sm.group()):
                cx.lower_head_at(sm.end())
            chain, _ = cx.titles_chain(sm.end(), limit)
            cand.titles.extend(chain)
        # positions before: "Phó Chủ tịch UBND tỉnh, ông X" / "... đối với ông X"
        pm = SEPARATOR_BEFORE_HONORIFIC.search(text, max(0, m.start() - 12), m.start())
        if pm and not pm.group().strip() and (honorific is None or cx.verb_before(pm.start())):
            pm = None  # "Hội Nhà báo Việt Nam", "Hiệu trưởng Trường X và ông Y": no position of theirs
        if pm:
            t_end = pm.start()
            near = cx.heads_before(t_end, 200) if pm.group().strip() else cx.heads_before(t_end, 90)[:2]
            for hs, he in near:
                te = cx.extend_title(hs, he, t_end + 1)
                if te == t_end:
                    cand.titles.insert(0, (hs, te, cx.clean(hs, te)))
                    if cand.rule == "name-title" and not cand.titles[1:]:
                        cand.rule = "title-honorific-name"
                    break
        # "... ông X cũng có thời gian được điều động làm Chánh văn phòng ..."
        after = cand.titles[-1][1] if cand.titles else ne
        am = cx.R.appoint.match(text, after)
        if am and am.end() < limit and cx.head_at(am.end()):
            chain, _ = cx.titles_chain(am.end(), limit)
            cand.titles.extend(chain)
        cands.append(cand)
    return shorts


@lru_cache(maxsize=None)
def _surnames_lower(surnames: frozenset) -> frozenset:
    return frozenset(w.lower() for w in surnames)


def name_then_position(cx: Context, cands: list[Candidate]) -> None:
    """'Nguyễn Xuân Sơn - Phó Bí thư ...', 'Trần Tổ Nghị, Quyền Cục trưởng ...' (no honorific)."""
    text = cx.text
    # the name starts with a family name: only capitalized family names need a try; a
    # foreign name ("Souphanh Keomixay, Bộ trưởng ...") where a foreign word stands
    surnames = _surnames_lower(cx.R.surnames)
    vietnamese = matches_at(cx.R.namesep, text, [p for p, _ in cx.doc.cap_words_in(surnames)])
    foreign = matches_at(cx.R.namesep_foreign, text, (p for p, w in cx.doc.cap_words() if is_foreign_word(w)))
    for m in vietnamese + foreign:
        ns, ne = m.span("name")
        first = text[ns:ne].split(" ", 1)[0]
        if first.lower() in ("ông", "bà", "anh", "chị", "các") or cx.in_blocked(ns):
            continue
        if first not in cx.R.surnames and not cx.foreign_name(cx.tokens(ns, ne)):
            continue
        pm = LAST_TOKEN.search(text[max(0, ns - 30):ns])
        if pm and (cx.blocked_before(ns) or cx.R.anchor.match(text, ns - len(pm.group(0)))):
            continue
        chain, end = cx.titles_chain(m.end(), cx.sent_end(ns))
        if chain and len(chain) == 1 and "," in m.group("sep") and SPACE_THEN_LOWER.match(text, end):
            h = cx.head_at(chain[0][0])
            if h is not None and h[1] == chain[0][1]:
                continue  # "... và Bộ trưởng Tô Lâm, Thủ tướng hoan nghênh ...": a new clause
        if chain:
            cands.append(Candidate(nfc(text[ns:ne]), ns, ne, "name-sep-title", titles=chain))


def use_ner_by_default() -> bool:
    # off by default: underthesea runs at ~20k chars/s and adds no name on the gold corpus
    return os.environ.get("VNRE_OFFICIALS_NER", "0") not in ("0", "false", "no", "")


def ner_candidates(cx: Context, cands: list[Candidate]) -> list[Candidate]:
    """Statistical names on sentences with a position word that no rule resolved."""
    try:
        from . import ner
    except Exception:  # pragma: no cover - optional dependency
        return []
    covered = [(c.start, c.end) for c in cands]
    heads = cx.heads()
    if not heads:
        return []
    out = []
    seen_sent = set()
    for hs, he in heads:
        s, e = cx.doc.sentence_of(hs)
        if e <= s or (s, e) in seen_sent:
            continue
        seen_sent.add((s, e))
        if any(s <= a < e for a, _ in covered):
            continue
        # only where a capitalized word touches a position the rules left alone
        te = cx.extend_title(hs, he, e)
        if not (NAME_AFTER.match(cx.text, te) or NAME_BEFORE_SEPARATOR.search(cx.text, max(s, hs - 40), hs)):
            continue
        for ns, ne in ner.persons(cx.text, s, e):
            name = nfc(cx.text[ns:ne])
            if len(name.split()) < 2 or len(name.split()) > 5:
                continue
            if not all(NAME_SYLLABLE.fullmatch(w) for w in name.split()):
                continue
            c = Candidate(name, ns, ne, "ner")
            limit = e
            # position after the name
            sm = SEPARATOR_AFTER_NAME.match(cx.text, ne)
            if sm and cx.head_at(sm.end()):
                chain, _ = cx.titles_chain(sm.end(), limit)
                c.titles.extend(chain)
            # position right before the name
            for h2s, h2e in reversed(heads):
                if h2s >= ns or h2s < s:
                    continue
                te = cx.extend_title(h2s, h2e, ns)
                gap = cx.text[te:ns]
                if COMMA_OR_SPACES.fullmatch(gap) and te > h2s:
                    c.titles.insert(0, (h2s, te, cx.clean(h2s, te)))
                break
            if c.titles:
                out.append(c)
    return out


def list_heads(cx: Context, cands: list[Candidate]) -> list[tuple[int, int, tuple[int, int, str]]]:
    """A position heading a list: "4 Phó Thủ tướng: Lê Minh Khái, Trần Hồng Hà và Lê Thành Long",
    "các Ủy viên Bộ Chính trị: Thường trực Ban Bí thư Lương Cường; ...". The bare names of the
    list become candidates; returns (start, end, position) of each list, whose position the
    linking gives to every person named inside."""
    text = cx.text
    out = []
    for hs, he in cx.heads():
        if not cx.R.list_quantifier.search(text, max(0, hs - 12), hs):
            continue
        limit = cx.sent_end(hs)
        te = cx.extend_title(hs, he, limit)
        m = LIST_COLON.match(text, te)
        if not m:
            continue
        title = (hs, te, cx.clean(hs, te))
        start = m.end()
        out.append((start, limit, title))
        starts = [start] + [s.end() for s in LIST_ITEM_SEP.finditer(text, start, limit)]
        for pos in starts:
            toks = cx.tokens(pos, min(limit, pos + 80))
            run = []
            for t in toks:
                if not (cx.is_name_word(t) or (run and cx.is_particle(toks, len(run)))):
                    break
                if run and text[run[-1].end:t.start] != " ":
                    break
                run.append(t)
            if not run:
                continue
            rest = text[run[-1].end:limit]
            if not (LIST_ITEM_END.match(rest) or not rest.strip()):
                continue  # the item goes on with its own position: another pass reads it
            if cx.name_in_run(run, free=False) == (0, len(run)) or cx.foreign_name(run):
                ns, ne = run[0].start, run[-1].end
                if not cx.in_blocked(ns):
                    cands.append(Candidate(nfc(text[ns:ne]), ns, ne, "list-head", titles=[title]))
    return out
