"""Readers: files, directories, globs and stdin in; ``Task`` records out.

Formats (by extension, or ``input_format``): JSONL (``.jsonl``, ``.ndjson``, and
``.json`` holding one object per line or a JSON array), CSV (``.csv``, header row),
plain text (``.txt``, ``.md``, anything else: one article per file, id = file stem),
saved HTML pages (``.html``, ``.htm``: main text via trafilatura, the ``html`` extra).
Standard input (``-``) is JSONL when its first non-blank byte is ``{``, else one text.

Every input record becomes one ``Task``; a broken one carries ``error`` (malformed
JSON, invalid UTF-8, missing/null/non-string text field, unreadable file ...) and
is reported, never dropped. Blank lines in JSONL are not records.
"""
from __future__ import annotations

import csv
import glob
import io as _io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from .batch import Task

__all__ = ["iter_tasks", "expand_inputs", "count_records", "JSONL_EXT", "CSV_EXT", "HTML_EXT"]

JSONL_EXT = {".jsonl", ".ndjson", ".json"}
CSV_EXT = {".csv", ".tsv"}
HTML_EXT = {".html", ".htm", ".xhtml"}
TEXT_EXT = {".txt", ".md", ".text"}
KNOWN_EXT = JSONL_EXT | CSV_EXT | HTML_EXT | TEXT_EXT
_GLOB_CHARS = set("*?[")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("[\udc80-\udcff]")


def expand_inputs(inputs: Iterable[str]) -> Iterator[tuple[str, Optional[str]]]:
    """Yield (path, problem): files in order; directories recursively (known extensions,
    sorted); globs sorted. ``problem`` is set for a path that matches nothing."""
    for inp in inputs:
        inp = str(inp)
        if inp == "-":
            yield inp, None
            continue
        p = Path(inp)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in KNOWN_EXT
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not files:
                yield inp, "directory holds no input files (.jsonl .csv .txt .html ...)"
            for f in files:
                yield str(f), None
        elif p.exists():
            yield inp, None
        elif _GLOB_CHARS & set(inp):
            matches = sorted(m for m in glob.glob(inp, recursive=True) if os.path.isfile(m))
            if not matches:
                yield inp, "no files match this pattern"
            for m in matches:
                yield m, None
        else:
            yield inp, "no such file or directory"


def _detect(path: str, head: bytes, input_format: str) -> str:
    if input_format != "auto":
        return input_format
    if path == "-":
        return "jsonl" if head.lstrip()[:1] in (b"{", b"[") else "text"
    ext = Path(path).suffix.lower()
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in CSV_EXT:
        return "csv"
    if ext in HTML_EXT:
        return "html"
    return "text"


def _utf8_problem(data: bytes, exc: UnicodeDecodeError, line_start: Optional[int] = None) -> str:
    where = f"byte {exc.start}" if line_start is None else f"byte {exc.start} of the line (file offset {line_start + exc.start})"
    return f"invalid UTF-8 at {where}: {data[exc.start:exc.start + 4]!r}"


class _Fields:
    def __init__(self, text_field: str, id_field: Optional[str], date_field: Optional[str]):
        self.text, self.id, self.date = text_field, id_field, date_field

    def task(self, rec: Any, default_id: str, source: str, line: Optional[int]) -> Task:
        t = Task(id=default_id, source=source, line=line)
        if not isinstance(rec, dict):
            t.error = f"record is a JSON {type(rec).__name__}, not an object"
            return t
        if self.id and rec.get(self.id) not in (None, ""):
            t.id = str(rec[self.id])
        if self.text not in rec:
            t.error = f"missing text field {self.text!r}"
            return t
        text = rec[self.text]
        if text is None:
            t.error = f"text field {self.text!r} is null"
        elif not isinstance(text, str):
            t.error = f"text field {self.text!r} is {type(text).__name__}, not a string"
        elif _SURROGATE.search(text):
            t.error = (f"text field {self.text!r} holds invalid UTF-8 bytes" if _ESCAPED.search(text)
                       else f"text field {self.text!r} holds lone surrogates (not valid Unicode)")
        else:
            t.text = text
        if self.date:
            d = rec.get(self.date)
            t.published = d if d not in ("",) else None
        return t


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def _salvage_id(raw: bytes, id_field: Optional[str]) -> Optional[str]:
    """The record's id from a line that is not valid UTF-8, when the rest parses."""
    if not id_field:
        return None
    try:
        rec = json.loads(raw.decode("utf-8", errors="replace"))
        v = rec.get(id_field) if isinstance(rec, dict) else None
        return None if v in (None, "") else str(v)
    except ValueError:
        return None


def _iter_jsonl(path: str, data: bytes, fields: _Fields) -> Iterator[Task]:
    src = _name(path)
    stem = "stdin" if path == "-" else Path(path).stem
    stripped = data.lstrip()
    if stripped.startswith(b"["):  # a JSON array of records
        try:
            records = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Task(id=f"{stem}:1", source=src, line=1, error=_utf8_problem(data, exc))
            return
        except ValueError as exc:
            yield Task(id=f"{stem}:1", source=src, line=1, error=f"malformed JSON array: {exc}")
            return
        if isinstance(records, list):
            for i, rec in enumerate(records):
                yield fields.task(rec, f"{stem}:{i + 1}", src, i + 1)
            return
    offset = 0
    for lineno, raw in enumerate(data.splitlines(keepends=True), 1):
        start, offset = offset, offset + len(raw)
        if not raw.strip():
            continue
        default_id = f"{stem}:{lineno}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Task(id=_salvage_id(raw, fields.id) or default_id, source=src, line=lineno,
                       error=_utf8_problem(raw, exc, start))
            continue
        line = line.rstrip("\r\n").lstrip("\ufeff")  # a BOM also starts concatenated files
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            yield Task(id=default_id, source=src, line=lineno, error=f"malformed JSON: {exc}")
            continue
        yield fields.task(rec, default_id, src, lineno)


def _iter_csv(path: str, data: bytes, fields: _Fields) -> Iterator[Task]:
    src = _name(path)
    stem = "stdin" if path == "-" else Path(path).stem
    text = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delim = "\t" if path.lower().endswith(".tsv") else ","
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Task(id=f"{stem}:1", source=src, line=1, error=f"malformed CSV header: {exc}")
        return
    prev = reader.line_num
    while True:
        start = prev + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Task(id=f"{stem}:{start}", source=src, line=start, error=f"malformed CSV: {exc}")
            prev = reader.line_num
            continue
        prev = reader.line_num
        if not row or row == [""]:
            continue
        rec: dict[str, Any] = dict(zip(header, row))
        if len(row) < len(header):
            for h in header[len(row):]:
                rec.pop(h, None)
        task = fields.task(rec, f"{stem}:{start}", src, start)
        if task.error is None and task.id and _SURROGATE.search(task.id):
            task.error = "id field holds invalid UTF-8 bytes"
        yield task


def _html_text(data: bytes) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(text, published, problem) for a saved HTML page."""
    try:
        import trafilatura
    except ImportError:
        return None, None, ("reading HTML needs trafilatura, which is not installed: "
                            "pip install 'vn_reform_extract[html]'")
    html = data.decode("utf-8", errors="replace")
    text = trafilatura.extract(html, include_comments=False, include_tables=True)
    if not text:
        return None, None, "no main text found in the HTML page"
    published = None
    try:
        meta = trafilatura.extract_metadata(html)
        published = getattr(meta, "date", None) if meta is not None else None
    except Exception:
        published = None
    return text, published, None


def _iter_file(path: str, fields: _Fields, input_format: str) -> Iterator[Task]:
    src = _name(path)
    stem = "stdin" if path == "-" else Path(path).stem
    try:
        data = _read_bytes(path)
    except OSError as exc:
        yield Task(id=stem, source=src, error=f"cannot read file: {exc.strerror or exc}")
        return
    kind = _detect(path, data[:64], input_format)
    if kind == "jsonl":
        yield from _iter_jsonl(path, data, fields)
    elif kind == "csv":
        yield from _iter_csv(path, data, fields)
    elif kind == "html":
        text, published, problem = _html_text(data)
        yield Task(id=stem, source=src, text=text, published=published, error=problem)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Task(id=stem, source=src, error=_utf8_problem(data, exc))
            return
        yield Task(id=stem, source=src, text=text.lstrip("\ufeff"))


def iter_tasks(inputs: Iterable[str], *, text_field: str = "text", id_field: Optional[str] = "id",
               date_field: Optional[str] = "published", input_format: str = "auto",
               max_chars: Optional[int] = None) -> Iterator[Task]:
    """One ``Task`` per input record of every input, in order, with ``position`` set."""
    fields = _Fields(text_field, id_field, date_field)
    pos = 0
    for path, problem in expand_inputs(inputs):
        if problem:
            tasks: Iterable[Task] = [Task(id=path, source=path, error=problem)]
        else:
            tasks = _iter_file(path, fields, input_format)
        for t in tasks:
            t.position = pos
            pos += 1
            if t.error is None and max_chars is not None and isinstance(t.text, str) and len(t.text) > max_chars:
                t.error = f"text has {len(t.text)} characters, over the limit of {max_chars} (--max-chars)"
            yield t


def count_records(inputs: Iterable[str], input_format: str = "auto") -> Optional[int]:
    """Cheap estimate of the number of records (for progress bars); None for stdin."""
    total = 0
    for path, problem in expand_inputs(inputs):
        if path == "-":
            return None
        if problem:
            total += 1
            continue
        try:
            with open(path, "rb") as fh:
                head = fh.read(64)
                kind = _detect(path, head, input_format)
                if kind == "jsonl":
                    fh.seek(0)
                    total += sum(1 for ln in fh if ln.strip())
                elif kind == "csv":
                    fh.seek(0)
                    total += max(0, sum(1 for _ in csv.reader(_io.TextIOWrapper(fh, "utf-8", errors="replace", newline=""))) - 1)
                else:
                    total += 1
        except OSError:
            total += 1
    return total
