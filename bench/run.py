#!/usr/bin/env python
"""Benchmark for vn_reform_extract: speed, memory and scaling against fixed targets.

Usage (from the repository root; ``make bench`` runs the first line)::

    .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --quick                  # small subset, CI smoke test
    .venv/bin/python bench/run.py --limit 500 --ner-subset 20 --out /tmp/b.json

Corpus: ``../shared/corpus/news.jsonl`` (relative to the repository) when it exists,
else ``corpus/news_sample.jsonl``; ``--corpus FILE`` overrides. Records are JSON lines
with ``id``, ``text`` and ``published``.

Every measurement runs in its own fresh subprocess, so the peak RSS reported for a
mode is that mode's own (``resource.getrusage(...).ru_maxrss``), and one mode's lazy
loading or caches never speed up another. Modes:

* ``startup``   import time of ``vn_reform_extract`` and time to the first Article,
                from ``python -c`` (repeated; the median is judged).
* ``single``    ``extract(text, published=...)`` over every text, one process
                (one warm-up call first, reported separately).
* ``workers2``  ``extract_many(..., workers=2)`` (or a ``multiprocessing.Pool(2)``
                fallback when it does not exist) over the same texts. The pool is
                started and warmed first and its start-up reported apart, as the
                single mode's warm-up is (extract_many keeps its pool for later
                calls). Worker RSS comes from /proc.
* ``ner``       ``underthesea.ner`` versus ``extract`` on the first ``--ner-subset``
                texts (both warmed up first). ``ner()`` is a sentence tagger, so it is
                called once per sentence, as it is used: each text is split with
                ``underthesea.sent_tokenize`` beforehand (the split is timed apart and
                not counted); ``extract`` gets each whole text. The two run interleaved
                text by text and the ratio is on CPU time, so other load on the
                machine slows both alike.
* ``stages``    seconds per pipeline stage (``Document.from_text``, ``find_published``
                and each extractor, in pipeline.py's order) for profiling.
* ``scaling``   one mid-size article joined 1x, 4x and 16x with blank lines.

Results: a table on stdout and JSON in ``--out`` (default
``bench/results/<UTC timestamp>.json``; ``bench/results/latest.json`` is also written
when ``--out`` is not given). Units: MB = 10**6 bytes. The exit status is 0 unless
``--strict`` is given and a target fails (or a mode crashes).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO / "../shared/corpus/news.jsonl"
SAMPLE_CORPUS = REPO / "corpus" / "news_sample.jsonl"
RESULTS_DIR = REPO / "bench" / "results"
BENCH_FORMAT = "vn_reform_extract-bench/1"

MODES = ("startup", "single", "workers2", "ner", "stages", "scaling")
QUICK_LIMIT = 40
QUICK_NER_SUBSET = 3
DEFAULT_NER_SUBSET = 60

# (key, label, unit, comparison, threshold)
TARGETS = [
    ("single_chars_per_s", "single-process throughput", "chars/s", ">=", 1_000_000),
    ("ner_ratio", "speed vs underthesea ner", "x", ">=", 50),
    ("workers2_speedup", "--workers 2 speedup", "x", ">=", 1.7),
    ("peak_rss_mb", "peak RSS (single process)", "MB", "<=", 300),
    ("startup_first_article_s", "import + first Article", "s", "<=", 1.5),
    ("scaling_16x_ratio", "16x input time / 1x time", "x", "<=", 18),
]

# pipeline.py's order; looked up by name at run time so renames show up as 'n/a'
STAGES = [
    ("Document.from_text", "document", "Document.from_text"),
    ("dates.find_published", "dates", "find_published"),
    ("provinces.extract", "provinces", "extract"),
    ("agencies.extract", "agencies", "extract"),
    ("officials.extract", "officials", "extract"),
    ("dates.extract", "dates", "extract"),
    ("legal_refs.extract", "legal_refs", "extract"),
    ("facts.extract", "facts", "extract"),
]


# ---------------------------------------------------------------------------- helpers

def _mb_from_maxrss(kb: float) -> float:
    """ru_maxrss is KiB on Linux, bytes on macOS."""
    return kb / 1e6 if sys.platform == "darwin" else kb * 1024 / 1e6


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(_mb_from_maxrss(resource.getrusage(who).ru_maxrss), 1)


def _current_rss_mb() -> Optional[float]:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) * 1024 / 1e6, 1)
    except OSError:
        pass
    return None


def load_corpus(path: Path, limit: Optional[int]) -> list[dict[str, Any]]:
    """Records with a str ``text``, in file order, at most ``limit``."""
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                continue
            out.append({"id": rec.get("id"), "text": rec["text"], "published": rec.get("published") or None})
            if limit is not None and len(out) >= limit:
                break
    return out


def _corpus_stats(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "articles": len(records),
        "chars": sum(len(r["text"]) for r in records),
        "utf8_bytes": sum(len(r["text"].encode("utf-8")) for r in records),
    }


def code_fingerprint() -> Optional[str]:
    """sha1 over the package's .py files, so a report can tell when modes saw different code."""
    import hashlib
    h = hashlib.sha1()
    files = sorted((REPO / "vn_reform_extract").glob("*.py"))
    if not files:
        return None
    for f in files:
        try:
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        except OSError:
            pass
    return h.hexdigest()[:12]


def _import_package():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import vn_reform_extract  # noqa: F401
    return vn_reform_extract


def _throughput(seconds: float, stats: dict[str, Any]) -> dict[str, Any]:
    if seconds <= 0:
        return {"chars_per_s": None, "articles_per_s": None, "mb_per_s": None}
    return {
        "chars_per_s": round(stats["chars"] / seconds),
        "articles_per_s": round(stats["articles"] / seconds, 2),
        "mb_per_s": round(stats["utf8_bytes"] / seconds / 1e6, 3),
    }


def _err(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


class DescendantPeakWatcher(threading.Thread):
    """Polls /proc for this process's descendants and keeps each one's VmHWM (peak RSS).

    Linux only; elsewhere ``available`` is False and nothing is reported.
    """

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.available = os.path.isdir("/proc/self") and os.path.exists("/proc/self/status")
        self.peaks_kb: dict[int, int] = {}
        self._stop_event = threading.Event()

    def _descendants(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as fh:
                    stat = fh.read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
        found, stack = [], [os.getpid()]
        while stack:
            for c in children.get(stack.pop(), []):
                found.append(c)
                stack.append(c)
        return found

    def sample(self) -> None:
        if not self.available:
            return
        for pid in self._descendants():
            try:
                with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            kb = int(line.split()[1])
                            self.peaks_kb[pid] = max(kb, self.peaks_kb.get(pid, 0))
                            break
            except (OSError, ValueError):
                continue

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# ---------------------------------------------------------------------------- modes (each runs in a subprocess)

def mode_single(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    rss_loaded = _current_rss_mb()
    t = time.perf_counter()
    pkg = _import_package()
    import_s = time.perf_counter() - t
    extract = pkg.extract
    t = time.perf_counter()
    extract(records[0]["text"], published=records[0]["published"])
    warmup_s = time.perf_counter() - t
    errors, first_error = 0, None
    per: list[tuple[float, int]] = []
    c0, t0 = time.process_time(), time.perf_counter()
    for i, r in enumerate(records):
        ts = time.perf_counter()
        try:
            extract(r["text"], published=r["published"])
        except Exception as exc:  # a broken article must not stop the benchmark
            errors += 1
            first_error = first_error or f"{r['id']}: {_err(exc)}"
        per.append((time.perf_counter() - ts, i))
    seconds = time.perf_counter() - t0
    per.sort(reverse=True)
    slowest = [{"id": records[i]["id"], "chars": len(records[i]["text"]), "seconds": round(d, 4)} for d, i in per[:5]]
    times = sorted(d for d, _ in per)
    cpu = time.process_time() - c0
    stats = _corpus_stats(records)
    return {
        **stats, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
        **_throughput(seconds, stats),
        "import_s": round(import_s, 3), "warmup_first_call_s": round(warmup_s, 3),
        "errors": errors, "first_error": first_error,
        "per_article_s": {"median": round(times[len(times) // 2], 5), "p99": round(times[int(len(times) * 0.99)], 5),
                          "max": round(times[-1], 5)},
        "slowest": slowest,
        "rss_after_corpus_load_mb": rss_loaded, "peak_rss_mb": _peak_rss_mb(),
    }


def _pool_extract(item: tuple[str, Any]) -> Any:
    import vn_reform_extract
    text, published = item
    try:
        return vn_reform_extract.extract(text, published=published)
    except Exception as exc:
        return _err(exc)


def mode_workers2(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    import inspect
    pkg = _import_package()
    fn = getattr(pkg, "extract_many", None)
    Article = getattr(pkg, "Article", None)
    info: dict[str, Any] = {}
    watcher = DescendantPeakWatcher()
    watcher.start()
    n_out = errors = 0
    first_error = None
    startup_s = None
    if callable(fn):
        # start and warm the pool (extract_many keeps it for later calls) so that, as in the
        # single-process mode, the one-time warm-up is reported apart from the throughput
        t_start = time.perf_counter()
        for _ in fn([r["text"] for r in records[:8]], workers=2, batch_size=1):
            pass
        startup_s = time.perf_counter() - t_start
        info["pool_startup_s"] = round(startup_s, 3)
    t0 = time.perf_counter()
    if callable(fn):
        try:
            params = inspect.signature(fn).parameters
            info["signature"] = f"extract_many{inspect.signature(fn)}"
        except (TypeError, ValueError):
            params = {}
        kwargs: dict[str, Any] = {"workers": 2}
        if "as_tuples" in params:
            items: Any = [(r["text"], {"id": r["id"], "published": r["published"]}) for r in records]
            kwargs["as_tuples"] = True
            info["how"] = "extract_many(as_tuples=True, workers=2), published per text"
        else:
            items = [r["text"] for r in records]
            info["how"] = "extract_many(texts, workers=2), published not passed"
        for res in fn(items, **kwargs):
            if kwargs.get("as_tuples") and isinstance(res, tuple) and len(res) == 2:
                res = res[0]
            n_out += 1
            if Article is not None and not isinstance(res, Article):
                errors += 1
                first_error = first_error or str(getattr(res, "error", res))[:300]
    else:
        import multiprocessing
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        info["how"] = "fallback: multiprocessing.Pool(2).imap(extract, chunksize=16) (no extract_many)"
        with ctx.Pool(2) as pool:
            for res in pool.imap(_pool_extract, [(r["text"], r["published"]) for r in records], chunksize=16):
                n_out += 1
                if isinstance(res, str):
                    errors += 1
                    first_error = first_error or res
    seconds = time.perf_counter() - t0
    watcher.sample()
    watcher.stop()
    stats = _corpus_stats(records)
    kids = sorted(watcher.peaks_kb.values(), reverse=True)
    return {
        **stats, **info, "seconds": round(seconds, 3), **_throughput(seconds, stats),
        "results": n_out, "errors": errors, "first_error": first_error,
        "peak_rss_mb": _peak_rss_mb(),
        "children_peak_rss_mb": [round(k * 1024 / 1e6, 1) for k in kids] if watcher.available else None,
        "total_peak_rss_mb": (round(_peak_rss_mb() + sum(kids) * 1024 / 1e6, 1) if watcher.available else None),
    }


def mode_ner(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """Both tools on the same texts, interleaved text by text so that a busy machine slows
    both alike; the ratio is taken on CPU time of this process (wall time reported too)."""
    subset = records[: max(1, args.ner_subset)]
    stats = _corpus_stats(subset)
    out: dict[str, Any] = {**stats}
    pkg = _import_package()
    pkg.extract(subset[0]["text"], published=subset[0]["published"])  # warm-up
    try:
        t = time.perf_counter()
        from underthesea import ner, sent_tokenize  # type: ignore
        ner("Chủ tịch UBND tỉnh Nghệ An Nguyễn Đức Trung làm việc tại Hà Nội.")
        out["underthesea_load_s"] = round(time.perf_counter() - t, 3)
        try:
            import underthesea  # type: ignore
            out["underthesea_version"] = getattr(underthesea, "__version__", None)
        except Exception:
            pass
    except Exception as exc:
        out["underthesea_error"] = _err(exc)
        out["ratio"] = None
        out["peak_rss_mb"] = _peak_rss_mb()
        return out
    t0 = time.perf_counter()
    per_text = [[s for line in r["text"].splitlines() if line.strip() for s in sent_tokenize(line) if s.strip()]
                for r in subset]
    out["underthesea_split_seconds"] = round(time.perf_counter() - t0, 3)
    out["underthesea_sentences"] = sum(map(len, per_text))
    out["underthesea_how"] = ("ner() once per sentence (sent_tokenize per line beforehand, not timed); "
                              "interleaved with extract() text by text; ratio on CPU time")
    ours_wall = ours_cpu = theirs_wall = theirs_cpu = 0.0
    errors = 0
    for r, sentences in zip(subset, per_text):
        w, c = time.perf_counter(), time.process_time()
        try:
            pkg.extract(r["text"], published=r["published"])
        except Exception:
            pass
        ours_wall += time.perf_counter() - w
        ours_cpu += time.process_time() - c
        w, c = time.perf_counter(), time.process_time()
        for sent in sentences:
            try:
                ner(sent)
            except Exception:
                errors += 1
        theirs_wall += time.perf_counter() - w
        theirs_cpu += time.process_time() - c
    out["ours_seconds"] = round(ours_wall, 3)
    out["ours_cpu_seconds"] = round(ours_cpu, 3)
    out["ours_chars_per_s"] = round(stats["chars"] / ours_wall) if ours_wall > 0 else None
    out["underthesea_seconds"] = round(theirs_wall, 3)
    out["underthesea_cpu_seconds"] = round(theirs_cpu, 3)
    out["underthesea_chars_per_s"] = round(stats["chars"] / theirs_wall) if theirs_wall > 0 else None
    out["underthesea_errors"] = errors
    out["wall_ratio"] = round(theirs_wall / ours_wall, 2) if ours_wall > 0 else None
    out["ratio"] = round(theirs_cpu / ours_cpu, 2) if ours_cpu > 0 else out["wall_ratio"]
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _resolve(pkg_name: str, module: str, attr: str) -> Callable:
    import importlib
    obj: Any = importlib.import_module(f"{pkg_name}.{module}")
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{module}.{attr} is not callable")
    return obj


def mode_stages(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    from datetime import date
    _import_package()
    funcs: dict[str, Any] = {}
    for name, module, attr in STAGES:
        try:
            funcs[name] = _resolve("vn_reform_extract", module, attr)
        except Exception as exc:
            funcs[name] = _err(exc)
    try:
        from vn_reform_extract.pipeline import _as_date  # type: ignore
    except Exception:
        def _as_date(v: Any) -> Any:
            return date.fromisoformat(str(v)[:10]) if v else None

    acc = {name: {"seconds": 0.0, "calls": 0, "errors": 0, "first_error": None} for name, _, _ in STAGES}

    def run_one(r: dict[str, Any], record: bool) -> None:
        def call(name: str, *a: Any) -> Any:
            fn = funcs[name]
            if not callable(fn):
                return None
            slot = acc[name]
            t = time.perf_counter()
            try:
                return fn(*a)
            except Exception as exc:
                if record:
                    slot["errors"] += 1
                    slot["first_error"] = slot["first_error"] or f"{r['id']}: {_err(exc)}"
                raise
            finally:
                if record:
                    slot["seconds"] += time.perf_counter() - t
                    slot["calls"] += 1

        try:
            published = _as_date(r["published"])
        except Exception:
            published = None
        try:
            doc = call("Document.from_text", r["text"], published, None)
        except Exception:
            return
        if doc is None:
            return
        if getattr(doc, "published", None) is None:
            try:
                found = call("dates.find_published", doc)
                if found is not None:
                    doc.published = found
            except Exception:
                pass
        for name, _, _ in STAGES[2:]:
            try:
                call(name, doc)
            except Exception:
                pass

    run_one(records[0], record=False)  # warm-up: lazy loading is not billed to a stage
    t0 = time.perf_counter()
    for r in records:
        run_one(r, record=True)
    wall = time.perf_counter() - t0
    stages = []
    for name, _, _ in STAGES:
        fn, slot = funcs[name], acc[name]
        if not callable(fn):
            stages.append({"stage": name, "seconds": None, "calls": 0, "errors": 0, "note": f"n/a ({fn})"})
            continue
        failed_all = slot["calls"] > 0 and slot["errors"] == slot["calls"]
        stages.append({
            "stage": name,
            "seconds": None if failed_all else round(slot["seconds"], 3),
            "calls": slot["calls"], "errors": slot["errors"],
            "note": f"n/a (every call failed: {slot['first_error']})" if failed_all else (slot["first_error"] or ""),
        })
    timed = sum(s["seconds"] or 0.0 for s in stages)
    for s in stages:
        s["share"] = round(s["seconds"] / timed, 3) if s["seconds"] is not None and timed > 0 else None
    return {**_corpus_stats(records), "stages": stages, "stages_total_s": round(timed, 3),
            "wall_s": round(wall, 3), "peak_rss_mb": _peak_rss_mb()}


def mode_scaling(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    pkg = _import_package()
    by_len = sorted(records, key=lambda r: len(r["text"]))
    art = by_len[len(by_len) // 2]
    reps = {1: 2, 4: 2, 16: 1} if args.quick else {1: 7, 4: 5, 16: 3}
    pkg.extract(art["text"], published=art["published"])  # warm-up
    rows = []
    for k in (1, 4, 16):
        text = "\n\n".join([art["text"]] * k)
        times = []
        for _ in range(reps[k]):
            t = time.perf_counter()
            pkg.extract(text, published=art["published"])
            times.append(time.perf_counter() - t)
        rows.append({"copies": k, "chars": len(text), "repeats": reps[k], "min_s": round(min(times), 5)})
    base = rows[0]["min_s"]
    for row in rows:
        row["ratio_vs_1x"] = round(row["min_s"] / base, 2) if base > 0 else None
    return {"article_id": art["id"], "article_chars": len(art["text"]), "rows": rows,
            "ratio_4x": rows[1]["ratio_vs_1x"], "ratio_16x": rows[2]["ratio_vs_1x"],
            "peak_rss_mb": _peak_rss_mb()}


MODE_FUNCS = {"single": mode_single, "workers2": mode_workers2, "ner": mode_ner,
              "stages": mode_stages, "scaling": mode_scaling}


# ---------------------------------------------------------------------------- orchestration

_STARTUP_CODE = (
    "import sys\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import vn_reform_extract\n"
    "t1 = time.perf_counter()\n"
    "article = vn_reform_extract.extract(text)\n"
    "t2 = time.perf_counter()\n"
    "import json, resource\n"
    "print('BENCH ' + json.dumps({'import_s': t1 - t0, 'first_article_s': t2 - t0, "
    "'first_extract_s': t2 - t1, 'maxrss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
)


def run_startup(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    repeats = 1 if args.quick else 3
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        fh.write(records[0]["text"])
        text_path = fh.name
    runs = []
    try:
        for _ in range(repeats):
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", _STARTUP_CODE, text_path], cwd=str(REPO),
                                  capture_output=True, text=True, timeout=args.timeout)
            wall = time.perf_counter() - t
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
            if proc.returncode != 0 or line is None:
                return {"error": (proc.stderr or proc.stdout)[-2000:], "runs": runs}
            d = json.loads(line[6:])
            runs.append({"import_s": round(d["import_s"], 3), "first_article_s": round(d["first_article_s"], 3),
                         "first_extract_s": round(d["first_extract_s"], 3), "process_wall_s": round(wall, 3),
                         "peak_rss_mb": round(_mb_from_maxrss(d["maxrss"]), 1)})
    finally:
        os.unlink(text_path)
    med = lambda key: round(statistics.median(r[key] for r in runs), 3)  # noqa: E731
    return {"first_text_id": records[0]["id"], "first_text_chars": len(records[0]["text"]), "repeats": repeats,
            "runs": runs, "import_s": med("import_s"), "first_article_s": med("first_article_s"),
            "process_wall_s": med("process_wall_s"), "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def run_mode(mode: str, corpus: Path, args: argparse.Namespace) -> dict[str, Any]:
    fd, result_path = tempfile.mkstemp(suffix=".json", prefix=f"bench-{mode}-")
    os.close(fd)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_mode", mode, "--_result", result_path,
           "--corpus", str(corpus), "--ner-subset", str(args.ner_subset)]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    if args.quick:
        cmd.append("--quick")
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=str(REPO), capture_output=True, text=True, timeout=args.timeout)
        wall = time.perf_counter() - t
        try:
            with open(result_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            data = None
        if proc.returncode != 0 or not isinstance(data, dict):
            return {"error": f"exit {proc.returncode}: " + (proc.stderr or proc.stdout)[-2000:]}
        data["mode_process_wall_s"] = round(wall, 3)
        return data
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    finally:
        try:
            os.unlink(result_path)
        except OSError:
            pass


def _git(*a: str) -> Optional[str]:
    try:
        p = subprocess.run(["git", *a], cwd=str(REPO), capture_output=True, text=True, timeout=10)
        return p.stdout.strip() if p.returncode == 0 else None
    except Exception:
        return None


def _environment() -> dict[str, Any]:
    env: dict[str, Any] = {
        "python": sys.version.split()[0], "implementation": platform.python_implementation(),
        "platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
    }
    try:
        env["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]  # busy machine = noisy numbers
    except (AttributeError, OSError):
        env["load_average_1_5_15"] = None
    try:
        env["cpus_usable"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        env["cpus_usable"] = None
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    env["git_commit"] = _git("rev-parse", "HEAD")
    env["git_dirty"] = bool(dirty) if dirty is not None else None
    try:
        from importlib.metadata import version
        env["vn_reform_extract"] = version("vn_reform_extract")
    except Exception:
        env["vn_reform_extract"] = None
    try:
        from importlib.metadata import version
        env["underthesea"] = version("underthesea")
    except Exception:
        env["underthesea"] = None
    return env


def _get(d: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def judge(results: dict[str, Any]) -> list[dict[str, Any]]:
    single_s = _get(results, "single", "seconds")
    w2_s = _get(results, "workers2", "seconds")
    values = {
        "single_chars_per_s": _get(results, "single", "chars_per_s"),
        "ner_ratio": _get(results, "ner", "ratio"),
        "workers2_speedup": round(single_s / w2_s, 2) if single_s and w2_s else None,
        "peak_rss_mb": _get(results, "single", "peak_rss_mb"),
        "startup_first_article_s": _get(results, "startup", "first_article_s"),
        "scaling_16x_ratio": _get(results, "scaling", "ratio_16x"),
    }
    out = []
    for key, label, unit, op, threshold in TARGETS:
        v = values[key]
        ok = None if v is None else (v >= threshold if op == ">=" else v <= threshold)
        out.append({"key": key, "label": label, "value": v, "unit": unit, "op": op, "threshold": threshold,
                    "pass": ok})
    return out


def _fmt(v: Any, nd: int = 2) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.{nd}f}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[c if isinstance(c, str) else _fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep] + [line(r) for r in cells[1:]])


def report(res: dict[str, Any]) -> str:
    out: list[str] = []
    c, env = res["corpus"], res["environment"]
    out.append(f"vn_reform_extract benchmark  {res['timestamp']}")
    out.append(f"python {env['python']} on {env['platform']}, {env['cpus_usable'] or env['cpu_count']} usable CPUs; "
               f"commit {(env['git_commit'] or '?')[:10]}{' (dirty)' if env['git_dirty'] else ''}; "
               f"load average at start {_fmt(env.get('load_average_1_5_15'))}")
    out.append(f"corpus {c['path']}: {c['articles']:,} articles, {c['chars']:,} chars, "
               f"{c['utf8_bytes'] / 1e6:.2f} MB UTF-8{'  [quick]' if res['options']['quick'] else ''}")
    for mode in MODES:
        if isinstance(res.get(mode), dict) and "error" in res[mode]:
            out.append(f"\n!! {mode} failed: {res[mode]['error'].strip().splitlines()[-1] if res[mode]['error'].strip() else '?'}")

    st = res.get("startup") or {}
    if "error" not in st and st:
        out.append("\nStartup (fresh `python -c`, median of %d)" % st["repeats"])
        out.append(_table(["measure", "seconds"], [
            ["import vn_reform_extract", st["import_s"]],
            ["import + first Article", st["first_article_s"]],
            ["whole process (incl. interpreter)", st["process_wall_s"]],
        ]))

    s, w = res.get("single") or {}, res.get("workers2") or {}
    rows = []
    if s and "error" not in s:
        rows.append(["1 process", s["seconds"], s["chars_per_s"], s["articles_per_s"], s["mb_per_s"],
                     s["peak_rss_mb"], s["errors"]])
    if w and "error" not in w:
        rows.append(["2 workers", w["seconds"], w["chars_per_s"], w["articles_per_s"], w["mb_per_s"],
                     f"{_fmt(w['peak_rss_mb'], 1)} + {'/'.join(_fmt(x, 1) for x in (w.get('children_peak_rss_mb') or [])) or '?'}",
                     w["errors"]])
    if rows:
        out.append("\nThroughput (all texts)")
        out.append(_table(["mode", "seconds", "chars/s", "articles/s", "MB/s", "peak RSS MB (main + children)", "errors"], rows))
        if s and "error" not in s:
            out.append(f"  warm-up first call {s['warmup_first_call_s']} s (excluded); RSS after corpus load "
                       f"{_fmt(s['rss_after_corpus_load_mb'], 1)} MB")
            pa = s.get("per_article_s") or {}
            out.append(f"  per article: median {_fmt(pa.get('median'), 4)} s, p99 {_fmt(pa.get('p99'), 4)} s, "
                       f"max {_fmt(pa.get('max'), 4)} s; slowest: "
                       + ", ".join(f"{x['id']} ({x['chars']:,} chars) {x['seconds']:.2f} s" for x in s.get("slowest", [])[:3]))
            if s.get("first_error"):
                out.append(f"  first error: {s['first_error'][:120]}")
        if w and "error" not in w:
            sp = next(t["value"] for t in res["targets"] if t["key"] == "workers2_speedup")
            out.append(f"  workers: {w.get('how')}; speedup vs 1 process {_fmt(sp)}x (pool start-up {w.get('pool_startup_s')} s excluded, as the single run's warm-up is)")

    n = res.get("ner") or {}
    if n and "error" not in n:
        out.append(f"\nvs underthesea ner() (first {n['articles']} texts, {n['chars']:,} chars; "
                   f"ner() on each of their {n.get('underthesea_sentences')} sentences)")
        out.append(_table(["tool", "seconds", "chars/s"], [
            ["vn_reform_extract.extract", n["ours_seconds"], n["ours_chars_per_s"]],
            ["underthesea.ner", n.get("underthesea_seconds"), n.get("underthesea_chars_per_s")],
        ]))
        out.append(f"  ratio ours/underthesea: {_fmt(n.get('ratio'))}x on CPU time "
                   f"({_fmt(n.get('wall_ratio'))}x on wall time; the two run interleaved, text by text)"
                   + (f"  ({n['underthesea_error']})" if n.get("underthesea_error") else ""))

    g = res.get("stages") or {}
    if g and "error" not in g:
        out.append(f"\nPer-stage time (pipeline order, {g['articles']:,} texts)")
        out.append(_table(["stage", "seconds", "share", "calls", "errors", "note"], [
            [x["stage"], x["seconds"], (f"{x['share'] * 100:.1f}%" if x["share"] is not None else "n/a"),
             x["calls"], x["errors"], (x["note"] or "")[:60]] for x in g["stages"]]))
        extra = ""
        if s and "error" not in s and s.get("seconds"):
            extra = (f"; full extract() took {s['seconds']} s in the single run "
                     f"(difference: Sentence/Article building, plus run-to-run noise)")
        out.append(f"  stages total {g['stages_total_s']} s{extra}")

    sc = res.get("scaling") or {}
    if sc and "error" not in sc:
        out.append(f"\nScaling (article {sc['article_id']}, {sc['article_chars']:,} chars, joined with blank lines; min of repeats)")
        out.append(_table(["copies", "chars", "min seconds", "time vs 1x"],
                          [[f"{r['copies']}x", r["chars"], f"{r['min_s']:.4f}", r["ratio_vs_1x"]] for r in sc["rows"]]))

    if res.get("code_changed_during_run"):
        out.append("\n!! the package's source changed between modes (fingerprints "
                   + ", ".join(f"{m}={v}" for m, v in res["code_fingerprints"].items())
                   + "); numbers from different modes are not comparable")

    out.append("\nTargets")
    out.append(_table(["target", "value", "goal", "result"], [
        [t["label"], (f"{_fmt(t['value'])} {t['unit']}" if t["value"] is not None else "n/a"),
         f"{t['op']} {_fmt(t['threshold'])} {t['unit']}",
         "n/a" if t["pass"] is None else ("PASS" if t["pass"] else "FAIL")] for t in res["targets"]]))
    passed = sum(1 for t in res["targets"] if t["pass"])
    out.append(f"{passed}/{len(res['targets'])} targets met")
    return "\n".join(out)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark vn_reform_extract (speed, memory, scaling).")
    p.add_argument("--corpus", type=Path, default=None,
                   help="JSONL with id/text/published (default: ../shared/corpus/news.jsonl, else corpus/news_sample.jsonl)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    p.add_argument("--quick", action="store_true",
                   help=f"small subset for CI smoke tests (first {QUICK_LIMIT} texts unless --limit, fewer repeats)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON result file (default bench/results/<UTC timestamp>.json and bench/results/latest.json)")
    p.add_argument("--ner-subset", type=int, default=None,
                   help=f"texts for the underthesea comparison (default {DEFAULT_NER_SUBSET}; {QUICK_NER_SUBSET} with --quick)")
    p.add_argument("--skip", default="", help=f"comma-separated modes to skip: {','.join(MODES)}")
    p.add_argument("--timeout", type=float, default=3600, help="seconds allowed per mode subprocess")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails or a mode crashes")
    p.add_argument("--_mode", choices=list(MODE_FUNCS), help=argparse.SUPPRESS)
    p.add_argument("--_result", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick and args.limit is None:
        args.limit = QUICK_LIMIT
    if args.ner_subset is None:
        args.ner_subset = QUICK_NER_SUBSET if args.quick else DEFAULT_NER_SUBSET
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be >= 1")
    if args.ner_subset < 1:
        p.error("--ner-subset must be >= 1")
    skip = {m.strip() for m in args.skip.split(",") if m.strip()}
    if skip - set(MODES):
        p.error(f"unknown mode(s) in --skip: {', '.join(sorted(skip - set(MODES)))}")
    args.skip = skip
    return args


def default_corpus() -> Path:
    return SHARED_CORPUS.resolve() if SHARED_CORPUS.exists() else SAMPLE_CORPUS


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    corpus = (args.corpus or default_corpus()).resolve()
    records = load_corpus(corpus, args.limit)
    if not records:
        print(f"no texts in {corpus}", file=sys.stderr)
        return 2

    if args._mode:  # inside a mode subprocess
        fingerprint = code_fingerprint()
        data = MODE_FUNCS[args._mode](records, args)
        data["code_fingerprint"] = fingerprint
        with open(args._result, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        return 0

    now = _dt.datetime.now(_dt.timezone.utc)
    res: dict[str, Any] = {
        "format": BENCH_FORMAT,
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "options": {"limit": args.limit, "quick": args.quick, "ner_subset": args.ner_subset,
                    "skip": sorted(args.skip)},
        "environment": _environment(),
        "corpus": {"path": str(corpus), **_corpus_stats(records)},
    }
    t_all = time.perf_counter()
    for mode in MODES:
        if mode in args.skip:
            res[mode] = None
            continue
        print(f"[bench] {mode} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        res[mode] = run_startup(records, args) if mode == "startup" else run_mode(mode, corpus, args)
        status = "FAILED" if "error" in res[mode] else "ok"
        print(f"[bench] {mode} {status} in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    res["bench_wall_s"] = round(time.perf_counter() - t_all, 1)
    res["targets"] = judge(res)
    res["all_targets_pass"] = all(t["pass"] for t in res["targets"])
    res["failed_modes"] = [m for m in MODES if isinstance(res.get(m), dict) and "error" in res[m]]
    prints = {m: res[m].get("code_fingerprint") for m in MODES if isinstance(res.get(m), dict)
              and res[m].get("code_fingerprint")}
    res["code_fingerprints"] = prints
    res["code_changed_during_run"] = len(set(prints.values())) > 1

    print(report(res))
    out = args.out or RESULTS_DIR / f"{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(res, ensure_ascii=False, indent=2) + "\n"
    out.write_text(payload, encoding="utf-8")
    written = [str(out)]
    if args.out is None:
        latest = RESULTS_DIR / "latest.json"
        latest.write_text(payload, encoding="utf-8")
        written.append(str(latest))
    print(f"\nresults: {', '.join(written)}")
    if args.strict and (not res["all_targets_pass"] or res["failed_modes"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
