"""vnre extract / show / demo / schema, and the done-when check: a real JSONL batch
with broken lines gives one Article per valid line and one error per broken line,
in JSONL and SQLite, and a second run into the same SQLite adds nothing."""
from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vn_reform_extract.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "news_sample.jsonl"

BROKEN = [
    (b'{"id": "bad-json", "text": "unterminated', "malformed JSON"),
    (b'{"id": "no-text", "title": "no text field"}', "missing text field"),
    (b'{"id": "null-text", "text": null}', "is null"),
    (b'{"id": "int-text", "text": 42}', "is int"),
    (b'{"id": "list-text", "text": ["a"]}', "is list"),
    (b'{"id": "bad-utf8", "text": "abc \xff\xfe def"}', "invalid UTF-8"),
    (b'["not", "an", "object"]', "not an object"),
]


def make_batch(path: Path, n_real: int = 12) -> tuple[list[str], int]:
    """Real articles with broken lines in between; returns (valid ids, number of broken lines)."""
    real = SAMPLE.read_bytes().splitlines()[:n_real]
    lines: list[bytes] = []
    valid: list[str] = []
    broken = iter(BROKEN)
    for i, ln in enumerate(real):
        lines.append(ln)
        valid.append(json.loads(ln)["id"])
        b = next(broken, None)
        if b is not None:
            lines.append(b[0])
    lines.extend(b for b, _ in broken)  # the rest, when there are few real lines
    lines.append(b'{"id": "empty-text", "text": ""}')
    valid.append("empty-text")
    lines.append(b"")  # blank lines are not records
    path.write_bytes(b"\n".join(lines) + b"\n")
    return valid, len(BROKEN)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]


def test_done_when_jsonl_and_sqlite_and_resume(tmp_path):
    src = tmp_path / "batch.jsonl"
    valid, n_broken = make_batch(src)
    out, db = tmp_path / "out.jsonl", tmp_path / "out.sqlite"
    assert main(["extract", str(src), "--out", str(out), "--db", str(db), "-q"]) == 0
    recs = read_jsonl(out)
    assert len(recs) == len(valid) + n_broken            # one line per input record
    arts = [r for r in recs if "article" in r]
    errs = [r for r in recs if "error" in r]
    assert [r["id"] for r in arts] == valid               # in input order; empty text is valid
    assert len(errs) == n_broken
    for (raw, reason), e in zip(BROKEN, errs):
        assert reason in e["error"], (reason, e)
        assert isinstance(e["line"], int) and e["source"] == str(src)
    lines = src.read_bytes().split(b"\n")
    for e in errs:  # the reported line is the broken one
        assert lines[e["line"] - 1] in [b for b, _ in BROKEN]

    con = sqlite3.connect(db)
    assert sorted(r[0] for r in con.execute("SELECT article_id FROM articles")) == sorted(valid)
    assert con.execute("SELECT COUNT(*) FROM errors").fetchone()[0] == n_broken
    counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
              for t in ("articles", "errors", "provinces", "facts", "sentences", "official_mentions")}
    con.close()

    # second run into the same database: nothing is added, nothing is written
    out2 = tmp_path / "out2.jsonl"
    assert main(["extract", str(src), "--out", str(out2), "--db", str(db), "-q"]) == 0
    assert out2.read_text() == ""
    con = sqlite3.connect(db)
    again = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in counts}
    con.close()
    assert again == counts


def test_resume_after_partial_run(tmp_path):
    src = tmp_path / "batch.jsonl"
    valid, n_broken = make_batch(src)
    full = src.read_bytes()
    src.write_bytes(b"\n".join(full.split(b"\n")[:6]) + b"\n")  # the first run saw only the head
    db = tmp_path / "r.sqlite"
    main(["extract", str(src), "--db", str(db), "-q"])
    src.write_bytes(full)
    out = tmp_path / "rest.jsonl"
    main(["extract", str(src), "--db", str(db), "--out", str(out), "-q"])
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(valid)
    assert con.execute("SELECT COUNT(*) FROM errors").fetchone()[0] == n_broken
    # the second run wrote only what the first one had not done
    assert 0 < len(read_jsonl(out)) < len(valid) + n_broken


def test_workers_keep_order_and_match_serial(tmp_path):
    src = tmp_path / "batch.jsonl"
    make_batch(src, n_real=30)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    main(["extract", str(src), "--out", str(a), "-q"])
    main(["extract", str(src), "--out", str(b), "-q", "--workers", "2", "--batch-size", "4"])
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")


def test_stdout_default_and_stdin(tmp_path, capsys, monkeypatch):
    rec = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["extract", str(f), "-q"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == rec["id"]

    import io
    data = (json.dumps(rec, ensure_ascii=False) + "\n{oops\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["extract", "-", "-q"]) == 0
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert "article" in got[0] and got[1]["line"] == 2 and got[1]["source"] == "<stdin>"


def test_plain_text_files_dirs_globs_and_missing(tmp_path, capsys):
    d = tmp_path / "texts"
    d.mkdir()
    (d / "a.txt").write_text("Hà Nội. Một câu.", encoding="utf-8")
    (d / "b.txt").write_bytes(b"bad \xc3\x28 bytes")
    (d / "c.txt").write_text("", encoding="utf-8")
    main(["extract", str(d), str(tmp_path / "*.nothing"), str(tmp_path / "missing.txt"), "-q"])
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [g["id"] for g in got][:3] == ["a", "b", "c"]
    assert "article" in got[0] and "invalid UTF-8" in got[1]["error"] and "article" in got[2]
    assert "no files match" in got[3]["error"] and "no such file" in got[4]["error"]
    main(["extract", str(d / "*.txt"), "-q"])
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_csv_input_and_custom_fields(tmp_path, capsys):
    f = tmp_path / "in.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "body", "day"])
        w.writerow(["k1", "Dòng một.\nDòng hai, trong một ô.", "2022-11-02"])
        w.writerow(["k2", "", ""])
        w.writerow(["k3"])  # short row: no text
    main(["extract", str(f), "--text-field", "body", "--id-field", "key", "--date-field", "day", "-q"])
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [g["id"] for g in got] == ["k1", "k2", "k3"]
    assert got[0]["article"]["published"] == "2022-11-02" and got[0]["line"] == 2
    # line numbers are where each record starts (k1's cell spans lines 2-3)
    assert "article" in got[1] and got[1]["line"] == 4
    assert "missing text field 'body'" in got[2]["error"] and got[2]["line"] == 5


def test_max_chars_and_duplicates(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "x" * 50}, {"id": "b", "text": "short"}, {"id": "b", "text": "again"}]) + "\n")
    main(["extract", str(f), "--max-chars", "10", "-q"])
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert "max-chars" in got[0]["error"] and "article" in got[1] and "duplicate id" in got[2]["error"]


def test_html_input_without_trafilatura(tmp_path, capsys, monkeypatch):
    f = tmp_path / "page.html"
    f.write_text("<html><body><article><p>Hà Nội.</p></article></body></html>", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # make the import fail
    main(["extract", str(f), "-q"])
    (got,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert got["id"] == "page" and "trafilatura" in got["error"]


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_table_outputs(tmp_path, ext):
    src = tmp_path / "batch.jsonl"
    valid, n_broken = make_batch(src, n_real=5)
    out = tmp_path / f"tables.{ext}"
    assert main(["extract", str(src), "--out", str(out), "-q"]) == 0
    import pandas as pd
    d = tmp_path / "tables"
    read = pd.read_csv if ext == "csv" else pd.read_parquet
    arts = read(d / f"articles.{ext}")
    errs = read(d / f"errors.{ext}")
    assert list(arts["article_id"].astype(str)) == valid
    assert len(errs) == n_broken
    for name in ("provinces", "agencies", "officials", "official_mentions", "dates", "facts", "legal_refs"):
        assert (d / f"{name}.{ext}").exists()


def test_schema_commands(capsys):
    assert main(["schema"]) == 0
    s1 = json.loads(capsys.readouterr().out)
    assert main(["extract", "--format", "json-schema"]) == 0
    s2 = json.loads(capsys.readouterr().out)
    assert s1 == s2 and "provinces" in s1["properties"]


def test_show(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("Ngày 28/10, UBND tỉnh Bình Dương họp.", encoding="utf-8")
    assert main(["show", str(f), "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "Bình Dương" in out and "\x1b[" not in out
    db = tmp_path / "s.sqlite"
    main(["extract", str(f), "--db", str(db), "-q"])
    assert main(["show", str(db), "--id", "a", "--color"]) == 0
    assert "\x1b[" in capsys.readouterr().out
    html_out = tmp_path / "a.html"
    assert main(["show", str(db), "--html", str(html_out)]) == 0
    assert "<mark" in html_out.read_text() or "vnre-text" in html_out.read_text()
    assert main(["show", str(db), "--id", "nope"]) == 1


def test_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["demo", "--out-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "articles:" in out and "top provinces" in out and "example facts" in out
    con = sqlite3.connect(tmp_path / "out" / "demo.sqlite")
    n = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert n >= 319
    assert len(read_jsonl(tmp_path / "out" / "demo.jsonl")) == n + con.execute("SELECT COUNT(*) FROM errors").fetchone()[0]


def test_eval_subcommand_still_there():
    args = __import__("vn_reform_extract.cli", fromlist=["build_parser"]).build_parser().parse_args(
        ["eval", "corpus/gold", "--json"])
    assert args.gold_dir == "corpus/gold" and args.json


def test_entry_point_pipe_is_quiet(tmp_path):
    """In a pipe: no progress bar, JSONL on stdout, summary only on stderr."""
    src = tmp_path / "batch.jsonl"
    valid, n_broken = make_batch(src, n_real=3)
    exe = Path(sys.executable).with_name("vnre")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "vn_reform_extract.cli"]
    p = subprocess.run(cmd + ["extract", str(src)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.splitlines()) == len(valid) + n_broken
    assert p.stderr.count("\n") == 1 and "articles" in p.stderr and "\r" not in p.stderr
