"""Batch outputs under an unlucky operator (issue 10): resume keeps earlier output,
outputs never clobber inputs, locks, signals, dying workers, time budget, valid JSON."""
from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vn_reform_extract import Article, ErrorRecord, extract_many
from vn_reform_extract.batch import WORKER_DIED, Task
from vn_reform_extract.cli import main
from vn_reform_extract.outputs import SqliteWriter, TableWriter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "news_sample.jsonl"


def strict_json(line: str):
    def no_constants(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(line, parse_constant=no_constants)


def read_jsonl(path: Path) -> list[dict]:
    return [strict_json(ln) for ln in path.read_text(encoding="utf-8").splitlines()]


def write_records(path: Path, recs: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")


def small_records(n: int) -> list[dict]:
    return [{"id": f"r{i}", "text": f"Ngày {i % 28 + 1}/3/2024, UBND tỉnh Bình Dương họp lần {i}."} for i in range(n)]


def db_results(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = [("article", a) for (a,) in con.execute("SELECT article_id FROM articles")]
    rows += [("error", i, f, ln) for i, f, ln in con.execute("SELECT id, file, line FROM errors")]
    con.close()
    return sorted(rows, key=repr)


def test_resume_appends_to_the_jsonl_instead_of_truncating(tmp_path):
    src, db, out = tmp_path / "in.jsonl", tmp_path / "r.sqlite", tmp_path / "out.jsonl"
    recs = small_records(10)
    write_records(src, recs[:4])
    assert main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"]) == 0
    write_records(src, recs)
    assert main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == [r["id"] for r in recs]
    before = out.read_bytes()
    assert main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"]) == 0  # nothing new
    assert out.read_bytes() == before


def test_jsonl_is_cut_back_to_what_the_database_committed(tmp_path):
    """A kill between writing JSONL lines and the database commit leaves extra lines
    (and maybe half a line): the resumed run removes them before it appends."""
    src, db, out = tmp_path / "in.jsonl", tmp_path / "r.sqlite", tmp_path / "out.jsonl"
    recs = small_records(6)
    write_records(src, recs[:3])
    main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"])
    with open(out, "a", encoding="utf-8") as fh:  # lines the database never committed
        fh.write(json.dumps({"id": "r3", "article": {}}) + "\n" + '{"id": "r4", "art')
    write_records(src, recs)
    main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"])
    got = read_jsonl(out)
    assert [r["id"] for r in got] == [r["id"] for r in recs]
    assert all(r["article"]["sentences"] for r in got)


def test_output_equal_to_an_input_is_refused(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_records(src, small_records(2))
    before = src.read_bytes()
    assert main(["extract", str(src), "--out", str(src), "-q"]) == 2
    assert "also an input" in capsys.readouterr().err
    assert src.read_bytes() == before
    db = tmp_path / "in.sqlite"
    db.write_bytes(b"")
    assert main(["extract", str(src), str(db), "--db", str(db), "-q"]) == 2


def test_output_inside_an_input_directory_is_not_read_back(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    write_records(d / "a.jsonl", small_records(3))
    out = d / "results.jsonl"
    for _ in range(2):
        assert main(["extract", str(d), "--out", str(out), "-q"]) == 0
        assert [r["id"] for r in read_jsonl(out)] == ["r0", "r1", "r2"]
    main(["extract", str(d), "--out", str(d / "tables.csv"), "-q"])
    main(["extract", str(d), "--out", str(d / "tables.csv"), "-q"])
    with open(d / "tables" / "articles.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 3


def test_resume_keeps_duplicate_id_error_records(tmp_path):
    src, db = tmp_path / "in.jsonl", tmp_path / "d.sqlite"
    recs = small_records(6)
    recs[4] = dict(recs[1])  # r1 again
    recs.append(dict(recs[1]))
    write_records(src, recs[:3])
    main(["extract", str(src), "--db", str(db), "-q"])
    write_records(src, recs)
    for _ in range(2):  # the resumed run, then a repeat that must add nothing
        main(["extract", str(src), "--db", str(db), "-q"])
        rows = db_results(db)
        assert len(rows) == len(recs)
        assert sum(1 for r in rows if r[0] == "error" and r[1] == "r1") == 2


def test_worker_error_is_retried_on_resume(tmp_path):
    src, db, out = tmp_path / "in.jsonl", tmp_path / "w.sqlite", tmp_path / "w.jsonl"
    write_records(src, small_records(4))
    main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"])
    # as if the worker holding r2 had died: its rows become the error record
    con = sqlite3.connect(db)
    line = con.execute("SELECT line FROM articles WHERE article_id = 'r2'").fetchone()[0]
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%article_id%'").fetchall():
        con.execute(f'DELETE FROM "{t}" WHERE article_id = ?', ("r2",))
    con.execute("INSERT INTO errors (id, error, file, line) VALUES (?, ?, ?, ?)", ("r2", WORKER_DIED, str(src), line))
    con.commit()
    con.close()
    lines = out.read_text(encoding="utf-8").splitlines()
    lines[2] = json.dumps({"id": "r2", "error": WORKER_DIED, "line": line, "source": str(src)})
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"])
    assert db_results(db) == sorted([("article", f"r{i}") for i in range(4)], key=repr)
    got = read_jsonl(out)
    assert sorted(r["id"] for r in got) == ["r0", "r1", "r2", "r3"] and all("article" in r for r in got)


def test_second_run_into_a_busy_database_is_locked_out(tmp_path, capsys):
    src, db = tmp_path / "in.jsonl", tmp_path / "busy.sqlite"
    write_records(src, small_records(2))
    holder = SqliteWriter(str(db))  # another run in progress
    try:
        assert main(["extract", str(src), "--db", str(db), "-q"]) == 2
        assert "in use by another vnre run" in capsys.readouterr().err
    finally:
        holder.close()
    assert main(["extract", str(src), "--db", str(db), "-q"]) == 0


def test_csv_cells_cannot_become_formulas(tmp_path):
    w = TableWriter(str(tmp_path / "t.csv"), "csv")
    for rid in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "plain"):
        w.write(Task(id=rid, source="s"), ErrorRecord(id=rid, error="=1+1", source="s"))
    w.close()
    with open(tmp_path / "t" / "errors.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain"]
    assert {r["error"] for r in rows} == {"'=1+1"}


def test_huge_number_keeps_jsonl_valid(tmp_path):
    src, out = tmp_path / "n.jsonl", tmp_path / "n_out.jsonl"
    write_records(src, [{"id": "big", "text": "Tỷ lệ đạt " + "9" * 400 + "% kế hoạch; tỷ lệ khác đạt 87,5%."}])
    main(["extract", str(src), "--out", str(out), "-q"])
    (rec,) = read_jsonl(out)  # strict: no Infinity / NaN
    assert [f["value"] for f in rec["article"]["facts"]] == [87.5]


def test_per_record_time_budget(monkeypatch):
    import vn_reform_extract.pipeline as pipeline
    real = pipeline.extract

    def sometimes_slow(text, **kw):
        if "slow" in text:
            time.sleep(30)
        return real(text, **kw)
    monkeypatch.setattr(pipeline, "extract", sometimes_slow)
    t0 = time.monotonic()
    got = list(extract_many(["Hà Nội.", "slow", "Huế."], timeout=0.3))
    assert time.monotonic() - t0 < 10
    assert isinstance(got[0], Article) and isinstance(got[2], Article)
    assert isinstance(got[1], ErrorRecord) and got[1].error.startswith("timed out after 0.3 s")


def test_show_escapes_control_characters(tmp_path, capsys):
    src = tmp_path / "e.jsonl"
    write_records(src, [{"id": "x\x1b]0;pwned\x07\x1b[2J", "text": "UBND tỉnh Bình Dương\x1b[31m họp."}])
    assert main(["show", str(src), "--no-color"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "pwned" in shown


def test_surrogate_id_does_not_stop_a_db_run(tmp_path):
    src, db, out = tmp_path / "s.jsonl", tmp_path / "s.sqlite", tmp_path / "s_out.jsonl"
    src.write_text('{"id":"x\\ud800","text":"a"}\n{"id":"ok","text":"b"}\n')
    assert main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"]) == 0
    assert db_results(db) == [("article", "ok"), ("article", "x\\ud800")]
    assert [r["id"] for r in read_jsonl(out)] == ["x\\ud800", "ok"]
    assert main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"]) == 0  # resumes by the same id
    assert len(read_jsonl(out)) == 2


def test_table_outputs_resume_with_the_database(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    src = tmp_path / "in.jsonl"
    recs = small_records(9)
    for ext in ("parquet", "csv"):
        db = tmp_path / f"{ext}.sqlite"
        write_records(src, recs[:4])
        main(["extract", str(src), "--db", str(db), "--out", str(tmp_path / f"t.{ext}"), "--batch-size", "2", "-q"])
        write_records(src, recs)
        main(["extract", str(src), "--db", str(db), "--out", str(tmp_path / f"t.{ext}"), "--batch-size", "2", "-q"])
        path = tmp_path / "t" / f"articles.{ext}"
        arts = pd.read_parquet(path) if ext == "parquet" else pd.read_csv(path)
        assert sorted(arts["article_id"]) == sorted(r["id"] for r in recs), ext
        errors = pd.read_parquet(tmp_path / "t" / "errors.parquet") if ext == "parquet" else None
        assert errors is None or len(errors) == 0


def test_a_dying_worker_costs_only_its_own_record():
    from vn_reform_extract import batch
    texts = [json.loads(ln)["text"] for ln in SAMPLE.read_text(encoding="utf-8").splitlines()[:24]]
    serial = [r.model_dump(mode="json") for r in extract_many(texts)]
    it = extract_many(texts, workers=2, batch_size=4)
    got = [next(it)]
    pids = list(batch._POOLS[2]._processes)
    os.kill(pids[0], signal.SIGKILL)
    got += list(it)
    assert len(got) == len(texts)
    died = [i for i, r in enumerate(got) if isinstance(r, ErrorRecord)]
    assert len(died) <= 1 and all(WORKER_DIED in got[i].error for i in died)
    assert [r.model_dump(mode="json") for i, r in enumerate(got) if i not in died] == \
        [s for i, s in enumerate(serial) if i not in died]


def test_jsonl_reopened_keeps_the_last_line_of_each_record(tmp_path):
    from vn_reform_extract.outputs import JsonlWriter
    out = tmp_path / "o.jsonl"
    lines = [{"id": "a", "error": WORKER_DIED, "line": 1, "source": "s"},
             {"id": "b", "source": "s", "line": 2, "article": {}},
             {"id": "a", "source": "s", "line": 1, "article": {}}]   # a retried, then killed before close
    out.write_text("".join(json.dumps(r) + "\n" for r in lines) + "not ours\n" + '{"id": "c", "sou')
    w = JsonlWriter(str(out), resume=True)
    w.close()
    got = out.read_text().splitlines()
    assert [json.loads(x) for x in got[:2]] == lines[1:] and got[2:] == ["not ours"]
