"""Readers: files, directories, globs and stdin in; ``Task`` records out.

Formats (by extension, or ``input_format``): JSONL (``.jsonl``, ``.ndjson``, and
``.json`` holding one object per line or a JSON array), CSV (``.csv``, header row),
plain text (``.txt``, ``.md``, anything else: one article per file, id = file stem),
saved HTML pages (``.html``, ``.htm``: main text via trafilatura, the ``html`` extra).
Standard input (``-``) is JSONL when its first non-blank byte is ``{``, else one text.
Any of them may be compressed (gzip, bzip2, xz; zstd with the ``zstd`` extra), found
by the first bytes; the format is then that of the name without ``.gz``/``.bz2``/...
Field names may be dotted paths into nested JSON objects (``content.text``).

Every input record becomes one ``Task``; a broken one carries ``error`` (malformed
JSON, invalid UTF-8, missing/null/non-string text field, unreadable file ...) and
is reported, never dropped. Blank lines in JSONL are not records.

A record without an id gets ``PATH:LINE`` (the path as given or found by the
directory walk, relative to the working directory when inside it), so files with
the same name in different folders never collide. An id holding lone surrogates
(not valid Unicode) is kept with them escaped (``x\\ud800``), the same in every output.
The date field is read by :func:`vn_reform_extract.datefield.parse_date_field`; a
value that is no date becomes a warning on the task, not an error.
"""
from __future__ import annotations

import bz2
import csv
import glob
import gzip
import io as _io
import itertools
import json
import lzma
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from .batch import Task
from .datefield import parse_date_field

__all__ = ["iter_tasks", "expand_inputs", "count_records", "lookup", "JSONL_EXT", "CSV_EXT", "HTML_EXT"]

JSONL_EXT = {".jsonl", ".ndjson", ".json"}
CSV_EXT = {".csv", ".tsv"}
HTML_EXT = {".html", ".htm", ".xhtml"}
TEXT_EXT = {".txt", ".md", ".text"}
KNOWN_EXT = JSONL_EXT | CSV_EXT | HTML_EXT | TEXT_EXT
COMPRESSED_EXT = {".gz", ".gzip", ".bz2", ".xz", ".lzma", ".zst", ".zstd"}
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
_BZ2_MAGIC = re.compile(rb"BZh[1-9]1AY&SY")
_GLOB_CHARS = set("*?[")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("[\udc80-\udcff]")


def _excluder(exclude: Iterable[str]):
    """A test for "this file is one of our outputs (or inside an output directory)"."""
    paths = [Path(os.path.abspath(e)) for e in exclude if e and e != "-"]
    if not paths:
        return lambda f: False

    def excluded(f: Any) -> bool:
        a = Path(os.path.abspath(f))
        return any(a == p or p in a.parents for p in paths)
    return excluded


def expand_inputs(inputs: Iterable[str], exclude: Iterable[str] = ()) -> Iterator[tuple[str, Optional[str]]]:
    """Yield (path, problem): files in order; directories recursively (known extensions,
    sorted); globs sorted. ``problem`` is set for a path that matches nothing.
    Directory walks and globs skip the paths in ``exclude`` (the run's own outputs)."""
    excluded = _excluder(exclude)
    for inp in inputs:
        inp = str(inp)
        if inp == "-":
            yield inp, None
            continue
        p = Path(inp)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and _suffix(str(f)) in KNOWN_EXT
                           and not any(part.startswith(".") for part in f.relative_to(p).parts)
                           and not excluded(f))
            if not files:
                yield inp, "directory holds no input files (.jsonl .csv .txt .html ...)"
            for f in files:
                yield str(f), None
        elif p.exists():
            yield inp, None
        elif _GLOB_CHARS & set(inp):
            matches = sorted(m for m in glob.glob(inp, recursive=True) if os.path.isfile(m) and not excluded(m))
            if not matches:
                yield inp, "no files match this pattern"
            for m in matches:
                yield m, None
        else:
            yield inp, "no such file or directory"


def _plain_name(path: str) -> str:
    """The file name without a compression suffix: ``a.jsonl.gz`` -> ``a.jsonl``."""
    name = Path(path).name
    root, ext = os.path.splitext(name)
    return root if ext.lower() in COMPRESSED_EXT else name


def _suffix(path: str) -> str:
    return os.path.splitext(_plain_name(path))[1].lower()


def _compression(head: bytes) -> Optional[str]:
    for magic, how in _MAGIC:
        if head.startswith(magic):
            return how
    return "bz2" if _BZ2_MAGIC.match(head) else None


def _zstd():
    try:
        import zstandard
    except ImportError:
        raise ValueError("reading zstd-compressed input needs the zstandard package: "
                         "pip install 'vn_reform_extract[zstd]'") from None
    return zstandard


def _decompress(data: bytes, how: str) -> bytes:
    if how == "gzip":
        return gzip.decompress(data)
    if how == "bz2":
        return bz2.decompress(data)
    if how == "xz":
        return lzma.decompress(data)
    with _zstd().ZstdDecompressor().stream_reader(_io.BytesIO(data)) as r:  # frames may omit their size
        return r.read()


def _open_plain(path: str):
    """A binary file object with the decompressed bytes of ``path``."""
    with open(path, "rb") as fh:
        how = _compression(fh.read(16))
    if how == "gzip":
        return gzip.open(path, "rb")
    if how == "bz2":
        return bz2.open(path, "rb")
    if how == "xz":
        return lzma.open(path, "rb")
    if how == "zstd":
        return _zstd().ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)
    return open(path, "rb")


def _detect(path: str, head: bytes, input_format: str) -> str:
    if input_format != "auto":
        return input_format
    if path == "-":
        return "jsonl" if head.lstrip()[:1] in (b"{", b"[") else "text"
    ext = _suffix(path)
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


def safe_str(s: str) -> str:
    """``s`` with lone surrogates escaped as ``\\udXXX`` (storable as UTF-8 anywhere)."""
    if _SURROGATE.search(s):
        return s.encode("utf-8", "backslashreplace").decode("utf-8")
    return s


def id_path(path: str) -> str:
    """The file part of default ids: the path relative to the working directory when
    inside it, with ``/`` separators."""
    if path == "-":
        return "stdin"
    p = os.path.normpath(path)
    if os.path.isabs(p):
        try:
            rel = os.path.relpath(p)
            if not rel.startswith(".."):
                p = rel
        except ValueError:  # another drive on Windows
            pass
    return safe_str(p.replace(os.sep, "/"))


def lookup(rec: dict, name: str) -> tuple[bool, Any]:
    """(found, value) of a field: the key itself, else a dotted path into nested objects."""
    if name in rec:
        return True, rec[name]
    if "." not in name:
        return False, None
    cur: Any = rec
    for part in name.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


class _Fields:
    def __init__(self, text_field: str, id_field: Optional[str], date_field: Optional[str],
                 keep: tuple[str, ...] = ()):
        self.text, self.id, self.date, self.keep = text_field, id_field, date_field, keep

    def task(self, rec: Any, default_id: str, source: str, line: Optional[int]) -> Task:
        t = Task(id=default_id, source=source, line=line)
        if not isinstance(rec, dict):
            t.error = f"record is a JSON {type(rec).__name__}, not an object"
            return t
        if self.keep:
            t.extra = {k: lookup(rec, k)[1] for k in self.keep}
        if self.id:
            ident = lookup(rec, self.id)[1]
            if ident not in (None, ""):
                t.id = safe_str(str(ident))
        found, text = lookup(rec, self.text)
        if not found:
            t.error = f"missing text field {self.text!r}"
            t.columns = list(rec)
            return t
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
            raw = lookup(rec, self.date)[1]
            try:
                t.published = parse_date_field(raw)
            except ValueError as exc:
                t.warnings.append(f"date field {self.date!r} ignored: {exc}")
            else:
                t.no_date = t.published is None
        return t


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else safe_str(path)


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
        return None if v in (None, "") else safe_str(str(v))
    except (ValueError, RecursionError):
        return None


def _loads(text: str) -> tuple[Any, Optional[str]]:
    """(value, problem) of one JSON document."""
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, f"malformed JSON: {exc}"
    except RecursionError:
        return None, "JSON nested too deeply"


def _iter_jsonl(path: str, data: bytes, fields: _Fields) -> Iterator[Task]:
    src = _name(path)
    stem = id_path(path)
    stripped = data.lstrip()
    if stripped.startswith(b"["):  # a JSON array of records
        try:
            records, problem = _loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Task(id=f"{stem}:1", source=src, line=1, error=_utf8_problem(data, exc))
            return
        if problem:
            yield Task(id=f"{stem}:1", source=src, line=1, error=problem.replace("JSON", "JSON array", 1))
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
        rec, problem = _loads(line)
        if problem:
            yield Task(id=default_id, source=src, line=lineno, error=problem)
            continue
        yield fields.task(rec, default_id, src, lineno)


def _iter_csv(path: str, data: bytes, fields: _Fields) -> Iterator[Task]:
    """Strict CSV: a quote that is never closed (or text after a closing quote) makes
    an error record for the row it starts, and reading resumes on the next line, so a
    broken row never swallows the rows after it."""
    src = _name(path)
    stem = id_path(path)
    text = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delim = "\t" if _suffix(path) == ".tsv" else ","
    lines = _io.StringIO(text, newline="").readlines()

    def reader_at(i: int):
        return csv.reader(itertools.islice(lines, i, None), delimiter=delim, strict=True)

    reader = reader_at(0)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Task(id=f"{stem}:1", source=src, line=1, error=f"malformed CSV header: {exc}")
        return
    base, nxt = 0, reader.line_num  # reader started at lines[base]; next record starts at lines[nxt]
    while True:
        start = nxt + 1  # 1-based line of the record
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Task(id=f"{stem}:{start}", source=src, line=start,
                       error=f"malformed CSV: {exc} (a quote opened on line {start} is not closed properly)")
            base = nxt = start  # resume on the line after the broken record's first line
            reader = reader_at(base)
            continue
        end = base + reader.line_num
        if not row or row == [""]:
            nxt = end
            continue
        if end - nxt > 1 and len(row) != len(header):
            yield Task(id=f"{stem}:{start}", source=src, line=start,
                       error=f"malformed CSV: a quoted field opened on line {start} runs to line {end} "
                             f"and the row has {len(row)} of {len(header)} columns (a missing closing quote?)")
            base = nxt = start
            reader = reader_at(base)
            continue
        nxt = end
        rec: dict[str, Any] = dict(zip(header, row))
        if len(row) < len(header):
            for h in header[len(row):]:
                rec.pop(h, None)
        yield fields.task(rec, f"{stem}:{start}", src, start)


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
    stem = "stdin" if path == "-" else safe_str(os.path.splitext(_plain_name(path))[0])
    try:
        data = _read_bytes(path)
    except OSError as exc:
        yield Task(id=stem, source=src, error=f"cannot read file: {exc.strerror or exc}")
        return
    how = _compression(data[:16])
    if how is not None:
        try:
            data = _decompress(data, how)
        except ValueError as exc:
            yield Task(id=stem, source=src, error=str(exc))
            return
        except Exception as exc:  # corrupt or truncated archive
            yield Task(id=stem, source=src, error=f"cannot decompress ({how}): {exc}")
            return
    kind = _detect(path, data[:64], input_format)
    if kind == "jsonl":
        yield from _iter_jsonl(path, data, fields)
    elif kind == "csv":
        yield from _iter_csv(path, data, fields)
    elif kind == "html":
        text, published, problem = _html_text(data)
        task = Task(id=stem, source=src, text=text, error=problem)
        try:
            task.published = parse_date_field(published)
        except ValueError as exc:
            task.warnings.append(f"page date ignored: {exc}")
        yield task
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Task(id=stem, source=src, error=_utf8_problem(data, exc))
            return
        yield Task(id=stem, source=src, text=text.lstrip("\ufeff"))


def iter_tasks(inputs: Iterable[str], *, text_field: str = "text", id_field: Optional[str] = "id",
               date_field: Optional[str] = "published", input_format: str = "auto",
               max_chars: Optional[int] = None, exclude: Iterable[str] = (),
               keep_fields: Iterable[str] = ()) -> Iterator[Task]:
    """One ``Task`` per input record of every input, in order, with ``position`` set.
    ``exclude``: output paths that directory walks and globs must not read back.
    ``keep_fields``: input fields copied to ``Task.extra`` (None where a record lacks one)."""
    keep = tuple(keep_fields or ())
    fields = _Fields(text_field, id_field, date_field, keep)
    pos = 0
    for path, problem in expand_inputs(inputs, exclude):
        if problem:
            tasks: Iterable[Task] = [Task(id=path, source=path, error=problem)]
        else:
            tasks = _iter_file(path, fields, input_format)
        for t in tasks:
            t.position = pos
            pos += 1
            if keep and len(t.extra) != len(keep):
                t.extra = {k: t.extra.get(k) for k in keep}
            if t.error is None and max_chars is not None and isinstance(t.text, str) and len(t.text) > max_chars:
                t.error = f"text has {len(t.text)} characters, over the limit of {max_chars} (--max-chars)"
            yield t


def count_records(inputs: Iterable[str], input_format: str = "auto", exclude: Iterable[str] = ()) -> Optional[int]:
    """Cheap estimate of the number of records (for progress bars); None for stdin."""
    total = 0
    for path, problem in expand_inputs(inputs, exclude):
        if path == "-":
            return None
        if problem:
            total += 1
            continue
        try:
            with _open_plain(path) as fh:
                kind = _detect(path, fh.read(64), input_format)
            if kind == "jsonl":
                with _open_plain(path) as fh:
                    total += sum(1 for ln in fh if ln.strip())
            elif kind == "csv":
                with _open_plain(path) as fh:
                    rows = csv.reader(_io.TextIOWrapper(fh, "utf-8", errors="replace", newline=""))
                    total += max(0, sum(1 for _ in rows) - 1)
            else:
                total += 1
        except (OSError, ValueError, EOFError):
            total += 1
    return total
