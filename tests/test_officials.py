"""Officials and authors: offsets, merging of mentions, bylines, NER alignment, speed."""
from __future__ import annotations

import time

import pytest

from vn_reform_extract import extract, titles
from vn_reform_extract.document import Document
from vn_reform_extract import officials


def _officials(text, **kw):
    return extract(text, **kw).model_dump(mode="json")["officials"]


def test_offsets_are_in_the_callers_text():
    text = ("Chủ tịch UBND tỉnh\u00a0Võ Văn Minh cho biết.\r\nSau đó, ông\u200b Minh nhấn mạnh:"
            " \u201cPhải làm ngay\u201d.")
    offs = _officials(text)
    assert len(offs) == 1
    o = offs[0]
    assert o["name"] == "Võ Văn Minh"
    assert len(o["mentions"]) == 2
    for m in o["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    assert o["mentions"][1]["text"] == "Minh"


def test_one_official_per_person_with_text_order_titles():
    text = ("Ông Võ Văn Minh - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh chủ trì cuộc họp. "
            "Kết luận cuộc họp, Chủ tịch UBND tỉnh Võ Văn Minh nhấn mạnh cải cách là nhiệm vụ quan trọng. "
            "Ông Minh đề nghị các sở vào cuộc.")
    offs = _officials(text)
    assert [o["name"] for o in offs] == ["Võ Văn Minh"]
    assert offs[0]["titles"] == ["Phó Bí thư Tỉnh ủy", "Chủ tịch UBND tỉnh"]
    assert offs[0]["honorific"] == "ông"
    assert len(offs[0]["mentions"]) == 3


def test_authors_are_not_officials():
    text = ("Tin mới\n27/09/2021 | Phương Chi\n\nPhó Chủ tịch UBND tỉnh Nguyễn Văn Lợi phát biểu. "
            "(Ảnh: Trần Văn Bình)\nNgười dân hài lòng. Quang Thành")
    art = extract(text).model_dump(mode="json")
    assert [o["name"] for o in art["officials"]] == ["Nguyễn Văn Lợi"]
    roles = {(a["name"], a["role"]) for a in art["authors"]}
    assert ("Trần Văn Bình", "photo") in roles
    assert ("Phương Chi", "byline") in roles
    assert ("Quang Thành", "byline") in roles
    for a in art["authors"]:
        assert text[a["start"]:a["end"]] == a["name"]


def test_photo_credit_trimmed():
    art = extract("Người dân làm thủ tục tại UBND phường. Ảnh: HẢI NGUYỄN Tới 2020 - 2021, sẽ giảm biên chế.")
    assert [a["name"] for a in art.model_dump()["authors"]] == ["HẢI NGUYỄN"]


def test_pipeline_contract_and_rule_names():
    doc = Document.from_text("Thứ trưởng Bộ Nội vụ Nguyễn Duy Thăng chủ trì họp báo.")
    offs, authors = officials.extract(doc)
    assert authors == []
    assert offs[0].rule == "title-before-name"
    assert offs[0].titles == ["Thứ trưởng Bộ Nội vụ"]


def test_agency_and_province_from_context():
    doc = Document.from_text("Giám đốc Sở Nội vụ tỉnh Trà Vinh Lê Thanh Bình cho biết.")
    s = doc.text.index("Sở")
    e = doc.text.index(" Lê")
    doc.context["agency_spans"] = [(s, e, "Sở Nội vụ tỉnh Trà Vinh", "84")]
    offs, _ = officials.extract(doc)
    assert offs[0].agency == "Sở Nội vụ tỉnh Trà Vinh"
    assert offs[0].province_code == "84"


def test_province_name_is_not_a_person():
    offs = _officials("Phát biểu tại buổi làm việc, Bí thư Thành ủy Hà Nội Hoàng Trung Hải yêu cầu xử lý nghiêm.")
    assert [o["name"] for o in offs] == ["Hoàng Trung Hải"]


def test_gazetteers_load():
    assert "Nguyễn" in titles.surnames()
    kinds = {e.kind for e in titles.entries()}
    assert {"position", "rank"} <= kinds


def test_no_catastrophic_backtracking():
    chunk = ("Chủ tịch UBND tỉnh " + "Ab " * 50 + ", Phó Giám đốc Sở " + "Cd Ef " * 30 + "- ông Gh Ij Kl, ")
    text = chunk * 200
    t = time.perf_counter()
    extract(text)
    assert time.perf_counter() - t < 10


def test_ner_alignment():
    pytest.importorskip("underthesea")
    from vn_reform_extract import ner
    text = "Xin chào. Tại điểm cầu Bắc Ninh, đồng chí Ngô Tân Phượng dự họp."
    s = text.index("Tại")
    for a, b, _ in ner.entities(text, s, len(text)):
        assert 0 <= a < b <= len(text)
        assert text[a:b].strip() == text[a:b]


def test_ner_switch():
    pytest.importorskip("underthesea")
    doc = Document.from_text("Về dự có Nguyễn Quang Thuấn - Chủ tịch Viện Hàn lâm KHXH Việt Nam.")
    offs, _ = officials.extract(doc, use_ner=True)
    assert [o.name for o in offs] == ["Nguyễn Quang Thuấn"]


@pytest.mark.parametrize("repeat", [1, 2000])  # an article, and a text past the one-pass length
def test_word_starts_as_one_alternation(repeat):
    """Whole-word starts of the names' words, as one longest-first alternation finds them."""
    import regex
    from vn_reform_extract.officials.link import _word_starts
    lower = ("ông hà, bà thu hà-an (hà) thuhà hà-an-b; an hàn, anh. " * repeat).lower()
    words = {"hà", "an", "thu", "hà-an", "anh", "b"}
    rx = regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")(?![\p{L}\p{M}])")
    expected = {w: [m.start() for m in rx.finditer(lower) if m.group() == w] for w in words}
    assert _word_starts(lower, words) == expected
    assert expected["hà-an"] and expected["an"]
