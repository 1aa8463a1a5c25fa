import unicodedata

import pytest

from vn_reform_extract import extract
from vn_reform_extract.document import Document

NAUGHTY = [
    "UBND tỉnh Bình Dương\r\nSở Nội vụ",
    "UBND\u00a0tỉnh\u200b Bình\u2009Dương",
    "\ufeffTP.HCM và Hà Nội",
    "Huế\tvà\u3000Đà Nẵng",
    "a\u0301\u0301 Hòa Bình \u0300",
]


@pytest.mark.parametrize("text", NAUGHTY + [unicodedata.normalize("NFD", t) for t in NAUGHTY])
def test_document_offsets_slice_the_original(text):
    article = extract(text)
    for field in ("provinces", "agencies"):
        for m in getattr(article, field):
            assert text[m.start:m.end] == m.text
            assert unicodedata.normalize("NFC", m.text).replace("\u00a0", " ").replace("\u200b", "").replace("\u2009", " ") != ""
    assert article.provinces, text


def test_document_nfd_input_gives_nfc_names_and_exact_offsets():
    nfc = "Chủ tịch UBND tỉnh Hòa Bình và Sở Nội vụ Bình Dương"
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc)
    a, b = extract(nfc), extract(nfd)
    assert [p.name for p in a.provinces] == [p.name for p in b.provinces] == ["Hòa Bình", "Bình Dương"]
    for m in b.provinces + b.agencies:
        assert unicodedata.normalize("NFC", nfd[m.start:m.end]) == unicodedata.normalize("NFC", m.text)
        assert nfd[m.start:m.end] == m.text


@pytest.mark.parametrize("text,n", [
    ("Câu một. Câu hai.", 2),
    ("Dòng một\nDòng hai", 2),
    ("Ảnh minh họa | Nguồn: TTXVN\nNội dung chính.", 3),
    ("Cỡ chữ\nLượt người xem: 1646\nBài viết.", 1),
    ("TP. Hồ Chí Minh đạt kết quả tốt.", 1),
])
def test_document_sentences(text, n):
    doc = Document.from_text(text)
    assert len(doc.sentences) == n, [doc.text[s:e] for s, e in doc.sentences]


@pytest.mark.parametrize("bad", [None, 12, b"bytes", ["list"]])
def test_document_rejects_non_text(bad):
    with pytest.raises(TypeError):
        extract(bad)


def test_document_bad_published():
    with pytest.raises(ValueError):
        extract("abc", published="not a date")


def test_document_published_accepts_datetime_and_iso_with_time():
    from datetime import datetime
    assert extract("x", published=datetime(2022, 11, 2, 10, 30)).published == "2022-11-02"
    assert extract("x", published="2022-11-02T10:30:00").published == "2022-11-02"


@pytest.mark.parametrize("pattern,expected", [
    (r"(?=\d)(?<=xếp hạng\s)\d+", True),
    (r"(?:(?<![\p{L}\p{N}/.,:\-–]))(?P<d>(?:\d{1,2}))/(?P<m>\d{1,2})", True),
    (r"(?<=\()(?P<y>(?:(?:19|20)\d\d))(?=\))", True),
    (r"(?<![\p{L}\p{N}])ngày\s+(?P<d>\d{1,2})", False),
    (r"(?m)^[ \t]*\d", False),
])
def test_trie_starts_at_digit(pattern, expected):
    from vn_reform_extract.trie import starts_at_digit
    assert starts_at_digit(pattern) is expected


def test_trie_matches_at_equals_finditer_for_digit_patterns():
    import regex
    from vn_reform_extract.trie import matches_at
    text = "Ngày 2/11/2022, 87,87% và 1.159 hồ sơ; 13/63 tỉnh; 2021-2030."
    doc = Document.from_text(text)
    for pat in (r"(?<![\d.,])\d+(?:[.,]\d+)*%?", r"(?:(?<![\p{L}\p{N}/.,:\-–]))\d{1,2}/\d{1,2}(?:/\d{4})?"):
        rx = regex.compile(pat)
        assert [m.span() for m in matches_at(rx, text, doc.number_starts())] == [m.span() for m in rx.finditer(text)]
