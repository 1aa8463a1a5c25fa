"""Numeric facts: offsets, context fields, rule data hygiene and speed."""
from __future__ import annotations

import time
import unicodedata

import pytest

from vn_reform_extract import extract, patterns
from vn_reform_extract.document import Document
from vn_reform_extract import facts as facts_mod


def _facts(text, **kw):
    return extract(text, **kw).model_dump(mode="json")["facts"]


@pytest.mark.parametrize("text", [
    "Tỉnh có 1.159 dịch vụ công trực tuyến, đạt 60,59%.",
    "Tỉnh có\u00a01.159 dịch vụ công trực tuyến,\r\nđạt 60,59%.",
    unicodedata.normalize("NFD", "Tỉnh có 1.159 dịch vụ công trực tuyến, đạt 60,59%."),
    "Tỉnh\u200b có 1.159 dịch vụ\u200b công trực tuyến, đạt 60,59%.",
])
def test_text_is_the_slice_of_the_input(text):
    got = _facts(text)
    assert [f["kind"] for f in got] == ["count", "percent"]
    for f in got:
        assert text[f["start"]:f["end"]] == f["text"]
        assert f["rule"]


def test_range_gives_one_fact_per_bound():
    got = _facts("Tăng trưởng dự kiến đạt 12-15%.")
    assert [(f["kind"], f["value"], f["target"]) for f in got] == [("percent", 12.0, True), ("percent", 15.0, True)]


def test_out_of_and_units():
    got = _facts("Trung tâm tiếp nhận 1.314/1.437 thủ tục của 16 sở, ngành tỉnh.")
    assert [(f["value"], f["out_of"], f["unit"]) for f in got] == [(1314.0, 1437.0, "thủ tục"), (16.0, None, "sở, ngành")]


def test_target_from_cue_and_future_year():
    got = _facts("Đến năm 2030, 100% TTHC được cung cấp trực tuyến.", published="2021-09-27")
    assert got[0]["target"] is True and got[0]["period"] == "2030"
    got = _facts("Năm 2020, quận đã hoàn thành 12/12 chỉ tiêu thành phần và 3 mục tiêu trọng tâm.", published="2021-04-01")
    assert [f["target"] for f in got] == [False, False]


def test_context_from_other_extractors():
    doc = Document.from_text("Năm 2021, Chỉ số cải cách hành chính tỉnh Bình Dương đạt 87,87/100 điểm.")
    s = doc.text.index("Bình Dương")
    doc.context["province_spans"] = [(s, s + len("Bình Dương"), "74")]
    doc.context["date_spans"] = [(4, 9, "2021")]
    (f,) = facts_mod.extract(doc)
    assert (f.kind, f.value, f.out_of, f.province_code, f.period, f.metric) == \
        ("score", 87.87, 100.0, "74", "2021", "Chỉ số cải cách hành chính")


@pytest.mark.parametrize("text,code", [
    ("Theo văn bản 123 số liệu, tỉnh có 5 cán bộ được khen thưởng.", "83"),   # a local sentence
    ("Theo văn bản 123 số liệu, có 5 cán bộ được khen thưởng.", None),        # nothing says local
    ("Theo văn bản 123 số liệu, cả nước có 5 cán bộ được khen thưởng.", None),  # national
])
def test_main_province_fallback_and_legal_spans(text, code):
    doc = Document.from_text(text)
    doc.context["main_province"] = {"code": "83"}
    s = doc.text.index("123")
    doc.context["legal_spans"] = [(s, s + 3)]
    got = facts_mod.extract(doc)
    assert [(f.value, f.unit, f.province_code) for f in got] == [(5.0, "cán bộ", code)]


def test_missing_context_is_fine():
    doc = Document.from_text("Có 5 cán bộ.")
    doc.context.update(province_spans=None, date_spans=[("x",)], main_province=object())
    assert [f.value for f in facts_mod.extract(doc)] == [5.0]


@pytest.mark.parametrize("text", ["", "   ", "Không có số nào.", "một hai", "1" * 5000])
def test_no_crash_on_junk(text):
    _facts(text)


def test_unit_alternatives_longest_first():
    """Inside `uhead`, a phrase must come before any shorter phrase it starts with,
    or the shorter one would always win ("tỉnh" before "tỉnh ủy")."""
    raw = patterns.load("facts").data["macros"]["uhead"]
    alts = [a for a in raw.split("|")]
    for i, a in enumerate(alts):
        for b in alts[i + 1:]:
            assert not b.startswith(a + " "), f"{b!r} comes after its prefix {a!r}"


@pytest.mark.parametrize("text", [
    "1." * 20000,
    "1.1.1.1." * 5000,
    "1,1,1,1 " * 5000,
    ("12 " * 10000) + "%",
    ("mức độ 3, " * 5000),
    ("hai mươi " * 3000),
    ("từ 5 " * 5000),
    "a" * 100000,
])
def test_no_catastrophic_backtracking(text):
    t0 = time.perf_counter()
    facts_mod.extract(Document.from_text(text))
    assert time.perf_counter() - t0 < 3.0



@pytest.mark.parametrize("name", ["national", "target", "metric"])
def test_cue_parts_find_what_one_alternation_finds(name):
    """Context cues are searched part by part (with a substring pre-check): the matches
    must be those of the single alternation of the parts, on sentences that hold them."""
    import regex
    cue = getattr(facts_mod.rules(), name)
    combined = regex.compile("|".join(f"(?:{p.pattern})" for p in cue.parts), cue.parts[0].flags)
    texts = ["Cả nước có 3.321 xã; Bộ Y tế và Hoa Kỳ, Thái Lan đã có 5 ca.",
             "Mục tiêu đến năm 2030, tỉnh sẽ phấn đấu ít nhất 80% hồ sơ; kế hoạch dự kiến có thể đạt.",
             "Chỉ số CCHC năm 2024 và tỷ lệ hồ sơ giải quyết đúng hạn, UBND tỉnh Bình Dương, TP Huế.",
             "Tỉnh phải đảm bảo năng lực; toàn quốc vừa qua đã qua 2 năm 2025 CẢ NƯỚC Toàn Quốc."]
    for text in texts:
        for a, b in ((0, len(text)), (5, len(text) - 7)):
            want = [(m.start(), m.end()) for m in combined.finditer(text, a, b)]
            got = [(m.start(), m.end()) for m in cue.finditer(text, a, b)]
            assert got == want
            assert [(m.start(), m.end()) for m in cue.finditer(text, a, b, folded=text.casefold())] == want


@pytest.mark.parametrize("pattern, words", [
    (r"(?<![\p{L}\p{M}])(?i:cả nước|toàn quốc)(?![\p{L}\p{M}])", ("cả nước", "toàn quốc")),
    (r"(?<![\p{L}\p{M}])(?<!(?i:so với|bằng)\s|%\s)(?i:Kế hoạch)(?![\p{L}\p{M}])", ("kế hoạch",)),
    (r"(?<![\p{L}\p{M}])(?i:cần|phải)\s(?:đảm bảo|tăng)", ("cần", "phải")),
    (r"(?<![\p{L}\p{M}])(?:(?i:tỉnh)|TP)(?![\p{L}\p{M}])", None),      # a nested group
    (r"(?i:năm)?\s(?P<year>\d{4})", None),                               # an optional group
    (r"[(]\d+", None),
])
def test_required_words(pattern, words):
    assert facts_mod._required_words(pattern) == words
