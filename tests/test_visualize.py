"""HTML and terminal views; the spaCy component."""
from __future__ import annotations

import pytest

from vn_reform_extract.schema import (AgencyMention, Article, DateMention, NumericFact, Official,
                                      ProvinceMention, Span)
from vn_reform_extract.visualize import collect_spans, render_html, render_terminal

TEXT = "Ông Lê Sỹ Bảy <script>alert(1)</script> & UBND tỉnh Bình Dương đạt 87,87/100 điểm ngày 28/10. Ông Bảy nói."


def at(sub: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(sub, i + 1)
    return i, i + len(sub)


def article() -> Article:
    p = at("Bình Dương")
    ag = at("UBND tỉnh Bình Dương")
    f = at("87,87/100 điểm")
    d = at("28/10")
    o1, o2 = at("Lê Sỹ Bảy"), at("Bảy", 1)
    a = Article(
        provinces=[ProvinceMention(text="Bình Dương", start=p[0], end=p[1], code="74", name="Bình Dương", kind="tỉnh")],
        agencies=[AgencyMention(text=TEXT[ag[0]:ag[1]], start=ag[0], end=ag[1], name="Ủy ban nhân dân tỉnh Bình Dương",
                                kind="peoples_committee", level="provincial", province_code="74")],
        officials=[Official(name="Lê Sỹ Bảy", titles=["Phó <b>Tổng</b>"], mentions=[
            Span(start=o1[0], end=o1[1], text="Lê Sỹ Bảy"), Span(start=o2[0], end=o2[1], text="Bảy")])],
        facts=[NumericFact(text="87,87/100 điểm", start=f[0], end=f[1], kind="score", value=87.87, out_of=100)],
        dates=[DateMention(text="28/10", start=d[0], end=d[1], value="XXXX-10-28")],
    )
    a._text = TEXT
    return a


def test_collect_spans_generic():
    spans = collect_spans(article())
    kinds = [h.type for h in spans]
    assert kinds.count("officials") == 2 and {"provinces", "agencies", "facts", "dates"} <= set(kinds)
    assert [h.start for h in spans] == sorted(h.start for h in spans)


def test_html_escapes_and_highlights():
    out = article()._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<b>Tổng</b>" not in out
    assert out.count("<mark") >= 6  # nested province inside agency splits segments
    for label in ("province", "agency", "official", "fact", "date", "legal ref"):
        assert label in out  # legend lists every type, even empty ones
    assert "http" not in out and "<link" not in out  # self-contained
    # text reassembles exactly from the escaped pieces
    import html
    import re
    inner = re.search(r'<div class="vnre-text">(.*?)</div>', out, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", inner)) == TEXT


def test_html_without_text_and_hostile_spans():
    a = article()
    a._text = None
    assert "not available" in render_html(a)
    bad = Article(provinces=[ProvinceMention(text="x", start=50, end=10**6, code="01", name="Hà Nội", kind="thành phố")])
    assert "Hà Nội" in render_html(bad, text="short")  # out-of-range span ignored, no crash


def test_terminal_view():
    plain = render_terminal(article(), color=False)
    assert "\x1b[" not in plain and "[Lê Sỹ Bảy]" in plain and "[UBND tỉnh Bình Dương] đạt [87,87/100 điểm]" in plain
    o2 = at("Bảy", 1)
    assert f"4-13,{o2[0]}-{o2[1]}" in plain  # official mentions
    coloured = render_terminal(article(), color=True)
    assert "\x1b[30;43mBình Dương" in coloured
    evil = Article()
    assert "\x1b" not in render_terminal(evil, text="a\x1b[2Jb", color=False)


def test_spacy_component():
    spacy = pytest.importorskip("spacy")
    import vn_reform_extract.spacy_component  # noqa: F401  registers the factory
    from vn_reform_extract.spacy_component import VnreComponent
    nlp = spacy.blank("xx")
    nlp.add_pipe("vn_reform_extract")
    # the real extractor, and a fixed Article to check alignment independently of it
    doc = nlp("Ngày 28/10, UBND tỉnh Bình Dương họp.")
    assert "vnre" in doc.spans and doc._.vnre is not None

    import vn_reform_extract.pipeline as pipeline
    comp = VnreComponent()
    orig = pipeline.extract
    try:
        pipeline.extract = lambda text, **kw: article()
        doc = comp(spacy.blank("xx")(TEXT))
    finally:
        pipeline.extract = orig
    labels = [s.label_ for s in doc.spans["vnre"]]
    assert labels.count("OFFICIAL") == 2 and {"PROVINCE", "AGENCY", "FACT", "DATE"} <= set(labels)
    by = {s.label_: s for s in doc.spans["vnre"]}
    assert by["PROVINCE"].text == "Bình Dương" and by["FACT"].text.startswith("87,87/100")
