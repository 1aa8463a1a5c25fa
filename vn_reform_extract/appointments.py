"""Personnel events an article states: appointments, elections, dismissals, retirements, transfers.

Found per sentence from a small table of Vietnamese verb phrases (``patterns/datasets/appointments.yaml``):
the person is the official named nearest to the verb in the same sentence (before a passive
"được bổ nhiệm", after an active "bổ nhiệm ông X"), the post is what follows "chức" / "làm" up to
the end of the clause, the date is a day-date of the sentence, else the publication date.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

import regex

from .patterns import data_dir, read_yaml

__all__ = ["Appointment", "find_appointments", "event_rules"]


@dataclass(frozen=True)
class Appointment:
    event: str            # appointed, elected, dismissed, resigned, retired, transferred
    person: str
    post: Optional[str]
    date: Optional[str]
    date_source: str      # "text" or "published"
    text: str
    start: int
    end: int


_POST_END = regex.compile(r"(?:[.;:!?\n()\"“”]|,\s|\s[-–—]\s|\s+(?:Ông|Bà|Đồng chí|Sáng|Chiều|Tối|Trưa|Ngày|Hôm)\s|\s+(?:với|tại|và|do|trong)\s+(?=\p{Ll})|\s+(?:kể từ|từ ngày|từ\s+\d|thay (?:ông|bà)|thay cho|nhiệm kỳ|"
                          r"đối với|để|và (?:ông|bà)|cho (?:ông|bà)|với \d|sau khi|theo (?:Quyết định|đề nghị)|"
                          r"tại (?:Quyết định|Nghị quyết)))")
_POST_START = regex.compile(r"\s*(?:(?:tạm thời|lại|tiếp tục)\s+)?(?:giữ\s+)?(?:chức\s+danh|chức\s+vụ|chức|làm|vị trí|cương vị)?\s*:?\s*")


# an appointment, election or transfer is only worth a row with the post it is to
_NEED_POST = {"appointed", "elected", "transferred"}


@lru_cache(maxsize=None)
def event_rules() -> list[dict[str, Any]]:
    """The rules of ``patterns/appointments.yaml``, each with a compiled ``regex``."""
    data = read_yaml(data_dir("patterns") / "datasets" / "appointments.yaml")
    rules = []
    for r in data["rules"]:
        rules.append({**r, "regex": regex.compile(r["pattern"], regex.IGNORECASE)})
    return rules


def _post_after(text: str, pos: int, limit: int) -> Optional[str]:
    m = _POST_START.match(text, pos)
    start = m.end() if m else pos
    end_m = _POST_END.search(text, start, limit)
    end = end_m.start() if end_m else limit
    post = " ".join(text[start:end].split())
    # posts are capitalized in Vietnamese news ("Giám đốc Sở ..."); "vào cương vị mới" is none
    if not post or len(post) > 160 or not post[0].isupper():
        return None
    return post


_HOLD = regex.compile(r"(?:giữ\s+chức(?:\s+vụ|\s+danh)?|chức\s+vụ|làm)\s+")
_HONORIFIC = regex.compile(r"^(?:ông|bà|đồng chí)\s+|^[\s,]+|[\s,]+$")


def _active_post(text: str, verb_end: int, person: tuple, limit: int, event: str) -> Optional[str]:
    """The post of "bổ nhiệm ông A giữ chức X", "miễn nhiệm Phó Chủ tịch X Trần Văn A",
    "miễn nhiệm ông A, Phó Chủ tịch X"."""
    hold = _HOLD.search(text, person[1], min(limit, person[1] + 150))
    if hold:
        return _post_after(text, hold.end(), limit)
    between = _HONORIFIC.sub("", text[verb_end:person[0]].strip())
    if between and between[0].isupper() and len(between) <= 120:
        return " ".join(between.split())
    if event in ("dismissed", "retired"):   # "cách chức ông A, Giám đốc Sở X": his post
        m = regex.match(r"\s*,\s*", text[person[1]:limit])
        if m:
            return _post_after(text, person[1] + m.end(), limit)
    return None


def find_appointments(text: str, article: Any) -> list[Appointment]:
    """Events of one article; ``article`` is the Article extracted from ``text``."""
    if not text or not article.officials:
        return []
    people = sorted((m.start, m.end, o.name) for o in article.officials for m in o.mentions)
    day_dates = [(d.start, d.value) for d in article.dates if d.granularity == "day" and "X" not in d.value]
    out: list[Appointment] = []
    for sent in article.sentences:
        s, e = sent.start, sent.end
        chunk = text[s:e]
        for rule in event_rules():
            for m in rule["regex"].finditer(chunk):
                vs, ve = s + m.start(), s + m.end()
                inside = [p for p in people if s <= p[0] and p[1] <= e]
                if rule["voice"] == "passive":
                    cands = [p for p in inside if p[1] <= vs and vs - p[1] <= 120]
                    person = cands[-1] if cands else None
                else:
                    cands = [p for p in inside if p[0] >= ve and p[0] - ve <= 80]
                    person = cands[0] if cands else None
                if person is None:
                    continue
                if not rule.get("post", True):
                    post = None
                elif m.groupdict().get("post"):
                    post = " ".join(m.group("post").split())
                elif rule["voice"] == "passive":
                    post = _post_after(text, ve, e)
                else:
                    post = _active_post(text, ve, person, e, rule["event"])
                if post is None and rule["event"] in _NEED_POST:
                    continue
                dates = [v for pos, v in day_dates if s <= pos < e]
                if dates:
                    when, source = dates[0], "text"
                else:
                    when, source = article.published, "published"
                out.append(Appointment(rule["event"], person[2], post, when, source,
                                       text[min(vs, person[0]):max(ve, person[1])],
                                       min(vs, person[0]), max(ve, person[1])))
    out.sort(key=lambda a: a.start)
    seen, uniq = set(), []
    for a in out:
        k = (a.event, a.person, a.post, a.date)
        if k not in seen:
            seen.add(k)
            uniq.append(a)
    return uniq
