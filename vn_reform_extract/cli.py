"""Command line: ``vnre eval GOLD_DIR``, ``vnre extract ...``, ``vnre show FILE``,
``vnre demo``, ``vnre schema``."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Optional


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_table
    ids = None
    if args.ids:
        ids = {line.strip() for line in Path(args.ids).read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    result = evaluate(args.gold_dir, ids=ids)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    if args.update_baseline:
        base = {name: round(f["f1"], 4) for name, f in result["fields"].items()}
        Path(args.update_baseline).write_text(json.dumps(base, indent=2) + "\n", encoding="utf-8")
    return 0


def _cmd_datasets(args: argparse.Namespace) -> int:
    from .datasets import update_sqlite
    if not Path(args.db).is_file():
        raise SystemExit(f"vnre datasets: {args.db}: no such database (write one with `vnre extract ... --db {args.db}`)")
    counts = update_sqlite(args.db, rebuild=args.rebuild)
    print(f"{args.db}: {counts.pop('articles_read')} articles read, {counts.pop('articles_removed')} removed; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .web.serve import main as serve
    return serve(args.db, host=args.host, port=args.port, fts=not args.no_fts)


# ---------------------------------------------------------------- progress

class Progress:
    """tqdm when installed, else a one-line counter; silent unless ``enabled``."""

    def __init__(self, total: Optional[int], enabled: bool, desc: str = "extract"):
        self.enabled, self.total, self.n = enabled, total, 0
        self._bar = None
        self._t0 = self._last = time.monotonic()
        if not enabled:
            return
        try:
            from tqdm import tqdm
            try:
                cols = os.get_terminal_size(sys.stderr.fileno()).columns
            except (OSError, ValueError):
                cols = 0
            size = {"dynamic_ncols": True} if cols > 0 else {"ncols": 80}  # some pseudo-ttys report 0
            self._bar = tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, smoothing=0.1, **size)
        except ImportError:
            self._bar = None

    def update(self, n: int = 1) -> None:
        if not self.enabled:
            return
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last < 0.2 and self.n != self.total:
            return
        self._last = now
        rate = self.n / max(now - self._t0, 1e-9)
        msg = f"\r{self.n}/{self.total}" if self.total else f"\r{self.n}"
        if self.total and rate > 0:
            eta = max(0.0, (self.total - self.n) / rate)
            msg += f" [{rate:.1f} doc/s, ETA {int(eta // 60):02d}:{int(eta % 60):02d}]"
        else:
            msg += f" [{rate:.1f} doc/s]"
        sys.stderr.write(msg)
        sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()


# ---------------------------------------------------------------- extract

class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM; ``signum`` says which (exit status 128 + signum)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """SIGINT and SIGTERM stop the run the same way, but never in the middle of
    writing one record to the outputs (``hold()``), so every output stays whole."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: Optional[int] = None
        self._old: dict[int, Any] = {}

    def __enter__(self) -> "_Signals":
        import signal
        import threading
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        import signal
        for sig, old in self._old.items():
            signal.signal(sig, old)

    def _handle(self, signum: int, frame: Any) -> None:  # noqa: ARG002
        if self.holding:
            self.pending = signum
        else:
            raise Interrupted(signum)

    def release(self) -> None:
        self.holding = False
        if self.pending is not None:
            raise Interrupted(self.pending)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _check_outputs(inputs: list[str], out: Optional[str], db: Optional[str], fmt: Optional[str]) -> list[str]:
    """The run's output paths; ValueError when one of them is an input file named on
    the command line (directory walks and globs skip the outputs instead)."""
    from .outputs import output_paths
    outs = output_paths(out, fmt)
    if db:
        outs += [db, f"{db}-wal", f"{db}-shm", f"{db}.lock"]
    named = [p for p in inputs if p != "-" and os.path.isfile(p)]
    for o in outs:
        if not os.path.exists(o):
            continue
        for path in named:
            if _same_file(o, path):
                raise ValueError(f"output {o} is also an input; write the results somewhere else")
    return outs


def run_extract(inputs: list[str], *, out: Optional[str] = None, db: Optional[str] = None,
                fmt: Optional[str] = None, workers: int = 1, batch_size: int = 32,
                text_field: str = "text", id_field: Optional[str] = "id",
                date_field: Optional[str] = "published", input_format: str = "auto",
                max_chars: Optional[int] = None, progress: Optional[bool] = None,
                include_text: bool = False, timeout: Optional[float] = None,
                keep_fields: tuple[str, ...] = (), retry_errors: bool = False) -> dict[str, Any]:
    """Run the batch; returns counts. Used by ``vnre extract`` and ``vnre demo``.

    ``keep_fields``: input fields carried into every output. A ``text_field`` missing
    from the first records stops the run with ``ValueError`` before anything is
    written (:func:`check_text_field`). ``retry_errors``: every error record of an
    earlier run into ``db`` is tried again, not only those of a dying worker or a timeout.

    With ``db`` the run resumes: records already stored are skipped (an article id,
    or an error record of the same id, file and line; errors of a dying worker or a
    timeout are tried again) and the ``out`` file is continued in step with the
    database (see :mod:`vn_reform_extract.outputs`). A second run into the same
    database while this one holds it stops with ``DatabaseBusy``."""
    from .batch import ErrorRecord, run_tasks, shutdown_pools
    from .io import count_records, iter_tasks
    from .outputs import SqliteWriter, open_writer

    if progress is None:
        progress = sys.stderr.isatty()
    outputs = _check_outputs(inputs, out, db, fmt)
    others: list[Any] = []
    dbw = None
    done_articles: set[str] = set()
    done_errors: set[tuple] = set()
    stats = {"articles": 0, "errors": 0, "skipped": 0, "skipped_errors": 0, "lists": {}, "warnings": 0,
             "no_date": 0}
    keep = tuple(keep_fields or ())
    t0 = time.monotonic()
    signals = _Signals()

    def committed() -> dict[str, str]:
        state: dict[str, str] = {}
        for w in others:
            state.update(w.committed_state() if hasattr(w, "committed_state") else {})
        return state

    try:
        with signals:
            if db:
                dbw = SqliteWriter(db, keep=keep)
                done_articles, done_errors = dbw.resume_state(retry_errors)
            resume = bool(done_articles or done_errors)
            if out is not None or db is None:
                others.append(open_writer(out, fmt, include_text=include_text, resume=resume,
                                          committed=dbw.committed() if dbw else None, keep=keep))
            if dbw is not None:
                dbw.flush(committed())  # the outputs as cut back to the database
            total = count_records(inputs, input_format, exclude=outputs) if progress else None
            if total is not None and done_articles:
                total = max(0, total - len(done_articles) - len(done_errors))
            bar = Progress(total, progress)
            seen: dict[str, str] = {}

            def tasks():
                read = iter_tasks(inputs, text_field=text_field, id_field=id_field, date_field=date_field,
                                  input_format=input_format, max_chars=max_chars, exclude=outputs,
                                  keep_fields=keep)
                for t in check_text_field(read, text_field):
                    if (t.id, t.source, t.line) in done_errors:
                        stats["skipped"] += 1
                        stats["skipped_errors"] += 1
                        continue
                    if t.no_date and t.error is None:
                        stats["no_date"] += 1
                    where = f"{t.source}:{t.line}" if t.line is not None else str(t.source)
                    if t.id is not None and t.id in done_articles and t.id not in seen:
                        seen[t.id] = where
                        stats["skipped"] += 1
                        continue
                    if t.id is not None and t.error is None:
                        if t.id in seen:
                            t.error = f"duplicate id {t.id!r}: already read from {seen[t.id]}"
                        else:
                            seen[t.id] = where
                    yield t

            n = 0
            try:
                for task, result in run_tasks(tasks(), workers=workers, batch_size=batch_size,
                                              max_chars=max_chars, timeout=timeout):
                    signals.holding = True  # one record goes to every output or to none
                    for w in others:
                        w.write(task, result)
                    if dbw is not None:
                        dbw.write(task, result)
                    if isinstance(result, ErrorRecord):
                        stats["errors"] += 1
                        stats.setdefault("first_error", f"{_printable(result.id)}: {result.error}")
                    else:
                        stats["articles"] += 1
                        for name, val in result:
                            if isinstance(val, list):
                                stats["lists"][name] = stats["lists"].get(name, 0) + len(val)
                    if task.warnings:
                        stats["warnings"] += len(task.warnings)
                        if stats["warnings"] <= 5:
                            print(f"vnre: warning: {task.id}: {'; '.join(task.warnings)}", file=sys.stderr)
                    n += 1
                    if n % batch_size == 0:
                        for w in others:
                            w.flush()
                        if dbw is not None:
                            dbw.flush(committed())
                    signals.release()
                    bar.update()
            except KeyboardInterrupt:
                shutdown_pools(kill=True)  # do not wait for the records in flight
                raise
            finally:
                bar.close()
                signals.holding = True  # closing is not interrupted either
                for w in others:
                    try:
                        w.close()
                    except Exception:
                        pass
                if dbw is not None:
                    dbw.close(committed())
    except BaseException:
        if dbw is not None and dbw._lock is not None:
            dbw._lock.release()
        raise
    stats["seconds"] = round(time.monotonic() - t0, 3)
    return stats


FIELD_CHECK_RECORDS = 20


def check_text_field(tasks, text_field: str, n: int = FIELD_CHECK_RECORDS):
    """Pass ``tasks`` through, but raise ``ValueError`` listing the fields the records do
    have when ``text_field`` is missing from each of the first ``n`` records (or from
    every record of a shorter input): a wrong ``--text-field`` stops the run instead of
    turning every record into an error."""
    held, missing, found, columns = [], 0, False, {}
    it = iter(tasks)
    for t in it:
        held.append(t)
        if t.columns is not None:
            missing += 1
            columns.update(dict.fromkeys(t.columns))
            if missing >= n:
                break
        elif t.text is not None or (t.error or "").startswith("text field"):
            found = True
            break
        elif len(held) >= 50 * n:
            found = True  # only unreadable records so far: they are reported one by one
            break
    if missing and not found:
        where = next(t.source for t in held if t.columns is not None)
        names = ", ".join(repr(c) for c in list(columns)[:40]) or "(none)"
        raise ValueError(f"text field {text_field!r} is missing from the first {missing} records of {where}; "
                         f"their fields are: {names}. Choose one with --text-field "
                         "(a dotted name such as content.text reaches into nested objects)")
    yield from held
    yield from it


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import Article
    print(json.dumps(Article.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def _field_list(value: Optional[str]) -> tuple[str, ...]:
    return tuple(f.strip() for f in (value or "").split(",") if f.strip())


def _cmd_extract(args: argparse.Namespace) -> int:
    if args.format == "json-schema":
        return _cmd_schema(args)
    if not args.inputs:
        print("vnre extract: give at least one INPUT (file, directory, glob or -)", file=sys.stderr)
        return 2
    progress = None if args.progress is None else args.progress
    try:
        stats = run_extract(
            args.inputs, out=args.out, db=args.db, fmt=args.format, workers=args.workers,
            batch_size=args.batch_size, text_field=args.text_field, id_field=args.id_field or None,
            date_field=args.date_field or None, input_format=args.input_format,
            max_chars=args.max_chars, progress=progress, include_text=args.include_text,
            timeout=args.timeout_per_record or None, keep_fields=_field_list(args.keep_fields),
            retry_errors=args.retry_errors)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        what = "terminated" if signum == 15 else "interrupted"
        print(f"vnre: {what}; output written so far is complete (rerun with the same --db to resume)",
              file=sys.stderr)
        return 128 + signum
    except (ValueError, ImportError, OSError) as exc:
        print(f"vnre extract: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        msg = f"vnre: {stats['articles']} articles, {stats['errors']} errors"
        if stats["skipped"]:
            msg += f", {stats['skipped']} skipped (already in {args.db}"
            if stats["skipped_errors"]:
                msg += f"; {stats['skipped_errors']} of them failed before: --retry-errors tries them again"
            msg += ")"
        if stats["warnings"]:
            msg += f", {stats['warnings']} warnings"
        if args.date_field and stats["no_date"]:
            msg += f", {stats['no_date']} with no {args.date_field!r} value (date from the text when it has one)"
        print(msg + f" in {stats['seconds']:.1f}s", file=sys.stderr)
    if stats["errors"] and not stats["articles"] and not stats["skipped"]:
        print(f"vnre extract: every input failed; the first: {stats['first_error']}", file=sys.stderr)
        return 1
    return 1 if args.strict and stats["errors"] else 0


# ---------------------------------------------------------------- show

def _load_for_show(path: str, ident: Optional[str], limit: int, args: argparse.Namespace):
    """Yield (id, Article, text or None, title or None); the title from a ``title`` field
    of the input (or a column kept with ``--keep-fields title``)."""
    from .schema import Article
    p = Path(path)
    if p.suffix.lower() in (".sqlite", ".db", ".sqlite3"):
        import sqlite3
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        has_title = any(r[1] == "title" for r in con.execute('PRAGMA table_info("articles")'))
        sql, params = f"SELECT article_id, json, text, {'title' if has_title else 'NULL'} FROM articles", ()
        if ident:
            sql, params = sql + " WHERE article_id = ?", (ident,)
        for aid, js, text, title in con.execute(sql + " LIMIT ?", (*params, limit)):
            art = Article.model_validate_json(js)
            art._text = text
            yield aid, art, text, title
        return
    if p.suffix.lower() in (".jsonl", ".ndjson") and p.exists():
        with open(p, encoding="utf-8", errors="replace") as fh:
            first = next((ln for ln in fh if ln.strip()), "")
        try:
            is_results = "article" in json.loads(first) or "error" in json.loads(first)
        except (ValueError, TypeError):
            is_results = False
        if is_results:
            n = 0
            with open(p, encoding="utf-8", errors="replace") as fh:
                for ln in fh:
                    if n >= limit:
                        break
                    try:
                        rec = json.loads(ln)
                    except ValueError:
                        continue
                    if "article" not in rec or (ident and str(rec.get("id")) != ident):
                        continue
                    art = Article.model_validate(rec["article"])
                    art._text = rec.get("text")
                    n += 1
                    kept = rec.get("input") if isinstance(rec.get("input"), dict) else {}
                    yield rec.get("id"), art, rec.get("text"), kept.get("title")
            return
    from .batch import run_tasks
    from .io import iter_tasks

    def tasks():
        for t in iter_tasks([path], text_field=args.text_field, id_field=args.id_field,
                            date_field=args.date_field, keep_fields=("title",)):
            if ident and t.id != ident:
                continue
            yield t
    n = 0
    for task, result in run_tasks(tasks()):
        if n >= limit:
            break
        n += 1
        title = task.extra.get("title")
        yield task.id, result, task.text, title if isinstance(title, str) else None


def _printable(v: Any) -> str:
    """Control characters shown as escapes (an id must not drive the terminal)."""
    s = str(v)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)


def _cmd_show(args: argparse.Namespace) -> int:
    from .batch import ErrorRecord
    from .visualize import article_html, guess_title, html_page, render_terminal
    if args.file != "-" and not Path(args.file).exists():
        raise FileNotFoundError(f"no such file: {args.file}")
    color = args.color if args.color is not None else (sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    found = False
    html_parts, titles = [], []
    for aid, art, text, title in _load_for_show(args.file, args.id, args.limit, args):
        found = True
        if isinstance(art, ErrorRecord):
            print(f"== {_printable(aid)}: error: {_printable(art.error)}")
            continue
        if args.html:
            title = title or guess_title(text)
            titles.append(title or str(aid))
            html_parts.append(article_html(art, text, title, True, None if aid is None else str(aid)))
        else:
            heading = f"{aid}: {title}" if title else str(aid)
            print(render_terminal(art, text=text, color=color, title=_printable(heading), width=args.width))
    if args.html and html_parts:
        page_title = titles[0] if len(titles) == 1 else f"{len(titles)} articles from {Path(args.file).name}"
        Path(args.html).write_text(html_page(html_parts, page_title), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    if not found:
        print(f"vnre show: nothing to show in {_printable(args.file)}" + (f" with id {args.id!r}" if args.id else ""),
              file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- demo

def _corpus_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (base / "corpus" / "news_sample.jsonl").exists():
            return base / "corpus"
    raise FileNotFoundError("corpus/news_sample.jsonl not found (run vnre demo from the repository root)")


def _num(v: Any) -> str:
    if isinstance(v, (int, float)) and float(v).is_integer() and abs(v) < 1e18:
        return f"{int(v):,}"
    return f"{v:g}" if isinstance(v, float) else str(v)


def db_summary(db: str, n_top: int = 8) -> str:
    """A readable report of an extraction database."""
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
    from .frames import table_specs
    lines = []
    n_art = q("SELECT COUNT(*) FROM articles")[0][0]
    n_err = q("SELECT COUNT(*) FROM errors")[0][0]
    lines.append(f"articles: {n_art}    errors: {n_err}")
    counts = []
    for name in table_specs():
        if name in ("articles", "errors"):
            continue
        c, a = q(f'SELECT COUNT(*), COUNT(DISTINCT article_id) FROM "{name}"')[0]
        counts.append(f"  {name:<18} {c:>7}  in {a} articles")
    lines.append("items per list:")
    lines += counts
    top = q("SELECT name, code, COUNT(*), COUNT(DISTINCT article_id) FROM provinces "
            "GROUP BY code ORDER BY 4 DESC, 3 DESC LIMIT ?", n_top)
    lines.append("top provinces (articles, mentions):")
    lines += [f"  {n} ({c})  {a}, {m}" for n, c, m, a in top] or ["  (none)"]
    top = q("SELECT name, COUNT(*), COUNT(DISTINCT article_id) FROM agencies "
            "GROUP BY name ORDER BY 3 DESC, 2 DESC LIMIT ?", n_top)
    lines.append("top agencies (articles, mentions):")
    lines += [f"  {n}  {a}, {m}" for n, m, a in top] or ["  (none)"]
    top = q("SELECT name, titles, COUNT(DISTINCT article_id) FROM officials GROUP BY name ORDER BY 3 DESC LIMIT ?", 5)
    if top:
        lines.append("officials (most articles):")
        for n, t, a in top:
            titles = ", ".join(json.loads(t)[:2]) if t else ""
            lines.append(f"  {n}" + (f" - {titles}" if titles else "") + f"  ({a})")
    facts = q("SELECT f.kind, f.value, f.out_of, f.unit, f.text, f.article_id FROM facts f "
              "JOIN (SELECT kind, MIN(rowid) r FROM facts GROUP BY kind) k ON f.rowid = k.r ORDER BY f.kind")
    lines.append("example facts:")
    for kind, value, out_of, unit, text, aid in facts:
        v = _num(value) + (f"/{_num(out_of)}" if out_of is not None else "") + (f" {unit}" if unit else "")
        lines.append(f"  {kind:<8} {v:<32} \"{text}\"  [{aid}]")
    if not facts:
        lines.append("  (none)")
    refs = q("SELECT doc_type, number, COUNT(DISTINCT article_id) FROM legal_refs WHERE number IS NOT NULL "
             "GROUP BY number ORDER BY 3 DESC LIMIT 5")
    if refs:
        lines.append("most cited legal documents:")
        lines += [f"  {d} {n}  ({a} articles)" for d, n, a in refs]
    errs = q("SELECT id, error, file, line FROM errors LIMIT 5")
    if errs:
        lines.append("errors:")
        lines += [f"  {i}: {e}" + (f" ({f}:{ln})" if ln else "") for i, e, f, ln in errs]
    con.close()
    return "\n".join(lines)


def _cmd_demo(args: argparse.Namespace) -> int:
    corpus = _corpus_dir()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db, jsonl = out / "demo.sqlite", out / "demo.jsonl"
    if not args.resume:
        for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), jsonl):
            if f.exists():
                f.unlink()
    sample = corpus / "news_sample.jsonl"
    ids = set()
    with open(sample, encoding="utf-8") as fh:
        for ln in fh:
            try:
                ids.add(str(json.loads(ln).get("id")))
            except ValueError:
                pass
    texts = sorted((corpus / "texts").glob("*.txt"))
    extra = [str(p) for p in texts if p.stem not in ids]
    print(f"vnre demo: {sample} + {len(extra)} of {len(texts)} files in {corpus / 'texts'} "
          f"(the other {len(texts) - len(extra)} are the same articles as in news_sample.jsonl)")
    stats = run_extract([str(sample)] + extra, out=str(jsonl), db=str(db), workers=args.workers,
                        progress=None)
    print(f"extracted {stats['articles']} articles, {stats['errors']} errors"
          + (f", {stats['skipped']} already done" if stats["skipped"] else "")
          + f" in {stats['seconds']:.1f}s -> {db}, {jsonl}\n")
    print(db_summary(str(db)))
    vnre, activate = vnre_command()
    print(f"\nnext: {vnre} show {db} --id {next(iter(sorted(ids)), '')}   |   sqlite3 {db} "
          "\"SELECT code, COUNT(*) FROM provinces GROUP BY code\"")
    if activate:
        print(f"      (vnre is not on your PATH: run it as {vnre}, or first: source {activate})")
    return 0


def vnre_command() -> tuple[str, Optional[str]]:
    """How the user can call this command again: ("vnre", None) when it is on PATH, else
    its path (".venv/bin/vnre") and the venv's activate script, when there is one."""
    import shutil
    exe = Path(sys.argv[0]).resolve()
    if exe.name != "vnre":
        return f"{Path(sys.executable).name} -m vn_reform_extract.cli", None
    found = shutil.which("vnre")
    if found and Path(found).resolve() == exe:
        return "vnre", None

    def shown(p: Path) -> str:
        try:
            return str(p.relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(p)
    activate = exe.parent / "activate"
    return shown(exe), (shown(activate) if activate.exists() else None)


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vnre", description="Structured records from Vietnamese government news")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the Python traceback of an error (also: VNRE_DEBUG=1)")
    ap.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = ap.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", parents=[common], help="score extract() against gold files (GOLD.md format)")
    ev.add_argument("gold_dir")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--ids", metavar="FILE", help="score only the ids listed in FILE, one per line "
                                                   "(e.g. corpus/splits/check.txt)")
    ev.add_argument("--update-baseline", metavar="FILE", help="write per-field F1 to FILE (e.g. corpus/baseline.json)")
    ev.set_defaults(func=_cmd_eval)

    ex = sub.add_parser("extract", parents=[common], help="extract over files, directories, globs or stdin",
                        description="One result per input record: an article or an error record. "
                                    "JSONL to stdout unless --out/--db is given.")
    ex.add_argument("inputs", nargs="*", metavar="INPUT", help="file, directory, glob, or - for stdin")
    ex.add_argument("--text-field", default="text",
                    help="JSONL/CSV field holding the text (default: text); a dotted name such as "
                         "content.text reaches into nested JSON objects. A field missing from the first "
                         f"{FIELD_CHECK_RECORDS} records stops the run and lists the fields they have")
    ex.add_argument("--id-field", default="id", help="field holding the id (default: id; else PATH:LINE, the file path relative to the working directory)")
    ex.add_argument("--date-field", default="published",
                    help="field holding the publication date (default: published); records without "
                         "a value are counted on the summary line")
    ex.add_argument("--keep-fields", metavar="A,B", default="",
                    help="input fields to carry into the outputs (e.g. title,url): an \"input\" object in "
                         "JSONL, extra columns of the articles and errors tables in CSV, Parquet, SQLite")
    ex.add_argument("--input-format", default="auto", choices=["auto", "jsonl", "csv", "text", "html"])
    ex.add_argument("--out", metavar="FILE", help="x.jsonl (default: stdout), x.csv or x.parquet (a directory x/ of tables)")
    ex.add_argument("--format", choices=["auto", "jsonl", "csv", "parquet", "json-schema"], default="auto",
                    help="output format (default: from the --out extension); json-schema prints the Article schema")
    ex.add_argument("--db", metavar="FILE", help="SQLite database; ids already in it are skipped (resume)")
    ex.add_argument("--retry-errors", action="store_true",
                    help="with --db: try again the inputs that failed in earlier runs (by default only "
                         "those of a dying worker or a timeout are)")
    ex.add_argument("--workers", type=int, default=1, help="processes (output order is kept)")
    ex.add_argument("--batch-size", type=int, default=32, help="records per batch / commit (default: 32)")
    ex.add_argument("--max-chars", type=int, default=None, help="longer texts become error records")
    ex.add_argument("--timeout-per-record", type=float, default=30.0, metavar="SECONDS",
                    help="a record taking longer becomes an error record and the run goes on "
                         "(default: 30; 0 = no limit)")
    ex.add_argument("--include-text", action="store_true", help="add the input text to each JSONL line")
    g = ex.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show a progress bar")
    g.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")
    ex.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    ex.add_argument("--strict", action="store_true", help="exit with status 1 when any input failed")
    ex.set_defaults(func=_cmd_extract)

    sh = sub.add_parser("show", parents=[common], help="view an article with its mentions highlighted")
    sh.add_argument("file", help="a text/JSONL/CSV/HTML input, a vnre extract JSONL, or a SQLite database")
    sh.add_argument("--id", help="the article to show")
    sh.add_argument("--limit", type=int, default=1, help="how many articles (default: 1)")
    sh.add_argument("--html", metavar="FILE", help="write a self-contained HTML page instead")
    sh.add_argument("--width", type=int, default=100)
    sh.add_argument("--text-field", default="text")
    sh.add_argument("--id-field", default="id")
    sh.add_argument("--date-field", default="published")
    c = sh.add_mutually_exclusive_group()
    c.add_argument("--color", dest="color", action="store_true", default=None)
    c.add_argument("--no-color", dest="color", action="store_false")
    sh.set_defaults(func=_cmd_show)

    de = sub.add_parser("demo", parents=[common], help="extract the bundled corpus into out/demo.sqlite and summarize it")
    de.add_argument("--out-dir", default="out")
    de.add_argument("--workers", type=int, default=1)
    de.add_argument("--resume", action="store_true", help="keep existing out/demo.sqlite and skip what it holds")
    de.set_defaults(func=_cmd_demo)

    ds = sub.add_parser("datasets", parents=[common], help="add indicator and officials dataset tables to a --db database",
                        description="Adds indicator_observations, indicator_values, officials_timeline and "
                                    "appointments (and views) to a database written by `vnre extract --db`. "
                                    "Re-runs read only new or changed articles.")
    ds.add_argument("db", metavar="DB", help="SQLite file written by vnre extract --db")
    ds.add_argument("--rebuild", action="store_true", help="drop the dataset tables and build them again")
    ds.set_defaults(func=_cmd_datasets)

    sv = sub.add_parser("serve", parents=[common], help="open a --db database in the browser workbench (Datasette)",
                        description="Starts Datasette with the vn_reform_extract plugin on localhost: facets, "
                                    "full-text search, canned queries, article pages and a try page. "
                                    "Needs the web extra: pip install 'vn_reform_extract[web]'.")
    sv.add_argument("db", metavar="DB", help="SQLite file written by vnre extract --db")
    sv.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    sv.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, this machine only)")
    sv.add_argument("--no-fts", action="store_true", help="do not (re)build the full-text indexes before serving")
    sv.set_defaults(func=_cmd_serve)

    sc = sub.add_parser("schema", parents=[common], help="print the JSON Schema of Article")
    sc.set_defaults(func=_cmd_schema)
    return ap


def describe_error(exc: BaseException) -> str:
    """One line for a user: the message we wrote, or the OS reason and the file."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        return f"{exc.strerror}: {exc.filename}"
    msg = " ".join(str(exc).split())
    if isinstance(exc, (ValueError, OSError, ImportError, RuntimeError)) and msg:
        return msg
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Errors end as one line on stderr and exit status 1; ``--debug`` or ``VNRE_DEBUG=1``
    shows the Python traceback instead."""
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False) or os.environ.get("VNRE_DEBUG", "") not in ("", "0")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if debug:
            raise
        print("vnre: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        print(f"vnre {args.command}: {describe_error(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
