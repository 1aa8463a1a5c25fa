"""``vnre serve out.sqlite``: Datasette on localhost with our plugin, metadata and search.

Before serving, full-text indexes (FTS5, external content, rebuilt each start so that
resumed runs stay searchable) are made over article text and titles (``articles_fts``) and
official names and titles (``officials_fts``); then the database is served read-only.
"""
from __future__ import annotations

import sqlite3
import typing
from pathlib import Path
from typing import Any, Optional

__all__ = ["build_fts", "metadata", "make_app", "main"]

_FACETS = {
    "provinces": ["name"],
    "facts": ["kind", "target", "province_code", "metric_id"],
    "agencies": ["kind", "level", "province_code"],
    "officials": ["agency", "province_code"],
    "dates": ["granularity"],
    "legal_refs": ["doc_type", "issuer"],
    "localities": ["kind", "era", "province_code"],
    "indicator_values": ["indicator", "kind", "status"],
    "indicator_observations": ["indicator", "kind", "province_name"],
    "officials_timeline": ["province_name"],
    "appointments": ["event"],
}
_SORT_DESC = {"articles": "published", "facts": "value", "indicator_values": "n_articles",
              "officials_timeline": "n_articles"}
_LABELS = {"articles": "title"}

_QUERIES = {
    "articles_per_province_over_time": {
        "title": "Articles per province over time",
        "description": "How many articles name each province, per year of publication.",
        "sql": """SELECT p.name AS province, substr(a.published, 1, 4) AS year,
  COUNT(DISTINCT a.article_id) AS articles
FROM provinces p JOIN articles a ON a.article_id = p.article_id
GROUP BY p.name, year ORDER BY p.name, year""",
    },
    "official_titles": {
        "title": "Officials and every title they were seen with",
        "description": "Type part of a name (e.g. Nguyễn) or leave empty for everyone.",
        "sql": """SELECT o.name, t.value AS title, COUNT(DISTINCT o.article_id) AS articles,
  MIN(a.published) AS first_seen, MAX(a.published) AS last_seen
FROM officials o JOIN articles a ON a.article_id = o.article_id, json_each(o.titles) t
WHERE o.name LIKE '%' || :name || '%'
GROUP BY o.name, t.value ORDER BY o.name, first_seen""",
    },
    "money_over_threshold": {
        "title": "Money amounts over a threshold",
        "description": "Amounts (in units of their currency) at or above the threshold, with their article.",
        "sql": """SELECT f.value, f.unit, f.text, f.target, a.published, a.article_id
FROM facts f JOIN articles a ON a.article_id = f.article_id
WHERE f.kind = 'money' AND f.value >= CAST(:threshold AS REAL)
ORDER BY f.value DESC""",
    },
    "reported_vs_target_percentages": {
        "title": "Reported vs target percentages by province",
        "description": "Percent facts per province: how many are reported results and how many targets, with averages.",
        "sql": """SELECT pn.name AS province, SUM(f.target = 0) AS reported, SUM(f.target = 1) AS targets,
  ROUND(AVG(CASE WHEN f.target = 0 THEN f.value END), 2) AS avg_reported,
  ROUND(AVG(CASE WHEN f.target = 1 THEN f.value END), 2) AS avg_target
FROM facts f JOIN (SELECT DISTINCT code, name FROM provinces) pn ON pn.code = f.province_code
WHERE f.kind = 'percent' GROUP BY pn.name ORDER BY reported + targets DESC""",
    },
    "facts_about_a_province": {
        "title": "Every fact about one province",
        "description": "Type a province name as the gazetteer writes it (e.g. Bình Dương, Hồ Chí Minh).",
        "sql": """SELECT f.kind, f.value, f.out_of, f.unit, f.metric, f.target, f.text, a.published, a.article_id
FROM facts f JOIN articles a ON a.article_id = f.article_id
WHERE f.province_code IN (SELECT code FROM provinces WHERE name = :province)
ORDER BY a.published, a.article_id, f.idx""",
    },
}


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def build_fts(path: str) -> dict[str, int]:
    """(Re)build ``articles_fts`` and ``officials_fts``; returns rows indexed per index."""
    con = sqlite3.connect(path)
    out = {}
    try:
        with con:
            for table, wanted in (("articles", ["title", "text"]), ("officials", ["name", "titles"])):
                cols = [c for c in wanted if c in _columns(con, table)]
                if not cols:
                    continue
                fts = f"{table}_fts"
                con.execute(f'DROP TABLE IF EXISTS "{fts}"')
                con.execute(f'CREATE VIRTUAL TABLE "{fts}" USING fts5({", ".join(cols)}, '
                            f'content="{table}", tokenize="unicode61 remove_diacritics 2")')
                con.execute(f"INSERT INTO \"{fts}\"(\"{fts}\") VALUES ('rebuild')")
                out[fts] = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()
    return out


def _descriptions() -> dict[str, dict[str, str]]:
    """Column descriptions per table, from the field descriptions of the schema models."""
    from pydantic import BaseModel

    from ..frames import table_specs
    from ..schema import Article

    def model_of(tp: Any) -> Optional[type]:
        for arg in typing.get_args(tp) or ():
            m = model_of(arg)
            if m:
                return m
        return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None

    out: dict[str, dict[str, str]] = {}
    for name, spec in table_specs().items():
        model = Article
        if spec.field:
            model = model_of(Article.model_fields[spec.field].annotation) or Article
        if spec.parent_field and spec.nested_field:
            parent = model_of(Article.model_fields[spec.parent_field].annotation)
            model = model_of(parent.model_fields[spec.nested_field].annotation) if parent else None
        cols = {}
        for c in spec.column_names:
            f = model.model_fields.get(c) if model else None
            if f is not None and f.description:
                cols[c] = f.description
        cols.setdefault("article_id", "id of the article (input id or file:line)")
        cols.setdefault("idx", "position of the item in its article's list")
        out[name] = cols
    return out


def metadata(path: str) -> dict[str, Any]:
    """Datasette metadata for one ``vnre extract --db`` database."""
    name = Path(path).stem
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        article_cols = _columns(con, "articles") if "articles" in tables else []
    finally:
        con.close()
    desc = _descriptions()
    tmeta: dict[str, Any] = {}
    for t in sorted(tables):
        m: dict[str, Any] = {}
        if t in desc:
            m["columns"] = desc[t]
        if t in _FACETS:
            m["facets"] = _FACETS[t]
        if t in _SORT_DESC:
            m["sort_desc"] = _SORT_DESC[t]
        if t in _LABELS and _LABELS[t] in article_cols:
            m["label_column"] = _LABELS[t]
        if t == "articles" and "articles_fts" in tables:
            m["fts_table"], m["fts_pk"] = "articles_fts", "rowid"
        if t == "officials" and "officials_fts" in tables:
            m["fts_table"], m["fts_pk"] = "officials_fts", "rowid"
        if t.endswith("_fts") or t.startswith("articles_fts_") or t.startswith("officials_fts_"):
            m["hidden"] = True
        if m:
            tmeta[t] = m
    return {
        "title": "vn_reform_extract workbench",
        "description_html": ('Records extracted from Vietnamese government news. '
                             '<a href="/-/vnre/try">Try an article</a> · open an article from the '
                             '<code>articles</code> table to see its text with every mention highlighted.'),
        "databases": {name: {"tables": tmeta, "queries": _QUERIES}},
    }


def make_app(path: str, fts: bool = True):
    """The Datasette ASGI app for ``path`` (read-only), with our metadata."""
    from datasette.app import Datasette
    if fts:
        build_fts(path)
    ds = Datasette([path], metadata=metadata(path), settings={"max_returned_rows": 1000,
                                                              "sql_time_limit_ms": 3000})
    return ds


def main(path: str, host: str = "127.0.0.1", port: int = 8001, fts: bool = True) -> int:
    try:
        import uvicorn
        from datasette.app import Datasette  # noqa: F401
    except ImportError:
        raise SystemExit("vnre serve needs Datasette: pip install 'vn_reform_extract[web]'")
    if not Path(path).is_file():
        raise SystemExit(f"vnre serve: {path}: no such database (write one with `vnre extract ... --db {path}`)")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone()
    finally:
        con.close()
    if not ok:
        raise SystemExit(f"vnre serve: {path} has no 'articles' table: is it a `vnre extract --db` database?")
    ds = make_app(path, fts=fts)
    print(f"vnre workbench on http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
    return 0
