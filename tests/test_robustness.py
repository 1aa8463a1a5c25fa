"""extract never raises on any str and its offsets slice the original text exactly;
adversarial inputs take roughly linear time."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vn_reform_extract import Article, extract, extract_many
from vn_reform_extract.batch import ErrorRecord

from .timing import cpu_best as _cpu

# text that looks like the corpus, plus what breaks offset bookkeeping
_PIECES = st.sampled_from([
    "Ủy ban nhân dân tỉnh ", "UBND ", "TP.HCM", "TP. Hồ Chí Minh", "Bình Dương", "Hoà Bình", "Huế", "Sở Nội vụ",
    "Bộ TT&TT", "ông ", "bà ", "Nguyễn Văn ", "Lê Sỹ Bảy", "Phó Chủ tịch ", "Chủ tịch UBND tỉnh ",
    "ngày 15/7/2021", "28/10", "năm 2025", "giai đoạn 2021-2030", "Quý IV/2023", "87,87/100 điểm",
    "xếp hạng 13/63", "1.159 thủ tục", "50,3%", "12-15%", "9.300 tỷ đồng", "31,8 triệu USD", "hai thị trấn",
    "Nghị quyết số 76/NQ-CP ngày 15/7/2021", "Quyết định số 1291/QĐ-TTg", "1.1.1.", ". ", ", ", "\n", "\r\n",
    "\t", "\u00a0", "\u200b", "\ufeff", "\u00ad", "\u0301", "\u0323", "e\u0301", "Hoa\u0300 Bi\u0300nh", "|", "“", "”",
    "(", ")", "…", "-", "–", "%", "/", "😀", "\x00", "\ud800",
])
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join),
)


def _check_offsets(text: str, art: Article) -> None:
    n = len(text)
    for s in art.sentences:
        assert 0 <= s.start <= s.end <= n
    data = art.model_dump()
    for name, items in data.items():
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            if "start" in item and "end" in item:
                assert 0 <= item["start"] <= item["end"] <= n, (name, item)
                if "text" in item:
                    assert text[item["start"]:item["end"]] == item["text"], (name, item)
            for sub in item.values():  # nested spans (Official.mentions)
                if isinstance(sub, list):
                    for m in sub:
                        if isinstance(m, dict) and "start" in m and "end" in m:
                            assert 0 <= m["start"] <= m["end"] <= n, (name, m)
                            if m.get("text"):
                                assert text[m["start"]:m["end"]] == m["text"], (name, m)


@settings(max_examples=int(os.environ.get("VNRE_HYPOTHESIS_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_extract_never_raises_and_offsets_slice(text):
    art = extract(text)
    _check_offsets(text, art)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TEXT, st.none(), st.integers()), max_size=6))
def test_extract_many_one_result_per_item(items):
    got = list(extract_many(items, batch_size=2))
    assert len(got) == len(items)
    for item, r in zip(items, got):
        if isinstance(item, str):
            assert isinstance(r, Article)
            _check_offsets(item, r)
        else:
            assert isinstance(r, ErrorRecord)


ADVERSARIAL = {
    "numbering": "1.1.1.",
    "names": "Nguyễn Văn ",
    "caps": "Ủy Ban Nhân Dân Tỉnh ",
    "punct": ".,;:!?()[]\"'-–/%",
    "numbers": "1.159.000,5 ",
    "dates": "15/7/2021-",
    "dots": ". . . ",
    "legal": "Nghị quyết số 76/NQ-CP ",
}




@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_scale_linearly(name):
    if os.environ.get("VNRE_SKIP_TIMING"):
        pytest.skip("VNRE_SKIP_TIMING set")
    unit = ADVERSARIAL[name]
    n = max(1, 3000 // len(unit))
    small, big = unit * n, unit * (4 * n)
    extract(small)  # warm caches (pattern compilation, gazetteer load)
    for attempt in range(2):  # one retry absorbs a burst of load
        t1 = _cpu(lambda: extract(small))
        t4 = _cpu(lambda: extract(big), repeat=2)
        if t4 < 8 * t1 + 0.05:
            break
    assert t4 < 8 * t1 + 0.05, f"{name}: t(n)={t1:.3f}s, t(4n)={t4:.3f}s (superlinear?)"
