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


class _Checker(__import__("html.parser").parser.HTMLParser):
    """Tags balance (void elements aside), and what a document needs is there."""
    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.seen, self.decl = [], [], [], None
        self.title = ""

    def handle_decl(self, decl):
        self.decl = decl

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.title += data


def _parse(page: str) -> _Checker:
    c = _Checker()
    c.feed(page)
    c.close()
    assert c.errors == [] and c.stack == [], (c.errors, c.stack)
    return c


def test_html_page_is_a_complete_valid_document():
    a = article()
    page = render_html(a, title="<b>Tiêu đề</b> & </title><script>x</script>")
    assert page.lower().startswith("<!doctype html>")
    c = _parse(page)
    assert c.decl.lower() == "doctype html"
    tags = [t for t, _ in c.seen]
    assert tags[:3] == ["html", "head", "meta"] and c.seen[2][1] == {"charset": "utf-8"}
    assert "<script>" not in page and "<b>Tiêu đề</b>" not in page
    assert c.title == "<b>Tiêu đề</b> & </title><script>x</script>"  # escaped, shown as text
    assert "<h1>&lt;b&gt;Tiêu đề" in page


def test_html_details_without_hovering():
    page = render_html(article())
    _parse(page)
    # each list is a table below the text, with readable cells (no JSON)
    for label in ("province (1)", "agency (1)", "official (1)", "fact (1)", "date (1)"):
        assert label in page
    assert "<td>Lê Sỹ Bảy; Bảy</td>" in page          # mentions by their text
    assert "<td>Phó &lt;b&gt;Tổng&lt;/b&gt;</td>" in page  # titles joined and escaped
    assert "[" not in page.split('class="vnre-text"')[1].split("</div>", 1)[1]  # no JSON lists
    assert '<td class="num">87.87</td>' in page and '<td class="num">100</td>' in page


def test_html_types_have_distinct_colours():
    from vn_reform_extract.visualize import _STYLE
    colours = [c for _, c, _ in _STYLE.values()]
    assert len(set(colours)) == len(colours)

    def rgb(c):
        return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
    d, f = rgb(_STYLE["dates"][1]), rgb(_STYLE["facts"][1])
    assert sum(abs(x - y) for x, y in zip(d, f)) > 150  # a date never looks like a fact


def test_html_title_from_the_first_line():
    a = article()
    text = "Bình Dương dẫn đầu cải cách hành chính\n\n" + TEXT
    page = render_html(a, text=text)
    assert "<title>Bình Dương dẫn đầu cải cách hành chính</title>" in page
    assert "<h1>" not in render_html(a, text="Một câu rất bình thường kết thúc bằng dấu chấm.\nTiếp.")


def test_notebook_fragment_is_no_document():
    frag = article()._repr_html_()
    assert "<!doctype" not in frag.lower() and "<html" not in frag
    _parse(frag)


def test_vnre_show_html_page(tmp_path):
    import json
    from vn_reform_extract.cli import main
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x1", "title": "Tin <i>nóng</i>", "text": TEXT}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    out = tmp_path / "page.html"
    assert main(["show", str(src), "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    c = _parse(page)
    assert c.title == "Tin <i>nóng</i>" and "<i>" not in page
    assert "id x1" in page
