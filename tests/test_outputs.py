"""Readers and writers: record-level errors, SQLite layout, interrupted runs."""
from __future__ import annotations

import json
import sqlite3

import pytest

from vn_reform_extract.batch import ErrorRecord, Task, run_tasks
from vn_reform_extract.frames import flatten, table_specs
from vn_reform_extract.io import iter_tasks
from vn_reform_extract.outputs import JsonlWriter, SqliteWriter, TableWriter
from vn_reform_extract.schema import Article, NumericFact, ProvinceMention


def art() -> Article:
    t = "Bình Dương đạt 87,87/100 điểm."
    a = Article(provinces=[ProvinceMention(text="Bình Dương", start=0, end=10, code="74", name="Bình Dương", kind="tỉnh")],
                facts=[NumericFact(text="87,87/100 điểm", start=15, end=29, kind="score", value=87.87, out_of=100)])
    a._text = t
    return a


def test_table_specs_cover_every_list():
    specs = table_specs()
    for name in ("articles", "sentences", "provinces", "agencies", "officials", "official_mentions",
                 "authors", "dates", "facts", "legal_refs", "errors"):
        assert name in specs
    assert specs["provinces"].column_names[:2] == ["article_id", "idx"]
    assert "code" in specs["provinces"].column_names and "mentions" not in specs["officials"].column_names


def test_flatten_rows():
    rows = flatten(art(), "a1", file="f.jsonl", line=3)
    assert rows["articles"][0]["n_provinces"] == 1 and rows["articles"][0]["n_chars"] == 30
    assert rows["provinces"][0]["code"] == "74" and rows["facts"][0]["out_of"] == 100


def test_sqlite_layout_indexes_and_replace(tmp_path):
    db = tmp_path / "x.sqlite"
    w = SqliteWriter(str(db))
    t = Task(text=art()._text, id="a1", source="f", line=1)
    w.write(t, art())
    w.write(Task(id="e1", source="f", line=2), ErrorRecord(id="e1", error="bad", source="f", line=2))
    w.flush()
    w.write(t, art())  # same id again: replaced, not duplicated
    w.close()
    con = sqlite3.connect(db)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "provinces", "agencies", "officials", "official_mentions", "dates", "facts",
            "legal_refs", "errors"} <= names
    idx = {r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")}
    assert any('"provinces" ("code")' in s for s in idx) and any('"facts" ("kind")' in s for s in idx)
    assert con.execute("SELECT COUNT(*) FROM provinces").fetchone()[0] == 1
    js, text = con.execute("SELECT json, text FROM articles WHERE article_id='a1'").fetchone()
    assert Article.model_validate_json(js).provinces[0].code == "74" and text == art()._text
    assert SqliteWriter(str(db)).done_ids() == {"a1", "e1"}


def test_sqlite_commits_per_batch(tmp_path):
    """What was flushed survives a crash before close (another connection sees it)."""
    db = tmp_path / "c.sqlite"
    w = SqliteWriter(str(db))
    w.write(Task(id="a1", text="x"), art())
    w.flush()
    w.write(Task(id="a2", text="x"), art())  # not flushed yet
    other = sqlite3.connect(db)
    assert [r[0] for r in other.execute("SELECT article_id FROM articles")] == ["a1"]
    w.close()
    assert {r[0] for r in other.execute("SELECT article_id FROM articles")} == {"a1", "a2"}


def test_jsonl_is_line_complete_after_interrupt(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": str(i), "text": f"Câu {i}."}) for i in range(20)) + "\n")
    out = tmp_path / "out.jsonl"
    w = JsonlWriter(str(out))
    with pytest.raises(KeyboardInterrupt):
        for n, (task, result) in enumerate(run_tasks(iter_tasks([str(src)]), batch_size=4)):
            if n == 7:
                raise KeyboardInterrupt
            w.write(task, result)
    # no close(): every written line is already on disk and complete
    lines = out.read_text().splitlines()
    assert len(lines) == 7 and all(json.loads(x)["id"] == str(i) for i, x in enumerate(lines))
    w.close()


def test_reader_positions_and_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "a", "text": "x"}\n\n{bad\n{"text": "no id"}\r\n\xef\xbb\xbf')
    tasks = list(iter_tasks([str(src)]))
    assert [(t.id, t.line, t.position, t.error is None) for t in tasks] == [
        ("a", 1, 0, True), (f"{src}:3", 3, 1, False), (f"{src}:4", 4, 2, True)]
    assert tasks[2].text == "no id"


def test_reader_json_array_and_lone_surrogates(tmp_path):
    src = tmp_path / "arr.json"
    src.write_text(json.dumps([{"id": "a", "text": "x"}, {"id": "b", "text": "\ud800"}]))
    tasks = list(iter_tasks([str(src)]))
    assert tasks[0].error is None and "surrogate" in tasks[1].error


def test_csv_with_invalid_utf8_row(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,text\na,ok\nb,bad \xff here\nc,\"multi\nline\"\n")
    tasks = list(iter_tasks([str(src)]))
    assert [(t.id, t.line) for t in tasks] == [("a", 2), ("b", 3), ("c", 4)]
    assert tasks[0].error is None and "invalid UTF-8" in tasks[1].error and tasks[2].text == "multi\nline"


def test_parquet_writer_roundtrip(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    w = TableWriter(str(tmp_path / "t.parquet"), "parquet")
    w.write(Task(id="a1", text=art()._text), art())
    w.flush()
    w.write(Task(id="e"), ErrorRecord(id="e", error="bad"))
    w.close()
    p = pd.read_parquet(tmp_path / "t" / "provinces.parquet")
    assert list(p["code"]) == ["74"]
    assert list(pd.read_parquet(tmp_path / "t" / "errors.parquet")["error"]) == ["bad"]
