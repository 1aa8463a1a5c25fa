"""Legal references (SCHEMA.md LegalRef; GOLD.md: every cited document with a number)."""
from __future__ import annotations

import pytest

from vn_reform_extract import extract
from vn_reform_extract import legal_refs
from vn_reform_extract.document import Document


def _refs(text, published=None):
    return extract(text, published=published).model_dump(mode="json")["legal_refs"]


def _short(text):
    return [(r["doc_type"], r["number"], r["date"], r["issuer"]) for r in _refs(text)]


def test_schema_examples():
    assert _short("căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ") == \
        [("Nghị quyết", "76/NQ-CP", "2021-07-15", "Chính phủ")]
    assert _short("theo Quyết định số 1291/QĐ-TTg của Thủ tướng Chính phủ") == \
        [("Quyết định", "1291/QĐ-TTg", None, "Thủ tướng Chính phủ")]


@pytest.mark.parametrize("text,expected", [
    ("Thực hiện Kết luận số 126-KL/TW.", ("Kết luận", "126-KL/TW", None, "Ban Chấp hành Trung ương")),
    ("Kết luận số 126-KL/TW của Bộ Chính trị", ("Kết luận", "126-KL/TW", None, "Bộ Chính trị")),
    ("Quy định 08-QĐi/BCT về trách nhiệm nêu gương", ("Quy định", "08-QĐi/BCT", None, "Bộ Chính trị")),
    ("Thông tư số 12/2019/TT-BCT hướng dẫn", ("Thông tư", "12/2019/TT-BCT", None, "Bộ Công Thương")),
    ("Luật số 80/2015/QH13 quy định", ("Luật", "80/2015/QH13", None, "Quốc hội")),
    ("Nghị quyết số 27/NQ-UBTVQH15 về sắp xếp", ("Nghị quyết", "27/NQ-UBTVQH15", None, "Ủy ban Thường vụ Quốc hội")),
    ("tại Công văn số 2502/UBND-THKH ngày 1/3/2021", ("Công văn", "2502/UBND-THKH", "2021-03-01", "Ủy ban nhân dân")),
    ("báo cáo tại tờ trình số 107/TTr-STNMT ngày 5/2/2020",
     ("Tờ trình", "107/TTr-STNMT", "2020-02-05", "Sở Tài nguyên và Môi trường")),
    ("thông báo Kế hoạch số 01/KH-VPĐKĐĐ ngày 31/10/2019", ("Kế hoạch", "01/KH-VPĐKĐĐ", "2019-10-31", None)),
    ("ký văn bản số 6386/BNV- CCVC về việc", ("Văn bản", "6386/BNV- CCVC", None, "Bộ Nội vụ")),
    ("NGHỊ ĐỊNH SỐ 46/2010/NĐ-CP", ("Nghị định", "46/2010/NĐ-CP", None, "Chính phủ")),
    ("Luật Đất đai số 31/2024/QH15", ("Luật", "31/2024/QH15", None, "Quốc hội")),
    ("Nghị định 46 về tinh giản biên chế", ("Nghị định", "46", None, "Chính phủ")),
    ("quy định số 55-QĐ/TW ngày 19.12.2016 của Bộ Chính trị", ("Quy định", "55-QĐ/TW", "2016-12-19", "Bộ Chính trị")),
])
def test_citations(text, expected):
    assert _short(text) == [expected]


def test_list_of_bare_numbers():
    got = _short("theo tinh thần Nghị quyết 18, 19 của Ban Chấp hành Trung ương, khóa XII")
    assert got == [("Nghị quyết", "18", None, "Ban Chấp hành Trung ương"),
                   ("Nghị quyết", "19", None, "Ban Chấp hành Trung ương")]


def test_list_of_codes_shares_trailing_date():
    got = _short("Nghị quyết số 18-NQ/TW và 19-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương")
    assert [g[1] for g in got] == ["18-NQ/TW", "19-NQ/TW"]
    assert [g[2] for g in got] == ["2017-10-25", "2017-10-25"]


def test_one_ref_per_document():
    text = ("Chủ tịch UBND TP.Hà Nội ban hành Chỉ thị số 01/CT-UBND. Tại chỉ thị số 01, Chủ tịch nhấn mạnh. "
            "Kết luận số 121-KL/TW; Kết luận số 121-KL/TW ngày 24/1/2025.")
    got = _refs(text)
    assert [r["number"] for r in got] == ["01/CT-UBND", "121-KL/TW"]
    assert got[1]["date"] == "2025-01-24"


def test_date_before_citation_in_same_clause():
    got = _short("Năm 2019, Sở lập kế hoạch; ngày 31/10/2019 Sở TN-MT có Công văn số 6683/STNMT-VP gửi Sở Nội vụ.")
    assert got == [("Công văn", "6683/STNMT-VP", "2019-10-31", "Sở Tài nguyên và Môi trường")]


def test_issuer_with_main_province():
    doc = Document.from_text("Quyết định số 30/2018/QĐ-UBND về phân cấp; Công văn số 235/SNV-CCVC.")
    doc.context["main_province"] = {"code": "74", "name": "Bình Dương", "kind": "tỉnh"}
    doc.context["date_spans"] = []
    got = [(r.number, r.issuer) for r in legal_refs.extract(doc)]
    assert got == [("30/2018/QĐ-UBND", "Ủy ban nhân dân tỉnh Bình Dương"), ("235/SNV-CCVC", "Sở Nội vụ tỉnh Bình Dương")]


def test_issuer_province_from_pipeline():
    text = "UBND tỉnh Bình Dương ban hành Quyết định số 30/2018/QĐ-UBND ngày 5/10/2018 về phân cấp cho Bình Dương."
    [r] = _refs(text)
    assert r["issuer"] == "Ủy ban nhân dân tỉnh Bình Dương" and r["date"] == "2018-10-05"


def test_mention_text_and_offsets():
    text = "Căn cứ\u00a0Nghị quyết số\u00a076/NQ-CP ngày 15/7/2021."
    [r] = _refs(text)
    assert text[r["start"]:r["end"]] == r["text"] == "Nghị quyết số\u00a076/NQ-CP"
    assert r["rule"] == "legal-typed-code"


@pytest.mark.parametrize("text", [
    "Luật Cán bộ, công chức và Luật Viên chức quy định",
    "Kế hoạch 5 năm 2021-2025",
    "Báo cáo 6 tháng đầu năm",
    "Hội đồng quyết định 3 vấn đề quan trọng",
    "Chủ tịch UBND tỉnh ban hành 115 quyết định công bố danh mục",
    "xếp hạng 13/63, hoạt động 24/7, mạng 4G/5G",
    "Luật sư Nguyễn Văn A cho biết",
])
def test_not_refs(text):
    assert _refs(text) == []


def test_works_without_dates_context():
    doc = Document.from_text("Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ")
    [r] = legal_refs.extract(doc)
    assert (r.number, r.date, r.issuer) == ("76/NQ-CP", "2021-07-15", "Chính phủ")
