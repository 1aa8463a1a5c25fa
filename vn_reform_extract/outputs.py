"""Writers for ``vnre extract`` results: JSONL, CSV/Parquet table sets, SQLite.

All writers take ``write(task, result)`` calls in input order, ``flush()`` at
batch boundaries and ``close()``; each leaves valid output when interrupted
(JSONL is flushed per line, SQLite is committed per batch, CSV is flushed per
batch, Parquet writes one row group per batch and its footer on close).

JSONL line shapes::

    {"id": "...", "source": "in.jsonl", "line": 3, "article": {...}}
    {"id": "...", "error": "malformed JSON: ...", "line": 4, "source": "in.jsonl"}

Table sets (``--out NAME.csv`` / ``--out NAME.parquet``): a directory ``NAME/``
holding one file per table of :func:`vn_reform_extract.frames.table_specs`
(``articles.csv``, ``provinces.csv``, ..., ``official_mentions.csv``, ``errors.csv``).

SQLite (``--db FILE``): the same tables, plus ``articles.json`` (the full Article)
and ``articles.text``; indexes on ``provinces(code)``, ``facts(kind)`` and every
``article_id``. Ids already present in ``articles`` or ``errors`` are what
``done_ids()`` returns, for resuming.
"""
from __future__ import annotations

import csv
import json
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
        return out
    out: dict[str, Any] = {"id": task.id}
    if task.source is not None:
        out["source"] = task.source
    if task.line is not None:
        out["line"] = task.line
    out["article"] = result.model_dump(mode="json")
    if include_text:
        out["text"] = task.text
    return out


class JsonlWriter:
    def __init__(self, target: Any = None, include_text: bool = False):
        self.include_text = include_text
        if target is None or target == "-":
            self.fh: IO[str] = sys.stdout
            self._own = False
        else:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(target, "w", encoding="utf-8", errors="backslashreplace", newline="\n")
            self._own = True

    def write(self, task: Task, result: Any) -> None:
        line = json.dumps(result_json(task, result, self.include_text), ensure_ascii=False)
        try:
            self.fh.write(line + "\n")
        except UnicodeEncodeError:
            self.fh.write(json.dumps(result_json(task, result, self.include_text)) + "\n")
        self.fh.flush()

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        self.fh.flush()
        if self._own:
            self.fh.close()


def _rows_for(task: Task, result: Any) -> dict[str, list[dict[str, Any]]]:
    if isinstance(result, ErrorRecord):
        return {"errors": [{"id": result.id, "error": result.error, "file": result.source,
                            "line": result.line, "position": result.position}]}
    return flatten(result, task.id, file=task.source, line=task.line, text=task.text)


def table_dir(out: str) -> Path:
    """``out/x.csv`` -> ``out/x`` (the directory that holds the tables)."""
    p = Path(out)
    return p.with_suffix("") if p.suffix.lower() in (".csv", ".parquet", ".pq") else p


class TableWriter:
    """One CSV or Parquet file per table inside a directory."""

    def __init__(self, out: str, fmt: str):
        self.fmt = fmt
        self.dir = table_dir(out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.specs = table_specs()
        self._buf: dict[str, list[dict[str, Any]]] = {n: [] for n in self.specs}
        self._files: dict[str, Any] = {}
        if fmt == "csv":
            for name, spec in self.specs.items():
                fh = open(self.dir / f"{name}.csv", "w", encoding="utf-8", errors="backslashreplace", newline="")
                w = csv.DictWriter(fh, fieldnames=spec.column_names)
                w.writeheader()
                self._files[name] = (fh, w)
        elif fmt == "parquet":
            import pyarrow as pa  # noqa: F401  (fail early when missing)
            self._schemas = {n: self._arrow_schema(s) for n, s in self.specs.items()}
        else:
            raise ValueError(f"unknown table format {fmt!r}")

    @staticmethod
    def _arrow_schema(spec: TableSpec):
        import pyarrow as pa
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "json": pa.string()}
        return pa.schema([(c.name, types[c.kind]) for c in spec.columns])

    def write(self, task: Task, result: Any) -> None:
        for name, rows in _rows_for(task, result).items():
            spec = self.specs[name]
            self._buf[name].extend(encode_row(spec, r) for r in rows)

    def flush(self) -> None:
        if self.fmt == "csv":
            for name, rows in self._buf.items():
                fh, w = self._files[name]
                w.writerows(rows)
                fh.flush()
                rows.clear()
            return
        import pyarrow as pa
        import pyarrow.parquet as pq
        for name, rows in self._buf.items():
            if name not in self._files:
                self._files[name] = pq.ParquetWriter(str(self.dir / f"{name}.parquet"), self._schemas[name])
            if rows:
                self._files[name].write_table(pa.Table.from_pylist(rows, schema=self._schemas[name]))
                rows.clear()

    def close(self) -> None:
        self.flush()
        for name, f in self._files.items():
            if self.fmt == "csv":
                f[0].close()
            else:
                f.close()


_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "json": "TEXT"}
_INDEXES = {"provinces": ["code"], "facts": ["kind"], "agencies": ["name"], "officials": ["name"],
            "errors": ["id"], "dates": ["value"]}


class SqliteWriter:
    """Normalized tables in one SQLite file; committed every ``flush()``."""

    def __init__(self, path: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.specs = table_specs()
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
                cur.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}_{col}" ON "{name}" ("{col}")')
        self.con.commit()

    def done_ids(self) -> set[str]:
        ids = {r[0] for r in self.con.execute("SELECT article_id FROM articles")}
        ids |= {r[0] for r in self.con.execute("SELECT id FROM errors WHERE id IS NOT NULL")}
        return ids

    def write(self, task: Task, result: Any) -> None:
        rows = _rows_for(task, result)
        cur = self.con.cursor()
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

    def flush(self) -> None:
        self.con.commit()
        self._pending = 0

    def close(self) -> None:
        self.con.commit()
        self.con.close()


def _sql_value(v: Any) -> Any:
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return v.encode("utf-8", "backslashreplace").decode("utf-8")
    return v


def open_writer(out: Optional[str], fmt: Optional[str] = None, include_text: bool = False):
    """Writer for ``--out``: format from ``fmt`` or the extension (.jsonl default, .csv, .parquet)."""
    if fmt is None or fmt == "auto":
        ext = Path(out).suffix.lower() if out and out != "-" else ".jsonl"
        fmt = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(ext, "jsonl")
    if fmt == "jsonl":
        return JsonlWriter(out, include_text=include_text)
    if out is None or out == "-":
        raise ValueError(f"--format {fmt} needs --out (a directory name such as out/tables.{fmt})")
    return TableWriter(out, fmt)
