"""Dask: the same extraction on a bag or a dataframe, on one machine or a cluster.

    import dask.bag as db
    from vn_reform_extract.dask_integration import extract_bag, extract_frames

    bag = db.read_text("data/*.jsonl").map(json.loads)
    results = extract_bag(bag)                  # bag of Article | ErrorRecord, in order
    tables = extract_frames(ddf, text_column="text", id_column="id")
    provinces = tables["provinces"].compute()   # dask DataFrames, one per flat table

Results are identical to ``extract_many`` over the same records. Work happens in
``map_partitions``; each partition runs ``vn_reform_extract.batch.run_tasks``
serially (let Dask provide the parallelism), so any scheduler works: threads,
processes, or ``dask.distributed`` (workers need ``vn_reform_extract`` installed).
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from .batch import ErrorRecord, Task, run_tasks

__all__ = ["extract_bag", "extract_frames", "extract_partition", "frames_partition"]


def _task(rec: Any, pos: int, text_field: str, id_field: Optional[str], date_field: Optional[str]) -> Task:
    if isinstance(rec, str) or not isinstance(rec, dict):
        t = Task(text=rec, position=pos)
        if isinstance(rec, (bytes, bytearray)):
            t.error = "text is bytes, not a string; decode it first"
        return t
    t = Task(position=pos)
    if id_field and rec.get(id_field) is not None:
        t.id = str(rec[id_field])
    if date_field:
        d = rec.get(date_field)
        t.published = None if d is None or d == "" or d != d else d  # NaN -> None
    if text_field not in rec:
        t.error = f"missing text field {text_field!r}"
    else:
        t.text = rec[text_field]
    return t


def extract_partition(records: Iterable[Any], text_field: str = "text", id_field: Optional[str] = "id",
                      date_field: Optional[str] = "published", as_json: bool = False,
                      max_chars: Optional[int] = None) -> list[Any]:
    """Extract one partition of texts or dict records; one result per record."""
    tasks = [_task(r, i, text_field, id_field, date_field) for i, r in enumerate(records)]
    out = []
    for task, result in run_tasks(tasks, max_chars=max_chars):
        if isinstance(result, ErrorRecord):
            result.position = None  # a position inside one partition would mislead
        if as_json:
            if isinstance(result, ErrorRecord):
                out.append(result.to_json())
            else:
                out.append({"id": task.id, "article": result.model_dump(mode="json")})
        else:
            out.append(result)
    return out


def extract_bag(bag: Any, *, text_field: str = "text", id_field: Optional[str] = "id",
                date_field: Optional[str] = "published", as_json: bool = False,
                max_chars: Optional[int] = None) -> Any:
    """A dask Bag of ``Article | ErrorRecord`` (or JSON dicts with ``as_json=True``),
    one per item of ``bag`` (texts or dict records), order kept."""
    return bag.map_partitions(extract_partition, text_field=text_field, id_field=id_field,
                              date_field=date_field, as_json=as_json, max_chars=max_chars)


def frames_partition(pdf: Any, text_column: str, id_column: Optional[str], date_column: Optional[str],
                     max_chars: Optional[int] = None) -> dict[str, Any]:
    """pandas DataFrame partition -> dict of pandas DataFrames (``to_frames`` tables)."""
    from .frames import to_frames
    records = pdf.to_dict("records")
    results = extract_partition(records, text_column, id_column, date_column, max_chars=max_chars)
    if id_column and id_column in pdf.columns:
        ids = [None if v is None or v != v else str(v) for v in pdf[id_column]]
    else:
        ids = [str(i) for i in pdf.index]
    ids = [i if i is not None else f"row:{k}" for k, i in zip(pdf.index, ids)]
    return _json_lists(to_frames(results, ids=ids))


def _json_lists(frames: dict[str, Any]) -> dict[str, Any]:
    """List cells (``Official.titles``) as JSON text: Dask turns object columns into
    strings, which would store a list's repr."""
    from .frames import table_specs
    specs = table_specs()
    for name, df in frames.items():
        for col in specs[name].columns:
            if col.kind == "json":
                df[col.name] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in df[col.name]]
    return frames


def _meta() -> dict[str, Any]:
    from .frames import to_frames
    return _json_lists(to_frames([]))


def extract_frames(ddf: Any, *, text_column: str = "text", id_column: Optional[str] = "id",
                   date_column: Optional[str] = "published", max_chars: Optional[int] = None) -> dict[str, Any]:
    """Flat tables as dask DataFrames (``articles``, ``provinces``, ..., ``errors``).

    Extraction runs once per partition and feeds every table when they are computed
    together (``dask.compute(*tables.values())``) or after ``dask.persist``; computing
    tables one by one re-runs it. Without an id column, ids are the dataframe index.
    Cells holding lists (``officials.titles``) are JSON text, as in CSV/Parquet/SQLite.
    """
    import dask
    import dask.dataframe as dd
    from operator import getitem

    if date_column and date_column not in ddf.columns:
        date_column = None
    parts = ddf.to_delayed()
    per_part = [dask.delayed(frames_partition)(p, text_column, id_column, date_column, max_chars) for p in parts]
    meta = _meta()
    return {name: dd.from_delayed([dask.delayed(getitem)(r, name) for r in per_part], meta=m,
                                  verify_meta=False)
            for name, m in meta.items()}
