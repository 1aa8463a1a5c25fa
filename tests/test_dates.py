"""Dates, published date and parse_date (SCHEMA.md DateMention; corpus/GOLD.md conventions)."""
from __future__ import annotations

from datetime import date

import pytest

from vn_reform_extract import extract, parse_date
from vn_reform_extract import dates
from vn_reform_extract.document import Document


def _dates(text, published=None):
    return extract(text, published=published).model_dump(mode="json")["dates"]


def _values(text, published=None):
    return [d["value"] for d in _dates(text, published)]


@pytest.mark.parametrize("text,published,expected", [
    ("Ngày 28/10, Đoàn kiểm tra làm việc.", "2022-11-02", ["2022-10-28"]),
    ("Đến ngày 02/11/2022 đã hoàn thành.", None, ["2022-11-02"]),
    ("Chiều 27-9, ông chủ trì cuộc họp.", "2021-09-27", ["2021-09-27"]),
    ("Ngày 6 tháng 9 năm 2022, tỉnh tổ chức hội nghị.", None, ["2022-09-06"]),
    ("hoàn thành trong tháng 1/2025", None, ["2025-01"]),
    ("Năm 2021, chỉ số tăng.", None, ["2021"]),
    ("19 nhiệm vụ hoàn thành trong quý IV năm 2023", None, ["2023-Q4"]),
    ("báo cáo quý II/2025", None, ["2025-Q2"]),
    ("giai đoạn 2021-2030", None, ["2021/2030"]),
    ("nhiệm kỳ 2020 - 2025", None, ["2020/2025"]),
    ("Từ năm 2016 đến 2020, tỉnh giảm biên chế.", None, ["2016/2020"]),
    ("từ năm 2011 đến hết năm 2020", None, ["2011/2020"]),
    ("Từ năm 2012 đến nay, Hội gửi tờ trình.", None, ["2012"]),
    ("Dịp lễ 30/4-1/5, du khách tăng.", "2022-05-03", ["2022-04-30/2022-05-01"]),
    ("diễn ra từ 2/5 đến 29/5/2021", None, ["2021-05-02/2021-05-29"]),
    ("từ tháng 1/2016 đến ngày 10/5/2017", None, ["2016-01/2017-05-10"]),
    ("21:00 ngày 27/9, tuyến đường thông xe.", "2021-09-28", ["2021-09-27"]),
    ("ngày 19.12.2016 của Bộ Chính trị", None, ["2016-12-19"]),
    ("các buổi làm việc ngày mùng 3 và 5/4/2021", None, ["2021-04-03", "2021-04-05"]),
    ("Sáng Chủ nhật 11-6, phường làm thủ tục.", None, ["XXXX-06-11"]),
    ("chiều nay (11/5), ông Lân cho biết", None, ["XXXX-05-11"]),
    ("6 tháng đầu năm 2024", None, ["2024"]),
    ("kiểm tra học kỳ I năm học 2025–2026", None, ["2025/2026"]),
])
def test_forms(text, published, expected):
    assert _values(text, published) == expected


@pytest.mark.parametrize("text", [
    "Bình Dương xếp hạng 13/63 tỉnh, thành phố.",
    "đạt 87,87% kế hoạch",
    "bảo đảm hệ thống sẵn sàng 24/7.",
    "dãy núi chiếm 1/3 diện tích của tỉnh",
    "Quyết định số 30/2018/QĐ-UBND của UBND tỉnh",
    "Cuộc họp bắt đầu lúc 21:00.",
    "theo Luật Ngân sách năm 2002",
    "theo Luật Cán bộ, công chức năm 2008",
    "đạt giải Sao Khuê 2020",
    "ngày 31/4 và ngày 30/2",
    "quận đã hoàn thành 12/12 chỉ tiêu",
    "tăng từ 2015 hồ sơ lên 3.000 hồ sơ",
    "dịch vụ công mức độ 3, 4",
    "Kỳ họp thứ 14, khóa XIV",
])
def test_not_dates(text):
    assert _values(text) == []


def test_relative_needs_published():
    text = "Hôm qua, UBND tỉnh họp. Năm nay tỉnh giảm 3%. Tháng tới sẽ kiểm tra."
    assert _values(text) == []
    found = _dates(text, "2022-11-02")
    assert [d["value"] for d in found] == ["2022-11-01", "2022", "2022-12"]
    assert all(d["year_inferred"] for d in found)
    assert [d["rule"] for d in found] == ["date-relative"] * 3


def test_relative_spans_of_time_are_not_dates():
    assert _values("Trong 3 năm tới và những năm trước, tỉnh phấn đấu.", "2022-11-02") == []


def test_week():
    # articles do not report relative weeks (the gold files never do); single phrases resolve
    assert _values("Tuần trước, Sở đã kiểm tra.", "2022-11-02") == []
    assert parse_date("tuần trước", date(2022, 11, 2)) == "2022-10-24/2022-10-30"


def test_explicit_date_wins_over_relative_word():
    assert _values("Hôm nay (28/6), đoàn công tác làm việc.", "2024-06-28") == ["2024-06-28"]


def test_year_inference_from_published_crosses_new_year():
    [d] = _dates("Ngày 28/12, tỉnh tổng kết.", "2022-01-04")
    assert d["value"] == "2021-12-28" and d["year_inferred"] is True


def test_year_inference_without_published():
    # nearest explicit year before ...
    assert _values("Năm 2019, tỉnh tuyển dụng. Ngày 5/6, Sở họp.") == ["2019", "2019-06-05"]
    # ... else the first full date after it
    assert _values("Ngày 16/5, Tổ công tác về. Giao từ tháng 1/2016 đến ngày 10/5/2017.") == \
        ["2017-05-16", "2016-01/2017-05-10"]
    # ... else nothing to infer from
    [d] = _dates("Ngày 10/12, HĐND tỉnh họp, nhiệm kỳ 2021-2026.")[:1]
    assert d["value"] == "XXXX-12-10" and d["year_inferred"] is False


def test_mention_offsets_are_original_coordinates():
    text = "Tin\r\n\u200bNgày\u00a028/10, đoàn đến.\r\nChiều 10/11 họp."
    found = _dates(text, "2022-11-02")
    assert [text[d["start"]:d["end"]] for d in found] == [d["text"] for d in found]
    assert [d["value"] for d in found] == ["2022-10-28", "2022-11-10"]
    assert found[0]["text"] == "Ngày\u00a028/10"
    assert found[0]["granularity"] == "day"


def test_date_spans_context():
    doc = Document.from_text("Ngày 28/10, đoàn đến. Giai đoạn 2021-2030.", date(2022, 11, 2))
    dates.extract(doc)
    spans = doc.context["date_spans"]
    assert [v for _, _, v in spans] == ["2022-10-28", "2021/2030"]
    s, e, _ = spans[1]
    assert doc.text[s:e] == "2021-2030"


@pytest.mark.parametrize("text,expected", [
    ("THANH TRA CHÍNH PHỦ\n\nKiểm tra tại Bình Dương\n\n02/11/2022\n\nNgày 28/10, Đoàn làm việc.", "2022-11-02"),
    ("Thông tin tuyên truyền\nThứ 2, Ngày 27/09/2021, 21:00\nXây dựng Chương trình", "2021-09-27"),
    ("Tạo bước đột phá\n\nXã hội - Ngày đăng : 05:31, 24/05/2022\n\nNhững năm qua", "2022-05-24"),
    ("Tiêu đề\nCập nhật: 10:20, 15/08/2023\nSáng 14/8, UBND tỉnh họp.", "2023-08-15"),
    ("Kết luận về một số nội dung\n\n19/02/2025 14:15\n\nTheo Kết luận này", "2025-02-19"),
    ("Ngày 3/12/2010, Thứ trưởng Bộ Nội vụ đã ký văn bản số 6386/BNV-CCVC về việc xử lý.", None),
    ("Chiều 10/11, Đoàn kiểm tra làm việc với tỉnh.", None),
])
def test_published(text, expected):
    article = extract(text).model_dump(mode="json")
    assert article["published"] == expected
    if expected:  # the printed publication date is a date mention too
        assert expected in [d["value"] for d in article["dates"]]


def test_published_given_is_kept():
    assert extract("02/11/2022\nNội dung", published="2022-11-05").published == "2022-11-05"


def test_published_only_in_header():
    body = "\n".join(f"Dòng nội dung số {i} của bài." for i in range(30))
    assert extract(body + "\n02/11/2022\n").published is None


@pytest.mark.parametrize("text,reference,expected", [
    ("28/10", date(2022, 11, 2), "2022-10-28"),
    ("28/10", None, "XXXX-10-28"),
    ("hôm qua", date(2022, 11, 2), "2022-11-01"),
    ("hôm qua", None, None),
    ("tháng trước", date(2022, 1, 15), "2021-12"),
    ("năm nay", "2022-11-02", "2022"),
    ("Chiều 10/11", date(2023, 12, 1), "2023-11-10"),
    ("2024", None, "2024"),
    ("quý IV năm 2023", None, "2023-Q4"),
    ("giai đoạn 2021-2030", None, "2021/2030"),
    ("từ 2/5 đến 29/5/2021", None, "2021-05-02/2021-05-29"),
    ("ngày 6 tháng 9 năm 2022", None, "2022-09-06"),
    ("13/63", None, None),
    ("21:00", None, None),
    ("", None, None),
    ("xin chào", None, None),
])
def test_parse_date(text, reference, expected):
    assert parse_date(text, reference) == expected


def test_rule_names_are_recorded():
    found = _dates("Ngày 28/10 và năm 2021, giai đoạn 2021-2030.", "2022-11-02")
    assert [d["rule"] for d in found] == ["date-dm-prefixed", "date-year", "date-year-range"]


@pytest.mark.parametrize("pattern, shape, follows, not_follows", [
    (r"(?:(?<![\p{L}\p{N}/.,:\-–]))(?P<d>(?:\d{1,2}))/(?P<m>(?:\d{1,2}))", "day", "/", ". -"),
    (r"(?<!(?:(?:số|luật)\s+))(?P<d>(?:\d{1,2}))(?P<sep>[/.\-])(?P<m>(?:\d{1,2}))(?P=sep)", "day", "/.-", " t"),
    (r"(?P<d>(?:\d{1,2}))\s+tháng", "day", " \t", "/"),
    (r"(?P<d1>(?:\d{1,2}))\s*(?:đến|tới)\s*", "day", " đĐtT", "/.-"),
    (r"(?<=\()(?P<y>(?:(?:19|20)\d\d))(?=\))", "year", "", ""),
    (r"(?P<d>(?:\d{1,2}))(?:\s*[/\-]|h)", "any", "", ""),   # a shape the gate does not read
    (r"(?P<d>\d+)/", "any", "", ""),
])
def test_digit_rule_gate(pattern, shape, follows, not_follows):
    """Which date starts a digit rule is tried at, read from its pattern."""
    import regex
    got, follow = dates._digit_gate(pattern, regex.V1 | regex.IGNORECASE)
    assert got == shape
    assert all(follow.match(c) for c in follows)
    assert not any(follow.match(c) for c in not_follows)


def test_digit_rules_tried_only_where_they_can_match():
    doc = Document.from_text("Ngày 5/3/2024 và 12 tháng 4, năm 2023 (2022), 7 đến 9/5; 15% và 3.5 tỷ.")
    pf, _ = dates._rules()
    for rule in pf.rules:
        if dates.starts_at_digit(rule.pattern):
            gated = dates._rule_starts(doc, rule)
            assert set(gated) <= set(dates._date_starts(doc))
            assert [m.span() for m in dates.matches_at(rule.anchored, doc.text, gated)] == \
                [m.span() for m in dates.matches_at(rule.anchored, doc.text, dates._date_starts(doc))]
    numeric = next(r for r in pf.rules if r.name == "date-dmy-numeric")
    tried = dates._rule_starts(doc, numeric)
    assert doc.text.index("5/3") in tried
    assert not {doc.text.index("12 tháng"), doc.text.index("2023"), doc.text.index("15%")} & set(tried)
