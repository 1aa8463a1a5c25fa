"""A new user's first hour (issue 9): parallel extraction from a plain script, a wrong
--text-field, resuming after errors, nested and kept fields, compressed inputs, date
warnings, and CLI errors as one line."""
from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vn_reform_extract.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ["UBND tỉnh Bình Dương đạt 87,87% theo Nghị quyết 76/NQ-CP.",
         "Sở Nội vụ tỉnh Bến Tre giải quyết 1.159 hồ sơ.",
         "Thành phố Hà Nội xếp hạng 13/63."]


def records(**extra):
    return [{"id": f"r{i}", "content": {"text": t}, "title": f"Tiêu đề {i}", "url": f"https://x.vn/{i}",
             "published": "2022-11-02", **extra} for i, t in enumerate(TEXTS)]


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------ 2. no main guard

def test_workers_in_a_script_without_main_guard(tmp_path):
    script = tmp_path / "plain_script.py"
    script.write_text(textwrap.dedent(f"""
        from vn_reform_extract import extract_many, ErrorRecord
        print("top level ran")
        out = list(extract_many({TEXTS!r} * 3, workers=2, batch_size=2))
        errors = [r.error for r in out if isinstance(r, ErrorRecord)]
        print("results", len(out), "errors", errors, "provinces", sorted({{p.code for a in out for p in a.provinces}}))
    """), encoding="utf-8")
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("top level ran") == 1          # the workers did not re-run the script
    assert "results 9 errors [] provinces ['01', '74', '83']" in p.stdout
    assert "Traceback" not in p.stderr


# ------------------------------------------------------------ 3. fields, resume

def test_wrong_text_field_stops_the_run_and_lists_the_fields(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", records())
    db = tmp_path / "w.sqlite"
    assert main(["extract", str(src), "--db", str(db)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'text'" in err
    for name in ("'id'", "'content'", "'title'", "'url'"):
        assert name in err
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM errors").fetchone()[0] == 0  # nothing recorded as done
    con.close()
    # the right (nested) field then extracts everything
    assert main(["extract", str(src), "--db", str(db), "--text-field", "content.text", "-q"]) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3


def test_csv_with_wrong_text_field(tmp_path, capsys):
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "body"])
        w.writerows([[f"c{i}", t] for i, t in enumerate(TEXTS)])
    assert main(["extract", str(src), "--out", str(tmp_path / "o.jsonl")]) != 0
    assert "'body'" in capsys.readouterr().err
    assert main(["extract", str(src), "--text-field", "body", "--out", str(tmp_path / "o.jsonl"), "-q"]) == 0


def test_a_field_missing_in_some_records_is_per_record(tmp_path):
    recs = records()
    recs[1] = {"id": "r1", "title": "no text"}
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "--text-field", "content.text", "--out", str(out), "-q"]) == 0
    got = read_jsonl(out)
    assert ["article" in r for r in got] == [True, False, True]


def test_resume_retries_errors(tmp_path, capsys):
    recs = records()
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    db = tmp_path / "w.sqlite"
    # a first run where every record fails: non-zero exit
    assert main(["extract", str(src), "--db", str(db), "--text-field", "content.text", "--max-chars", "5",
                 "-q"]) == 1
    assert "every input failed" in capsys.readouterr().err
    # a plain rerun says how to try them again ...
    assert main(["extract", str(src), "--db", str(db), "--text-field", "content.text"]) == 0
    assert "3 of them failed before: --retry-errors" in capsys.readouterr().err
    # ... and --retry-errors does
    assert main(["extract", str(src), "--db", str(db), "--text-field", "content.text", "--retry-errors",
                 "-q"]) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3
    assert con.execute("SELECT COUNT(*) FROM errors").fetchone()[0] == 0  # replaced by the articles


# ------------------------------------------------------------ 5. compressed, kept fields, dates

def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize("ext,pack", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
                                      (".zst", _zstd)])
def test_compressed_inputs(tmp_path, ext, pack):
    plain = write_jsonl(tmp_path / "plain.jsonl", records())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"a.jsonl{ext}").write_bytes(pack(plain.read_bytes()))
    with open(tmp_path / "b.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        w.writerow(["csv1", TEXTS[0]])
    (tmp_path / "in" / f"b.csv{ext}").write_bytes(pack((tmp_path / "b.csv").read_bytes()))
    (tmp_path / "in" / f"c.txt{ext}").write_bytes(pack(TEXTS[1].encode("utf-8")))
    out = tmp_path / "o.jsonl"
    for name, field, ids in ((f"a.jsonl{ext}", "content.text", ["r0", "r1", "r2"]),
                             (f"b.csv{ext}", "text", ["csv1"]), (f"c.txt{ext}", "text", ["c"])):
        assert main(["extract", str(tmp_path / "in" / name), "--text-field", field, "--out", str(out), "-q"]) == 0
        got = read_jsonl(out)
        assert [r["id"] for r in got] == ids and all("article" in r for r in got), got


def test_corrupt_compressed_input_is_an_error_record(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n')[:-8] + b"\x00" * 3)
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path / "bad.jsonl.gz"), "--out", str(out), "-q"]) == 1
    (rec,) = read_jsonl(out)
    assert "gzip" in rec["error"]


def test_keep_fields_in_every_output(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", records())
    keep = ["--keep-fields", "title,url", "--text-field", "content.text", "-q"]
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "--out", str(out), *keep]) == 0
    got = read_jsonl(out)
    assert [r["input"] for r in got] == [{"title": f"Tiêu đề {i}", "url": f"https://x.vn/{i}"} for i in range(3)]

    assert main(["extract", str(src), "--out", str(tmp_path / "t.csv"), *keep]) == 0
    with open(tmp_path / "t" / "articles.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["article_id"], r["title"], r["url"]) for r in rows] == [
        (f"r{i}", f"Tiêu đề {i}", f"https://x.vn/{i}") for i in range(3)]

    pq = pytest.importorskip("pyarrow.parquet")
    assert main(["extract", str(src), "--out", str(tmp_path / "p.parquet"), *keep]) == 0
    table = pq.read_table(tmp_path / "p" / "articles.parquet").to_pydict()
    assert table["url"] == [f"https://x.vn/{i}" for i in range(3)]

    db = tmp_path / "k.sqlite"
    assert main(["extract", str(src), "--db", str(db), *keep]) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT article_id, title, url FROM articles ORDER BY article_id").fetchall() == [
        (f"r{i}", f"Tiêu đề {i}", f"https://x.vn/{i}") for i in range(3)]
    con.close()

    from vn_reform_extract import extract_many, to_frames
    res = extract_many(((r["content"]["text"], r) for r in records()), as_tuples=True)
    frames = to_frames(res, keep_fields=["title", "url"])
    assert list(frames["articles"]["url"]) == [f"https://x.vn/{i}" for i in range(3)]
    assert list(to_frames(got, keep_fields=["title"])["articles"]["title"]) == [f"Tiêu đề {i}" for i in range(3)]


def test_keep_field_clashing_with_a_column_is_refused(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", records())
    assert main(["extract", str(src), "--out", str(tmp_path / "t.csv"), "--keep-fields", "published",
                 "--text-field", "content.text"]) != 0
    assert "clashes" in capsys.readouterr().err


@pytest.mark.parametrize("value,warned,published", [
    ("2022-11-02", None, "2022-11-02"),
    ("2022-11-02T08:30:00+07:00", None, "2022-11-02"),
    ("02/11/2022 08:30", None, "2022-11-02"),
    ("không rõ", "ignored", None),
    ("", "with no 'published' value", None),
])
def test_date_field_values_are_used_or_reported(tmp_path, capsys, value, warned, published):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": TEXTS[0], "published": value}])
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(src), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    (rec,) = read_jsonl(out)
    assert rec["article"]["published"] == published
    if warned:
        assert warned in err and "'published'" in err
    else:
        assert "warning" not in err and "with no" not in err


def test_missing_date_field_is_counted(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", records())
    assert main(["extract", str(src), "--text-field", "content.text", "--date-field", "date",
                 "--out", str(tmp_path / "o.jsonl")]) == 0
    assert "3 with no 'date' value" in capsys.readouterr().err


# ------------------------------------------------------------ 8. CLI errors

def _vnre(*args, env=None, cwd=None):
    exe = Path(sys.executable).with_name("vnre")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "vn_reform_extract.cli"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_eval_with_a_missing_text_is_one_line(tmp_path):
    gold = tmp_path / "corpus" / "gold"
    gold.mkdir(parents=True)
    (tmp_path / "corpus" / "texts").mkdir()
    (gold / "nope.json").write_text('{"id": "nope", "provinces": []}', encoding="utf-8")
    p = _vnre("eval", str(gold))
    assert p.returncode != 0
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert "nope.txt" in p.stderr and p.stderr.startswith("vnre eval: ")


@pytest.mark.parametrize("args,needle", [
    (["eval", "/nonexistent/gold"], "no gold files"),
    (["show", "/nonexistent/file.jsonl"], "nonexistent"),
    (["eval", "{tmp}/bad"], "not valid JSON"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, args, needle):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_text("{oops", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err, err


def test_debug_shows_the_traceback(tmp_path):
    p = _vnre("eval", str(tmp_path), "--debug")
    assert p.returncode != 0 and "Traceback" in p.stderr


# ------------------------------------------------------------ 6. the demo's hint

def test_demo_hint_names_a_command_that_runs(tmp_path, monkeypatch):
    from vn_reform_extract.cli import vnre_command
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    exe = venv_bin / "vnre"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    (venv_bin / "activate").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(exe), "demo"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")          # the venv is not activated
    assert vnre_command() == (".venv/bin/vnre", ".venv/bin/activate")
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")  # activated
    assert vnre_command() == ("vnre", None)
