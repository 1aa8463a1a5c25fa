"""Exactly-once through kill -9 of the parent and of a worker, SIGTERM and a concurrent
second run (issue 10): the resumed database and JSONL equal a clean run's, id by id.
Kills are triggered by progress in the output, not by wall time."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vn_reform_extract.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "news_sample.jsonl"
VNRE = [sys.executable, "-m", "vn_reform_extract.cli"]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or os.name != "posix",
                                reason="needs Linux /proc and POSIX signals")


def children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p.name))
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            found.append(c)
            todo.append(c)
    return found


def worker_pids(pid: int) -> list[int]:
    """The pool's workers: children of the forkserver that the run started."""
    for c in children(pid):
        try:
            cmd = Path(f"/proc/{c}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in cmd:
            return children(c)
    return []


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def n_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def wait_for(cond, proc: subprocess.Popen, limit: float = 120.0) -> bool:
    """True when ``cond()`` holds; False when ``proc`` ended first."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if cond():
            return True
        if proc.poll() is not None:
            return cond()
        time.sleep(0.01)
    raise AssertionError("no progress")


def make_input(path: Path) -> int:
    lines = SAMPLE.read_bytes().splitlines()[:160]
    recs = [json.loads(ln) for ln in lines]
    out = [json.dumps(r, ensure_ascii=False) for r in recs]
    out.insert(10, '{"id": "broken", "text": ')
    out.insert(20, json.dumps({"text": "Không có id, tỉnh Bình Dương."}, ensure_ascii=False))
    out.insert(30, json.dumps(recs[3], ensure_ascii=False))  # a duplicate id
    out.append(json.dumps(recs[50], ensure_ascii=False))     # and another one, last
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def db_state(db: Path) -> dict:
    con = sqlite3.connect(db)
    arts = {a: js for a, js in con.execute("SELECT article_id, json FROM articles")}
    errs = sorted(con.execute("SELECT id, error, file, line FROM errors").fetchall(), key=repr)
    counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
              for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    return {"articles": arts, "errors": errs, "counts": counts}


def jsonl_state(path: Path) -> dict:
    recs = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]
    keyed = {(r["id"], r.get("source"), r.get("line")): r for r in recs}
    assert len(keyed) == len(recs), "a record appears twice in the JSONL"
    return keyed


def test_exactly_once_through_kills_sigterm_and_a_concurrent_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    n = make_input(tmp_path / "in.jsonl")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    common = ["in.jsonl", "--batch-size", "4", "-q", "--no-progress"]

    assert main(["extract", *common, "--db", "clean.sqlite", "--out", "clean.jsonl"]) == 0
    clean_db, clean_jsonl = db_state(tmp_path / "clean.sqlite"), jsonl_state(tmp_path / "clean.jsonl")
    assert len(clean_db["articles"]) + len(clean_db["errors"]) == n == len(clean_jsonl)

    out = tmp_path / "c.jsonl"
    run = [*VNRE, "extract", *common, "--db", "c.sqlite", "--out", "c.jsonl", "--workers", "2"]

    # 1. kill -9 of the parent at two random points: its workers go too
    seed = int(os.environ.get("VNRE_CHAOS_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    for _ in range(2):
        start = n_lines(out)
        p = subprocess.Popen(run, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        wait_for(lambda: n_lines(out) >= start + rng.randint(1, 30), p)
        family = descendants(p.pid)
        p.kill()
        p.wait()
        deadline = time.monotonic() + 30
        while any(alive(c) for c in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [c for c in family if alive(c)], f"workers outlived their parent (VNRE_CHAOS_SEED={seed})"

    # 2. resume; kill -9 one worker, start a concurrent run (locked out), then SIGTERM
    start = n_lines(out)
    p = subprocess.Popen(run, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    if wait_for(lambda: n_lines(out) >= start + 12, p):
        workers = worker_pids(p.pid)
        if workers:
            os.kill(workers[-1], signal.SIGKILL)
    second = subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if p.poll() is None:
        assert second.returncode == 2 and "in use by another vnre run" in second.stderr
    mid = n_lines(out)
    if wait_for(lambda: n_lines(out) >= mid + 8, p):
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=120)
        assert rc == 143 or (rc == 0 and n_lines(out) == n), (rc, p.stderr.read())
    p.wait()
    for ln in out.read_text(encoding="utf-8").splitlines():
        json.loads(ln)  # every line whole after SIGTERM

    # 3. finish, then compare with the clean run record by record
    assert main(["extract", *common, "--db", "c.sqlite", "--out", "c.jsonl"]) == 0
    got_db, got_jsonl = db_state(tmp_path / "c.sqlite"), jsonl_state(out)
    assert got_db["articles"].keys() == clean_db["articles"].keys()
    for aid, js in clean_db["articles"].items():
        assert got_db["articles"][aid] == js, (aid, seed)
    assert got_db["errors"] == clean_db["errors"]
    assert got_db["counts"] == clean_db["counts"]
    assert got_jsonl.keys() == clean_jsonl.keys()
    for key, rec in clean_jsonl.items():
        assert got_jsonl[key] == rec, key


def test_parquet_stays_readable_after_kill_9(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(SAMPLE.read_bytes().splitlines()[:120]) + b"\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([*VNRE, "extract", str(src), "--out", str(tmp_path / "t.parquet"), "--batch-size", "2", "-q"],
                         env=env, stderr=subprocess.PIPE)
    parts = tmp_path / "t" / "articles.parquet"
    wait_for(lambda: parts.is_dir() and len(list(parts.glob("part-*.parquet"))) >= 3, p)
    p.kill()
    p.wait()
    n = pq.read_table(parts).num_rows
    assert n >= 6
    assert pq.read_table(tmp_path / "t" / "provinces.parquet").num_rows > 0
