"""Writers for ``vnre extract`` results: JSONL, CSV/Parquet table sets, SQLite.

All writers take ``write(task, result)`` calls in input order, ``flush()`` at
batch boundaries and ``close()``; each leaves valid output when interrupted
(JSONL is flushed per line, SQLite is committed per batch, CSV is flushed per
batch, Parquet writes one complete part file per batch).

With a database, the other outputs are kept in step with it: at every commit the
database records how far each output file is written (``meta`` rows
``committed:<path>``), and a resumed run first cuts each output back to what the
database holds, then appends. So after a kill at any point the JSONL holds exactly
the records of the database, one line per record (a retried record's older line is
removed when the JSONL is reopened or closed).

CSV cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get
a leading ``'`` so spreadsheets do not run them as formulas.

JSONL line shapes::

    {"id": "...", "source": "in.jsonl", "line": 3, "article": {...}}
    {"id": "...", "source": "in.jsonl", "line": 5, "article": {...}, "warnings": ["date field ..."]}
    {"id": "...", "error": "malformed JSON: ...", "line": 4, "source": "in.jsonl"}

(with ``--keep-fields title,url`` both also carry ``"input": {"title": ..., "url": ...}``,
and the ``articles`` and ``errors`` tables get ``title`` and ``url`` columns).

Table sets (``--out NAME.csv`` / ``--out NAME.parquet``): a directory ``NAME/``
holding one file per table of :func:`vn_reform_extract.frames.table_specs`
(``articles.csv``, ``provinces.csv``, ..., ``official_mentions.csv``, ``errors.csv``).
For Parquet each table is a dataset directory (``articles.parquet/part-000001.parquet``
...), readable with ``pandas.read_parquet(".../articles.parquet")`` at any moment.

SQLite (``--db FILE``): the same tables, plus ``articles.json`` (the full Article)
and ``articles.text``; indexes on ``provinces(code)``, ``facts(kind)``, ``localities(province_code)``
and every ``article_id``; ``province_map`` (63 provinces -> 2025 units) and the merger-aware
views ``facts_by_province`` and ``mentions_by_province`` (each row with its 63-era
``province_code``/``province_name`` and its ``province_2025_code``/``province_2025_name``). Ids already present in ``articles`` or ``errors`` are what
``done_ids()`` returns, for resuming.
"""
from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import IO, Any, Optional

from .batch import ErrorRecord, Task
from .frames import TableSpec, encode_row, flatten, table_specs
from .schema import Article

__all__ = ["JsonlWriter", "TableWriter", "SqliteWriter", "result_json", "open_writer", "table_dir"]


def result_json(task: Task, result: Any, include_text: bool = False) -> dict[str, Any]:
    if isinstance(result, ErrorRecord):
        out = result.to_json()
        out.pop("position", None)
        if task.extra:
            out["input"] = task.extra
        return out
    out: dict[str, Any] = {"id": task.id}
    if task.source is not None:
        out["source"] = task.source
    if task.line is not None:
        out["line"] = task.line
    if task.extra:
        out["input"] = task.extra   # --keep-fields
    out["article"] = result.model_dump(mode="json")
    if include_text:
        out["text"] = task.text
    if task.warnings:
        out["warnings"] = list(task.warnings)
    return out


def result_line(task: Task, result: Any, include_text: bool = False) -> str:
    """One JSONL line (no newline); always valid JSON (no NaN/Infinity)."""
    try:
        return json.dumps(result_json(task, result, include_text), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:  # a non-finite number: the record is an error, not invalid JSON
        err = task.fail(f"result not representable as JSON: {exc}")
        return json.dumps(result_json(task, err), ensure_ascii=False)


def record_key(rec: dict[str, Any]) -> tuple:
    """What identifies one input record in a JSONL line or an errors row."""
    return (rec.get("id"), rec.get("source", rec.get("file")), rec.get("line"))


def _committed_key(path: Any) -> str:
    return f"committed:{os.path.abspath(path)}"


class JsonlWriter:
    """One line per result. ``resume``: append after cutting the file back to
    ``committed`` bytes (what the database holds) and dropping older lines of
    records that were written again."""

    def __init__(self, target: Any = None, include_text: bool = False, resume: bool = False,
                 committed: Optional[int] = None):
        self.include_text = include_text
        self.path: Optional[str] = None
        self._existing: set[tuple] = set()
        if target is None or target == "-":
            self.fh: IO[str] = sys.stdout
            self._own = False
        else:
            self.path = str(target)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            existing: set[tuple] = set()
            if resume and os.path.exists(self.path):
                if committed is not None and os.path.getsize(self.path) >= committed:
                    with open(self.path, "r+b") as fh:
                        fh.truncate(committed)
                existing = _compact_jsonl(self.path)
                mode = "a"
            else:
                mode = "w"
            self.fh = open(target, mode, encoding="utf-8", errors="backslashreplace", newline="\n")
            self._own = True
            self._existing = existing if mode == "a" else set()
        self._superseded = False

    def write(self, task: Task, result: Any) -> None:
        line = result_line(task, result, self.include_text)
        if self._own and self._existing and not self._superseded:
            self._superseded = (task.id, task.source, task.line) in self._existing
        try:
            self.fh.write(line + "\n")
        except UnicodeEncodeError:
            self.fh.write(json.dumps(json.loads(line)) + "\n")
        self.fh.flush()

    def committed_state(self) -> dict[str, str]:
        """meta rows for the database commit: how far this file is written."""
        if not self._own:
            return {}
        if not self.fh.closed:
            self.fh.flush()
        return {_committed_key(self.path): str(os.path.getsize(self.path))}

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        self.fh.flush()
        if self._own:
            self.fh.close()
            if self._superseded:
                _compact_jsonl(self.path)


def _compact_jsonl(path: str) -> set[tuple]:
    """Keep only the last line of each record (a retried error is followed by its new
    result) and drop a partial last line; rewritten atomically, only when needed, in
    two streaming passes. Returns the records the file holds."""
    last: dict[tuple, int] = {}
    other: set[int] = set()  # lines that are not ours: kept as they are
    n, partial = 0, False
    with open(path, "rb") as fh:
        for i, ln in enumerate(fh):
            n = i + 1
            if not ln.endswith(b"\n"):
                partial = True
                break
            try:
                rec = json.loads(ln)
            except ValueError:
                rec = None
            if isinstance(rec, dict):
                last[record_key(rec)] = i
            else:
                other.add(i)
    if partial or len(last) + len(other) < n:
        keep = set(last.values()) | other
        tmp = path + ".tmp"
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            for i, ln in enumerate(src):
                if i in keep and ln.endswith(b"\n"):
                    dst.write(ln)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, path)
    return set(last)


def _rows_for(task: Task, result: Any, keep: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    kept = {k: task.extra.get(k) for k in keep}
    if isinstance(result, ErrorRecord):
        return {"errors": [{"id": result.id, "error": result.error, "file": result.source,
                            "line": result.line, "position": result.position, **kept}]}
    return flatten(result, task.id, file=task.source, line=task.line, text=task.text, kept=kept,
                   warnings=task.warnings)


def table_dir(out: str) -> Path:
    """``out/x.csv`` -> ``out/x`` (the directory that holds the tables)."""
    p = Path(out)
    return p.with_suffix("") if p.suffix.lower() in (".csv", ".parquet", ".pq") else p


_FORMULA_START = tuple("=+-@\t\r")


def csv_safe(v: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


class TableWriter:
    """One CSV file or one Parquet dataset directory per table inside a directory.

    ``resume``: continue an earlier run (CSV files are cut back to ``committed``
    and appended, Parquet parts past the committed one are removed); otherwise the
    tables are started afresh."""

    def __init__(self, out: str, fmt: str, resume: bool = False, committed: Optional[dict[str, str]] = None,
                 keep: tuple[str, ...] = ()):
        self.fmt = fmt
        self.keep = tuple(keep)
        self.specs = table_specs(self.keep)
        self.dir = table_dir(out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._buf: dict[str, list[dict[str, Any]]] = {n: [] for n in self.specs}
        self._files: dict[str, Any] = {}
        committed = committed or {}
        if fmt == "csv":
            for name, spec in self.specs.items():
                path = self.dir / f"{name}.csv"
                done = committed.get(_committed_key(path))
                if resume and path.exists() and path.stat().st_size > 0:
                    if done is not None and path.stat().st_size >= int(done):
                        with open(path, "r+b") as raw:
                            raw.truncate(int(done))
                    fh = open(path, "a", encoding="utf-8", errors="backslashreplace", newline="")
                    w = csv.DictWriter(fh, fieldnames=spec.column_names)
                else:
                    fh = open(path, "w", encoding="utf-8", errors="backslashreplace", newline="")
                    w = csv.DictWriter(fh, fieldnames=spec.column_names)
                    w.writeheader()
                self._files[name] = (fh, w)
        elif fmt == "parquet":
            import pyarrow as pa  # noqa: F401  (fail early when missing)
            self._schemas = {n: self._arrow_schema(s) for n, s in self.specs.items()}
            self._seq = 0
            self._started: set[str] = set()
            for name in self.specs:
                d = self.dir / f"{name}.parquet"
                if d.is_file():  # a single-file table from an older version
                    d.unlink()
                d.mkdir(exist_ok=True)
                for part in d.iterdir():
                    m = re.fullmatch(r"part-(\d+)\.parquet", part.name)
                    limit = int(committed.get(_committed_key(self.dir), -1))
                    if not resume or m is None or int(m.group(1)) > limit:
                        part.unlink()  # not committed: redone by this run
                    else:
                        self._seq = max(self._seq, int(m.group(1)))
                        self._started.add(name)
        else:
            raise ValueError(f"unknown table format {fmt!r}")

    @staticmethod
    def _arrow_schema(spec: TableSpec):
        import pyarrow as pa
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "json": pa.string()}
        return pa.schema([(c.name, types[c.kind]) for c in spec.columns])

    def write(self, task: Task, result: Any) -> None:
        for name, rows in _rows_for(task, result, self.keep).items():
            spec = self.specs[name]
            self._buf[name].extend(encode_row(spec, r) for r in rows)

    def committed_state(self) -> dict[str, str]:
        if self.fmt == "csv":
            for fh, _ in self._files.values():
                if not fh.closed:
                    fh.flush()
            return {_committed_key(fh.name): str(os.path.getsize(fh.name)) for fh, _ in self._files.values()}
        return {_committed_key(self.dir): str(self._seq)}

    def flush(self, _final: bool = False) -> None:
        if self.fmt == "csv":
            for name, rows in self._buf.items():
                fh, w = self._files[name]
                w.writerows({k: csv_safe(v) for k, v in r.items()} for r in rows)
                fh.flush()
                rows.clear()
            return
        import pyarrow as pa
        import pyarrow.parquet as pq
        if not any(self._buf.values()) and not (_final and len(self._started) < len(self.specs)):
            return
        self._seq += 1
        for name, rows in self._buf.items():
            if rows or name not in self._started:
                final = self.dir / f"{name}.parquet" / f"part-{self._seq:06d}.parquet"
                tmp = final.with_name("." + final.name + ".tmp")  # hidden: readers skip it
                pq.write_table(pa.Table.from_pylist(rows, schema=self._schemas[name]), str(tmp))
                os.replace(tmp, final)
                self._started.add(name)
                rows.clear()

    def close(self) -> None:
        self.flush(_final=True)  # every table gets at least one (maybe empty) part
        if self.fmt == "csv":
            for fh, _ in self._files.values():
                fh.close()


_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "json": "TEXT"}
_INDEXES = {"provinces": ["code", "merged_2025_code"], "facts": ["kind", "province_code"], "agencies": ["name", "province_code"],
            "officials": ["name"], "errors": ["id"], "dates": ["value"],
            "localities": ["name", "province_code", "merged_2025_province_code"]}

# Merger-aware views: every mention and fact under the province it names or lies in, with the
# 63-era province (historical view) next to its 2025 unit (a 2019 fact about Bình Dương
# counts under Hồ Chí Minh). ``province_map`` is the 63 -> 34 table of the gazetteer.
_VIEWS = {
    "facts_by_province": """
        SELECT f.*, a.published, substr(a.published, 1, 4) AS year,
               m.name AS province_name, m.merged_2025_code AS province_2025_code,
               m.merged_2025_name AS province_2025_name
        FROM facts f JOIN articles a ON a.article_id = f.article_id
        LEFT JOIN province_map m ON m.code = f.province_code""",
    "mentions_by_province": """
        SELECT x.article_id, a.published, substr(a.published, 1, 4) AS year, x.list, x.idx, x.text,
               x.province_code, m.name AS province_name,
               COALESCE(m.merged_2025_code, x.merged_code) AS province_2025_code,
               COALESCE(m.merged_2025_name, m2.merged_2025_name) AS province_2025_name
        FROM (SELECT article_id, 'provinces' AS list, idx, text, code AS province_code, NULL AS merged_code FROM provinces
              UNION ALL SELECT article_id, 'localities', idx, text, province_code, merged_2025_province_code FROM localities
              UNION ALL SELECT article_id, 'agencies', idx, text, province_code, NULL FROM agencies
              UNION ALL SELECT article_id, 'officials', idx, name, province_code, NULL FROM officials
              UNION ALL SELECT article_id, 'facts', idx, text, province_code, NULL FROM facts) x
        JOIN articles a ON a.article_id = x.article_id
        LEFT JOIN province_map m ON m.code = x.province_code
        LEFT JOIN (SELECT DISTINCT merged_2025_code, merged_2025_name FROM province_map) m2
               ON m.code IS NULL AND m2.merged_2025_code = x.merged_code""",
}


class DatabaseBusy(OSError):
    """Another run holds the database."""


class RunLock:
    """An exclusive lock on ``PATH.lock`` held for the whole run (released by the OS
    when the process dies, even by kill -9). The file itself stays; it is harmless."""

    def __init__(self, path: str, what: str):
        self.path = path
        self.fh = open(path, "a+")
        try:
            import fcntl
        except ImportError:  # Windows: msvcrt locks a byte range instead
            fcntl = None
        try:
            if fcntl is not None:
                fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                import msvcrt
                msvcrt.locking(self.fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            raise DatabaseBusy(f"{what} is in use by another vnre run"
                               + (f" (pid {holder})" if holder else "")
                               + "; wait for it to finish or write to another --db") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()

    def release(self) -> None:
        if not self.fh.closed:
            self.fh.close()  # closing drops the lock


class SqliteWriter:
    """Normalized tables in one SQLite file; committed every ``flush()``.

    ``lock``: hold ``PATH.lock`` until ``close()`` so a second run into the same
    database stops with :class:`DatabaseBusy` instead of doing the work twice."""

    def __init__(self, path: str, lock: bool = True, keep: tuple[str, ...] = ()):
        self.keep = tuple(keep)
        table_specs(self.keep)  # a clashing --keep-fields name fails before anything is opened
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = RunLock(str(path) + ".lock", str(path)) if lock else None
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.specs = table_specs(self.keep)
        self._create()
        self._pending = 0

    def _create(self) -> None:
        cur = self.con.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        from .schema import SCHEMA_VERSION
        cur.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        for name, spec in self.specs.items():
            cols = [f'"{c.name}" {_SQL_TYPES[c.kind]}' for c in spec.columns]
            if name == "articles":
                cols[0] = '"article_id" TEXT PRIMARY KEY'
                cols += ['"json" TEXT', '"text" TEXT']
                cur.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({", ".join(cols)})')
            elif name == "errors":
                cur.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ("rowid_" INTEGER PRIMARY KEY AUTOINCREMENT, {", ".join(cols)})')
            else:
                key = ", ".join(f'"{k}"' for k in spec.key)
                cur.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({", ".join(cols)}, PRIMARY KEY ({key}))')
                cur.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}_article" ON "{name}" ("article_id")')
            for col in _INDEXES.get(name, []):
                if col in spec.column_names:
                    cur.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}_{col}" ON "{name}" ("{col}")')
            have = {r[1] for r in cur.execute(f'PRAGMA table_info("{name}")')}
            for c in spec.columns:  # a resumed database written with other --keep-fields
                if c.name not in have:
                    cur.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c.name}" {_SQL_TYPES[c.kind]}')
        from .gazetteer import provinces
        cur.execute("CREATE TABLE IF NOT EXISTS province_map (code TEXT PRIMARY KEY, name TEXT, kind TEXT, "
                    "merged_2025_code TEXT, merged_2025_name TEXT)")
        cur.executemany("INSERT OR REPLACE INTO province_map VALUES (?, ?, ?, ?, ?)",
                        [(p.code, p.name, p.kind, p.merged_2025_code, p.merged_2025_name) for p in provinces().values()])
        for name, sql in _VIEWS.items():
            cur.execute(f'CREATE VIEW IF NOT EXISTS "{name}" AS {sql}')
        self.con.commit()

    def done_ids(self) -> set[str]:
        ids = {r[0] for r in self.con.execute("SELECT article_id FROM articles")}
        ids |= {r[0] for r in self.con.execute("SELECT id FROM errors WHERE id IS NOT NULL")}
        return ids

    def resume_state(self, retry_errors: bool = False) -> tuple[set[str], set[tuple]]:
        """(article ids, keys of error records that stay done): what a resumed run
        skips. Errors of a dying worker or a timeout are retried, so not listed;
        with ``retry_errors`` no error record stays done (``--retry-errors``)."""
        from .batch import RETRIED_ERRORS
        arts = {r[0] for r in self.con.execute("SELECT article_id FROM articles")}
        if retry_errors:
            return arts, set()
        errs = {(i, f, ln) for i, f, ln, e in self.con.execute("SELECT id, file, line, error FROM errors")
                if not str(e).startswith(RETRIED_ERRORS)}
        return arts, errs

    def committed(self) -> dict[str, str]:
        """Where each output file stood at the last commit (see the module doc)."""
        return dict(self.con.execute("SELECT key, value FROM meta WHERE key LIKE 'committed:%'"))

    def write(self, task: Task, result: Any) -> None:
        rows = _rows_for(task, result, self.keep)
        cur = self.con.cursor()
        # the record's own earlier error (retried now) is replaced
        cur.execute('DELETE FROM errors WHERE id IS ? AND file IS ? AND line IS ?',
                    (_sql_value(task.id), _sql_value(task.source), task.line))
        if isinstance(result, Article):
            # a re-extracted id replaces its old rows (tables stay consistent)
            aid = None if task.id is None else str(task.id)
            for name, spec in self.specs.items():
                if name not in ("articles", "errors"):
                    cur.execute(f'DELETE FROM "{name}" WHERE article_id = ?', (aid,))
        for name, rs in rows.items():
            if not rs:
                continue
            spec = self.specs[name]
            enc = [encode_row(spec, r) for r in rs]
            cols = spec.column_names
            if name == "articles":
                for e in enc:
                    e["json"] = result.model_dump_json()
                    e["text"] = task.text
                cols = cols + ["json", "text"]
            verb = "INSERT" if name == "errors" else "INSERT OR REPLACE"
            sql = f'{verb} INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
            cur.executemany(sql, [tuple(_sql_value(e[c]) for c in cols) for e in enc])
        self._pending += 1

    def flush(self, committed: Optional[dict[str, str]] = None) -> None:
        """Commit; ``committed``: how far the other outputs are written (same transaction)."""
        if committed:
            self.con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(committed.items()))
        self.con.commit()
        self._pending = 0

    def close(self, committed: Optional[dict[str, str]] = None) -> None:
        try:
            self.flush(committed)
            self.con.close()
        finally:
            if self._lock is not None:
                self._lock.release()


def _sql_value(v: Any) -> Any:
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return v.encode("utf-8", "backslashreplace").decode("utf-8")
    return v


def out_format(out: Optional[str], fmt: Optional[str] = None) -> str:
    if fmt is None or fmt == "auto":
        ext = Path(out).suffix.lower() if out and out != "-" else ".jsonl"
        fmt = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(ext, "jsonl")
    return fmt


def output_paths(out: Optional[str], fmt: Optional[str] = None) -> list[str]:
    """The files or directories ``--out`` writes to (never to be read as inputs)."""
    if out is None or out == "-":
        return []
    return [out] if out_format(out, fmt) == "jsonl" else [str(table_dir(out))]


def open_writer(out: Optional[str], fmt: Optional[str] = None, include_text: bool = False,
                resume: bool = False, committed: Optional[dict[str, str]] = None, keep: tuple[str, ...] = ()):
    """Writer for ``--out``: format from ``fmt`` or the extension (.jsonl default, .csv, .parquet).
    ``resume``/``committed``: continue the outputs of an earlier run into the same database.
    ``keep``: input fields (``--keep-fields``) added to every record / the articles table."""
    fmt = out_format(out, fmt)
    committed = committed or {}
    if fmt == "jsonl":
        done = committed.get(_committed_key(out)) if out and out != "-" else None
        return JsonlWriter(out, include_text=include_text, resume=resume,
                           committed=None if done is None else int(done))
    if out is None or out == "-":
        raise ValueError(f"--format {fmt} needs --out (a directory name such as out/tables.{fmt})")
    return TableWriter(out, fmt, resume=resume, committed=committed, keep=keep)
