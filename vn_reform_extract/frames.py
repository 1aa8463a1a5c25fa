"""Flat tables from Articles: one table per list field, keyed by article id.

The layout is derived from the pydantic models in :mod:`schema`, so a list field
added to ``Article`` gets its own table with no change here. The same rows feed
``to_frames`` (pandas), the CSV/Parquet writers and the SQLite writer.

Tables
------
``articles``            one row per Article: ``article_id``, the scalar fields
                        (``source``, ``published``, ``schema_version`` ...), input
                        ``file``/``line`` when known, and ``n_<list>`` counts.
``<list>``              one row per item of each list field (``provinces``,
                        ``agencies``, ``officials``, ``authors``, ``dates``, ``facts``,
                        ``legal_refs``, ``sentences``): ``article_id``, ``idx``
                        (position in the list), then the item's scalar fields.
``<item>_<list>``       nested lists of models, e.g. ``official_mentions``:
                        ``article_id``, ``official_idx``, ``idx``, then the fields.
``errors``              one row per ErrorRecord.

Lists of plain values inside an item (``Official.titles``) are kept as Python
lists by ``to_frames`` and JSON-encoded text in CSV, Parquet and SQLite.

Importing this module does not import pandas.
"""
from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

from pydantic import BaseModel

from .schema import Article

__all__ = ["to_frames", "flatten", "table_specs", "TableSpec", "list_fields", "iter_results"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str", "int", "float", "bool", "json"


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]           # columns that identify a row
    field: Optional[str] = None    # Article list field
    parent_field: Optional[str] = None  # for nested lists: Article field of the parent
    nested_field: Optional[str] = None  # for nested lists: field inside the parent item

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _unwrap(tp: Any) -> Any:
    """Optional[X] -> X; Literal[...] -> str (or the literal's type)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or str(origin) == "types.UnionType":
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else tp
    if origin is typing.Literal:
        vals = typing.get_args(tp)
        return type(vals[0]) if vals else str
    return tp


def _model_of_list(tp: Any) -> Optional[type[BaseModel]]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) is list:
        (arg,) = typing.get_args(tp) or (None,)
        arg = _unwrap(arg)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _kind(tp: Any) -> str:
    tp = _unwrap(tp)
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "str"
    return "json"


def list_fields(model: type[BaseModel] = Article) -> dict[str, type[BaseModel]]:
    """Article list fields whose items are models: {"provinces": ProvinceMention, ...}."""
    out = {}
    for name, f in model.model_fields.items():
        sub = _model_of_list(f.annotation)
        if sub is not None:
            out[name] = sub
    return out


def _scalar_columns(model: type[BaseModel]) -> list[Column]:
    return [Column(n, _kind(f.annotation)) for n, f in model.model_fields.items()
            if _model_of_list(f.annotation) is None]


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


_SPECS: dict[tuple[str, ...], dict[str, TableSpec]] = {}


def table_specs(keep: Iterable[str] = ()) -> dict[str, TableSpec]:
    """All flat tables in a fixed order: articles, one per list, nested lists, errors.
    ``keep``: input fields (``--keep-fields``) added as the last columns of ``articles``
    and ``errors``."""
    keep = tuple(keep or ())
    if keep in _SPECS:
        return _SPECS[keep]
    if keep:
        specs = dict(table_specs())
        taken = set(specs["articles"].column_names) | set(specs["errors"].column_names)
        clash = [k for k in keep if k in taken]
        if clash or len(set(keep)) != len(keep):
            raise ValueError(f"kept field {(clash or keep)[0]!r} clashes with a column of the same name "
                             f"(taken: {', '.join(sorted(taken))})")
        extra = tuple(Column(k, "json") for k in keep)
        for name in ("articles", "errors"):
            spec = specs[name]
            specs[name] = TableSpec(name, spec.columns + extra, spec.key)
        _SPECS[keep] = specs
        return specs
    specs = {}
    lists = list_fields(Article)
    art_cols = [Column("article_id", "str")] + _scalar_columns(Article) + [
        Column("file", "str"), Column("line", "int"), Column("n_chars", "int"), Column("warnings", "str")]
    art_cols += [Column(f"n_{name}", "int") for name in lists]
    specs["articles"] = TableSpec("articles", tuple(art_cols), ("article_id",))
    nested: list[TableSpec] = []
    for name, model in lists.items():
        cols = [Column("article_id", "str"), Column("idx", "int")] + _scalar_columns(model)
        specs[name] = TableSpec(name, tuple(cols), ("article_id", "idx"), field=name)
        for sub_name, sub_model in list_fields(model).items():
            parent = _singular(name)
            tname = f"{parent}_{sub_name}"
            scols = [Column("article_id", "str"), Column(f"{parent}_idx", "int"), Column("idx", "int")]
            scols += _scalar_columns(sub_model)
            nested.append(TableSpec(tname, tuple(scols), ("article_id", f"{parent}_idx", "idx"),
                                    parent_field=name, nested_field=sub_name))
    for spec in nested:
        specs[spec.name] = spec
    specs["errors"] = TableSpec("errors", (
        Column("id", "str"), Column("error", "str"), Column("file", "str"),
        Column("line", "int"), Column("position", "int")), ("id",))
    _SPECS[keep] = specs
    return specs


def flatten(article: Article | dict, article_id: Any, *, file: Optional[str] = None,
            line: Optional[int] = None, text: Optional[str] = None,
            kept: Optional[dict[str, Any]] = None,
            warnings: Optional[list[str]] = None) -> dict[str, list[dict[str, Any]]]:
    """Rows for every table (except ``errors``) from one Article; ``kept``: input fields
    for the ``articles`` row (see ``table_specs(keep)``); ``warnings``: what a batch run
    noticed about the input without stopping (an unreadable date field)."""
    specs = table_specs(tuple(kept or ()))
    if isinstance(article, BaseModel):
        if text is None:
            text = getattr(article, "_text", None)
        data = article.model_dump(mode="json")
    else:
        data = dict(article)
    aid = None if article_id is None else str(article_id)
    rows: dict[str, list[dict[str, Any]]] = {}
    art = {"article_id": aid, "file": file, "line": line,
           "n_chars": len(text) if isinstance(text, str) else None,
           "warnings": "; ".join(warnings) if warnings else None, **(kept or {})}
    for col in specs["articles"].columns:
        if col.name in art:
            continue
        if col.name.startswith("n_") and col.name[2:] in specs and specs[col.name[2:]].field:
            art[col.name] = len(data.get(col.name[2:]) or [])
        else:
            art[col.name] = data.get(col.name)
    rows["articles"] = [art]
    for spec in specs.values():
        if spec.field:
            items = data.get(spec.field) or []
            rows[spec.name] = [
                {"article_id": aid, "idx": i, **{c.name: it.get(c.name) for c in spec.columns[2:]}}
                for i, it in enumerate(items)]
        elif spec.parent_field:
            parent = _singular(spec.parent_field)
            out = []
            for pi, it in enumerate(data.get(spec.parent_field) or []):
                for i, sub in enumerate(it.get(spec.nested_field) or []):
                    out.append({"article_id": aid, f"{parent}_idx": pi, "idx": i,
                                **{c.name: sub.get(c.name) for c in spec.columns[3:]}})
            rows[spec.name] = out
    return rows


def error_row(err: Any) -> dict[str, Any]:
    return {"id": err.id, "error": err.error, "file": err.source, "line": err.line, "position": err.position}


def encode_row(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    """JSON-encode list/dict values (for CSV, Parquet, SQLite)."""
    out = {}
    for c in spec.columns:
        v = row.get(c.name)
        if c.kind == "json" and v is not None and not isinstance(v, str):
            v = json.dumps(v, ensure_ascii=False)
        out[c.name] = v
    return out


def iter_results(results: Iterable[Any], ids: Optional[Iterable[Any]] = None) -> Iterator[tuple[Any, Any]]:
    """Normalize what callers pass to ``to_frames``: yields (id, Article | ErrorRecord | dict).

    Accepted items: ``Article``; ``ErrorRecord``; ``(id, Article)``; ``(Article, context)``
    as produced by ``extract_many(..., as_tuples=True)`` (id from ``context["id"]`` when
    the context is a mapping, or the context itself when it is a str/int); dicts in the
    ``vnre extract`` JSONL shape ``{"id", "article"}`` / ``{"id", "error"}``.
    Without an id the position in the stream is used.
    """
    from .batch import ErrorRecord
    id_iter = iter(ids) if ids is not None else None
    for pos, item in enumerate(results):
        given = next(id_iter) if id_iter is not None else None
        rid, obj = None, item
        if isinstance(item, tuple) and len(item) == 2:
            a, b = item
            if isinstance(a, (Article, ErrorRecord)):
                obj = a
                if isinstance(b, dict):
                    rid = b.get("id")
                elif isinstance(b, (str, int)):
                    rid = b
            else:
                rid, obj = a, b
        elif isinstance(item, dict) and ("article" in item or "error" in item):
            rid = item.get("id")
            if "article" in item:
                obj = item["article"]
            else:
                obj = ErrorRecord(id=None if rid is None else str(rid), error=str(item["error"]),
                                  source=item.get("source"), line=item.get("line"), position=item.get("position"))
        if isinstance(obj, ErrorRecord) and rid is None:
            rid = obj.id
        if given is not None:
            rid = given
        if rid is None:
            rid = pos
        yield rid, obj


def _kept_values(item: Any, keep: tuple[str, ...]) -> dict[str, Any]:
    """``keep`` fields from an ``(result, context)`` pair's mapping context, or from the
    ``input`` object of a ``vnre extract --keep-fields`` JSONL line."""
    src: Any = None
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], dict):
        src = item[1]
    elif isinstance(item, dict):
        src = item.get("input")
    if not isinstance(src, dict):
        return {k: None for k in keep}
    from .io import lookup
    return {k: lookup(src, k)[1] for k in keep}


def to_frames(results: Iterable[Any], ids: Optional[Iterable[Any]] = None,
              by_2025_province: bool = False, keep_fields: Iterable[str] = ()) -> dict[str, Any]:
    """A dict of pandas DataFrames, one per table of :func:`table_specs` (see module doc).

    ``results`` may be Articles, ErrorRecords, ``(id, Article)`` pairs, the
    ``(result, context)`` tuples of ``extract_many(as_tuples=True)``, or parsed
    ``vnre extract`` JSONL lines. Every table is present, with typed columns, even when empty.

    With ``by_2025_province``, every table with a province (``provinces``, ``localities``,
    ``agencies``, ``officials``, ``facts``) also gets ``province_2025_code`` and
    ``province_2025_name``: the unit of the 2025 map its 63-era province belongs to
    (a 2019 fact about Bình Dương falls under Hồ Chí Minh), and ``articles`` a ``year``.
    ``keep_fields``: context keys (or the ``input`` fields of JSONL lines written with
    ``--keep-fields``) to add as columns of ``articles`` and ``errors``.
    """
    import pandas as pd
    from .batch import ErrorRecord
    keep = tuple(keep_fields or ())
    specs = table_specs(keep)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    items: Iterable[Any] = results
    kept_of: list[dict[str, Any]] = []
    if keep:
        def remember(it: Iterable[Any]) -> Iterator[Any]:
            for x in it:
                kept_of.append(_kept_values(x, keep))
                yield x
        items = remember(results)
    for rid, obj in iter_results(items, ids):
        kept = kept_of.pop() if keep else None
        if isinstance(obj, ErrorRecord):
            r = error_row(obj)
            r["id"] = str(rid) if rid is not None else None
            rows["errors"].append({**r, **(kept or {})})
        else:
            for name, rs in flatten(obj, rid, kept=kept).items():
                rows[name].extend(rs)
    dtypes = {"str": "object", "int": "Int64", "float": "float64", "bool": "boolean", "json": "object"}
    frames = {}
    for name, spec in specs.items():
        df = pd.DataFrame(rows[name], columns=spec.column_names)
        frames[name] = df.astype({c.name: dtypes[c.kind] for c in spec.columns})
    if by_2025_province:
        _add_2025_provinces(frames)
    return frames


def _add_2025_provinces(frames: dict[str, Any]) -> None:
    from .gazetteer import provinces
    provs = provinces()
    new_names = {p.merged_2025_code: p.merged_2025_name for p in provs.values()}
    code_of = {c: p.merged_2025_code for c, p in provs.items()}
    for name, df in frames.items():
        col = "code" if name == "provinces" else "province_code"
        if col not in df.columns:
            continue
        new = df[col].map(code_of)
        if "merged_2025_province_code" in df.columns:  # a 2025 commune across old provinces
            new = new.fillna(df["merged_2025_province_code"])
        df["province_2025_code"] = new.astype("object")
        df["province_2025_name"] = new.map(new_names).astype("object")
    arts = frames["articles"]
    arts["year"] = arts["published"].str[:4]
