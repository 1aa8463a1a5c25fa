"""Every extractor takes linear time on adversarial text: repeated shapes at n, 2n and 4n
characters, each pipeline stage timed on its own (CPU time, best of a few runs, compared
only within this run); the time may grow at most 2.5x per doubling (sqrt of t(4n)/t(n);
a quadratic stage grows 4x).

The size n is calibrated per shape: doubled until the stage takes a few milliseconds, so
that a quadratic stage shows (4x per doubling) above the noise of a small one.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Callable

import pytest

from vn_reform_extract import MAX_CHARS, TextTooLong, extract
from vn_reform_extract import agencies, dates, facts, legal_refs, localities, officials, provinces
from vn_reform_extract.document import Document

from .timing import cpu_best as _cpu

# shape -> the stages it attacks (every stage is attacked by several shapes)
SHAPES: dict[str, tuple[str, ...]] = {
    # numbers and facts
    "1% ": ("facts", "dates"),
    "xếp hạng 1/": ("facts",),
    "tăng 5% so với năm 2022, ": ("facts", "dates"),
    "1.000 tỷ đồng ": ("facts",),
    "1,5 ": ("facts",),
    "từ 1 đến 2 ": ("facts",),
    "1.": ("facts", "dates", "legal_refs", "document"),
    "1/": ("facts", "dates", "legal_refs"),
    "1-": ("facts", "dates", "legal_refs"),
    "(1) ": ("facts", "dates", "document"),
    "1": ("facts", "dates", "legal_refs"),
    "%": ("facts",),
    # dates
    "năm 2023 ": ("dates", "facts", "published"),
    "ngày 1 tháng 2 năm 2023, ": ("dates", "published", "facts"),
    "ngày ": ("dates", "published"),
    "tháng ": ("dates",),
    "Quý IV/2023 và ": ("dates",),
    # legal references
    "Nghị quyết 1, ": ("legal_refs",),
    "Luật số 1/2023/QH15, ": ("legal_refs", "dates"),
    "Quyết định số 1/QĐ-TTg ": ("legal_refs",),
    "Nghị định ": ("legal_refs",),
    # officials, agencies, provinces
    "Phó Chủ tịch ": ("officials", "agencies"),
    "Bộ trưởng Bộ Tài chính Hồ Đức Phớc, ": ("officials", "agencies"),
    "ông Nguyễn Văn An, ": ("officials",),
    "Nguyễn ": ("officials",),
    "Nguyễn Văn ": ("officials", "provinces"),
    "Bà ": ("officials",),
    "Hà Nam Định ": ("provinces", "agencies", "officials"),
    "Sở Tài chính tỉnh Hà Nam, ": ("agencies", "provinces"),
    "UBND tỉnh ": ("agencies", "provinces"),
    "Bộ ": ("agencies",),
    "Chính phủ ": ("agencies", "officials"),
    "TP. ": ("provinces", "document"),
    "xã Tân Phú, ": ("localities", "provinces"),
    "phường 1, quận 3, ": ("localities", "agencies"),
    "Xã ": ("localities",),
    # punctuation and layout
    ", ": ("document", "officials"),
    ". ": ("document",),
    "\n": ("document",),
    "| ": ("document",),
    "...": ("document",),
    "aBcĐ": ("document", "officials"),
    "e\u0301\u00a0": ("document",),
}

_ORDER = ["document", "published", "provinces", "localities", "agencies", "officials", "dates", "legal_refs", "facts"]
_PUBLISHED = date(2023, 5, 1)


def _doc(text: str) -> Document:
    return Document.from_text(text, _PUBLISHED)


def _prepared(text: str, stage: str) -> Document:
    """A document with the context of every stage before ``stage``."""
    doc = _doc(text)
    for name in _ORDER[2:_ORDER.index(stage)] if stage in _ORDER[2:] else []:
        _STAGES[name](doc)
    return doc


_STAGES: dict[str, Callable[[Document], object]] = {
    "provinces": provinces.extract,
    "localities": localities.extract,
    "agencies": agencies.extract,
    "officials": officials.extract,
    "dates": dates.extract,
    "legal_refs": legal_refs.extract,
    "facts": facts.extract,
}


def _runner(stage: str, text: str) -> Callable[[], object]:
    if stage == "document":
        return lambda: _doc(text)
    if stage == "published":
        doc = _doc(text)
        return lambda: dates.find_published(doc)
    doc = _prepared(text, stage)
    return lambda: _STAGES[stage](doc)




def _text(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


_CASES = [(stage, unit) for unit, stages in SHAPES.items() for stage in stages]


@pytest.mark.parametrize("stage,unit", _CASES, ids=[f"{s}:{u!r}" for s, u in _CASES])
def test_stage_time_grows_linearly(stage, unit):
    if os.environ.get("VNRE_SKIP_TIMING"):
        pytest.skip("VNRE_SKIP_TIMING set")
    n = 1000
    _runner(stage, _text(unit, n))()  # warm up: patterns compiled, gazetteers loaded
    while n < 32000 and _cpu(_runner(stage, _text(unit, n)), repeat=2) < 0.004:
        n *= 2
    for attempt in range(3):  # a retry absorbs a burst of load; a quadratic stage fails every time
        times = [_cpu(_runner(stage, _text(unit, k * n))) for k in (1, 2, 4)]
        # per doubling: the square root of t(4n) / t(n); 1 ms added to both sides keeps a
        # stage too fast to calibrate under the timer's noise
        per_doubling = ((times[2] + 0.001) / (times[0] + 0.001)) ** 0.5
        if per_doubling <= 2.5:
            break
    assert per_doubling <= 2.5, (
        f"{stage} on {unit!r}: {', '.join(f'{t * 1000:.1f} ms' for t in times)} at {n}, {2 * n}, {4 * n} chars")


def test_shapes_cover_every_stage():
    assert {s for stages in SHAPES.values() for s in stages} == set(_ORDER)


def test_long_text_is_rejected_before_any_work(monkeypatch):
    from vn_reform_extract import document

    def no_view(_text):
        raise AssertionError("the view and its offset maps were built for a text over the limit")

    text = "Hà Nội. " * (MAX_CHARS // 8 + 1)
    with monkeypatch.context() as m:
        m.setattr(document, "build_view", no_view)
        with pytest.raises(TextTooLong) as err:
            extract(text)
    assert err.value.n_chars == len(text) and err.value.limit == MAX_CHARS
    assert isinstance(err.value, ValueError)
    with pytest.raises(TextTooLong):
        extract("Hà Nội ngày 1/1/2023.", max_chars=10)
    assert extract("Hà Nội ngày 1/1/2023.", max_chars=None).provinces
    assert extract("Hà Nội ngày 1/1/2023.", max_chars=21).provinces
