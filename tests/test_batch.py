"""extract_many: order, one result per input, errors as records, parallel == serial."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vn_reform_extract import Article, ErrorRecord, extract, extract_many

ROOT = Path(__file__).resolve().parents[1]


def sample(n: int) -> list[dict]:
    with open(ROOT / "corpus" / "news_sample.jsonl", encoding="utf-8") as fh:
        return [json.loads(ln) for _, ln in zip(range(n), fh)]


def dump(r):
    return r.model_dump(mode="json")


def test_plain_texts_in_order():
    texts = [r["text"] for r in sample(8)] + ["", "Hà Nội."]
    got = list(extract_many(texts, batch_size=3))
    assert len(got) == len(texts)
    assert all(isinstance(a, Article) for a in got)
    assert [dump(a) for a in got] == [dump(extract(t)) for t in texts]
    assert [a._text for a in got] == texts


def test_generator_input_is_streamed():
    seen = []

    def gen():
        for i in range(10):
            seen.append(i)
            yield f"Câu số {i}."

    it = extract_many(gen(), batch_size=2)
    first = next(it)
    assert isinstance(first, Article) and len(seen) <= 4
    assert len(list(it)) == 9


def test_bad_items_become_error_records():
    items = ["ok.", None, 42, b"bytes", "", ["x"], "also ok."]
    got = list(extract_many(items))
    kinds = [type(r).__name__ for r in got]
    assert kinds == ["Article", "ErrorRecord", "ErrorRecord", "ErrorRecord", "Article", "ErrorRecord", "Article"]
    errs = [r for r in got if isinstance(r, ErrorRecord)]
    assert [e.position for e in errs] == [1, 2, 3, 5]
    assert "null" in errs[0].error and "int" in errs[1].error and "decode" in errs[2].error


def test_max_chars():
    got = list(extract_many(["a" * 20, "short"], max_chars=10))
    assert isinstance(got[0], ErrorRecord) and "10" in got[0].error
    assert isinstance(got[1], Article)


def test_exceptions_inside_extract_are_records(monkeypatch):
    import vn_reform_extract.pipeline as pipeline

    def boom(text, **kw):
        if "boom" in text:
            raise RuntimeError("kaboom")
        return Article()
    monkeypatch.setattr(pipeline, "extract", boom)
    got = list(extract_many(["fine", "boom", "fine"]))
    assert isinstance(got[1], ErrorRecord) and got[1].error == "RuntimeError: kaboom" and got[1].position == 1
    assert isinstance(got[0], Article) and isinstance(got[2], Article)


def test_as_tuples_context_passthrough_and_metadata():
    recs = sample(4)
    items = [(r["text"], {"id": r["id"], "published": r["published"], "n": i}) for i, r in enumerate(recs)]
    items.append((None, {"id": "broken"}))
    got = list(extract_many(items, as_tuples=True))
    assert [c["n"] for _, c in got[:4]] == [0, 1, 2, 3]
    for (art, ctx), r in zip(got, recs):
        assert art.published == (r["published"] or art.published)
    err, ctx = got[4]
    assert isinstance(err, ErrorRecord) and err.id == "broken" and ctx == {"id": "broken"}
    # not a pair
    (bad,) = list(extract_many(["just text"], as_tuples=True))
    assert isinstance(bad[0], ErrorRecord)


def test_workers_identical_to_serial():
    texts = [r["text"] for r in sample(24)] + [None, ""]
    serial = [dump(r) for r in extract_many(texts)]
    parallel = list(extract_many(texts, workers=2, batch_size=5))
    assert [dump(r) for r in parallel] == serial
    assert [getattr(r, "_text", None) for r in parallel[:-2]] == texts[:-2]


def test_to_frames_shapes():
    pd = pytest.importorskip("pandas")
    from vn_reform_extract import to_frames
    recs = sample(5)
    got = list(extract_many([(r["text"], {"id": r["id"]}) for r in recs] + [(None, {"id": "x"})], as_tuples=True))
    frames = to_frames(got)
    for name in ("articles", "provinces", "agencies", "officials", "official_mentions", "dates",
                 "facts", "legal_refs", "sentences", "authors", "errors"):
        assert isinstance(frames[name], pd.DataFrame)
    assert list(frames["articles"]["article_id"]) == [r["id"] for r in recs]
    assert list(frames["errors"]["id"]) == ["x"]
    n_sent = sum(len(a.sentences) for a, _ in got[:5])
    assert len(frames["sentences"]) == n_sent
    assert set(frames["provinces"]["article_id"]) <= {r["id"] for r in recs}
    # counts in the articles table agree with the per-list tables
    for name in ("provinces", "facts", "officials"):
        assert frames["articles"][f"n_{name}"].sum() == len(frames[name])
    # empty input still gives every table with its columns
    empty = to_frames([])
    assert "code" in empty["provinces"].columns and len(empty["provinces"]) == 0


def test_to_frames_handcrafted_nested():
    pytest.importorskip("pandas")
    from vn_reform_extract import to_frames
    from vn_reform_extract.schema import Official, Span
    a = Article(officials=[Official(name="Lê Sỹ Bảy", titles=["Phó Tổng Thanh tra Chính phủ"],
                                    mentions=[Span(start=0, end=9, text="Lê Sỹ Bảy"), Span(start=20, end=23, text="Bảy")])])
    f = to_frames([("doc1", a)])
    assert f["officials"].loc[0, "titles"] == ["Phó Tổng Thanh tra Chính phủ"]
    m = f["official_mentions"]
    assert list(m["official_idx"]) == [0, 0] and list(m["idx"]) == [0, 1] and list(m["article_id"]) == ["doc1"] * 2


def test_import_stays_light():
    import subprocess
    import sys
    code = ("import sys, vn_reform_extract; "
            "print([m for m in ('pandas', 'dask', 'distributed', 'pyarrow') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
