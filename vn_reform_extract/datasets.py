"""From articles to datasets: reform indicators and officials over time.

``build_datasets(results)`` turns any set of Articles (what ``extract_many`` yields, ``(id,
Article)`` pairs, the ``vnre extract`` JSONL records ...) into four pandas DataFrames;
``update_sqlite(path)`` (``vnre datasets out.sqlite``) adds the same tables to a database that
``vnre extract --db`` wrote, re-reading only the articles that are new or changed since the
last run.

Tables
------
``indicator_observations``  one row per fact tied to a canonical indicator (``metric_id``):
                            indicator, kind, value, out_of, target, province (63-era code and
                            2025 unit), period and its first/last year, article id, published,
                            the exact text and its offsets.
``indicator_values``        one row per indicator x province x period x kind over reported
                            (not target) observations: the agreed value (the one most articles
                            give), ``n_articles``, ``n_observations``, ``status`` ("single",
                            "agree", "conflict") and ``conflicting_values`` (JSON).
``officials_timeline``      one row per person x title: a person is a name within one province
                            (people with one name in two provinces stay apart; a mention with
                            no province joins the name's only provincial person when they share
                            a title); first and last publication dates seen, articles.
``appointments``            personnel events the text states (:mod:`appointments`).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any, Iterable, Optional

import regex

from .appointments import find_appointments
from .frames import iter_results
from .gazetteer import acronyms, province_by_name, provinces
from .indicators import indicators
from .schema import Article
from .textnorm import key

__all__ = ["build_datasets", "article_rows", "aggregate", "update_sqlite", "DATASET_TABLES"]

DATASET_TABLES = ("indicator_observations", "indicator_values", "officials_timeline", "appointments")
_PER_ARTICLE = ("indicator_observations", "appointments", "official_appearances")

_OBS_COLUMNS = ["article_id", "published", "fact_idx", "indicator", "indicator_name", "kind", "value",
                "out_of", "unit", "target", "province_code", "province_name", "province_2025_code",
                "province_2025_name", "period", "year_from", "year_to", "text", "start", "end"]
_APP_COLUMNS = ["article_id", "published", "idx", "event", "person", "post", "date", "date_source",
                "text", "start", "end"]
_SEEN_COLUMNS = ["article_id", "published", "official_idx", "name", "name_key", "title", "title_key",
                 "agency", "province_code"]
_VAL_COLUMNS = ["indicator", "indicator_name", "province_code", "province_name", "province_2025_code",
                "province_2025_name", "period", "year_from", "year_to", "kind", "value", "out_of",
                "n_articles", "n_observations", "status", "conflicting_values", "article_ids"]
_TL_COLUMNS = ["person_id", "name", "title", "agency", "province_code", "province_name", "first_seen",
               "last_seen", "n_articles", "article_ids"]
COLUMNS = {"indicator_observations": _OBS_COLUMNS, "appointments": _APP_COLUMNS,
           "official_appearances": _SEEN_COLUMNS, "indicator_values": _VAL_COLUMNS,
           "officials_timeline": _TL_COLUMNS}

_YEARS = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


# ------------------------------------------------------------------ per article

def article_rows(article_id: str, article: Article, text: Optional[str] = None) -> dict[str, list[dict]]:
    """The per-article rows of the dataset tables (``text`` is needed for appointments)."""
    pub = article.published
    obs = []
    table = indicators()
    for i, f in enumerate(article.facts):
        if not getattr(f, "metric_id", None):
            continue
        p63 = provinces().get(f.province_code) if f.province_code else None
        y0, y1 = _years(f.period)
        obs.append({
            "article_id": article_id, "published": pub, "fact_idx": i, "indicator": f.metric_id,
            "indicator_name": table[f.metric_id].name if f.metric_id in table else None,
            "kind": f.kind, "value": f.value, "out_of": f.out_of, "unit": f.unit, "target": bool(f.target),
            "province_code": f.province_code, "province_name": p63.name if p63 else None,
            "province_2025_code": (p63.merged_2025_code or None) if p63 else None,
            "province_2025_name": (p63.merged_2025_name or None) if p63 else None,
            "period": f.period, "year_from": y0, "year_to": y1, "text": f.text, "start": f.start, "end": f.end})
    apps = []
    if text is None:
        text = article._text
    if text:
        for i, a in enumerate(find_appointments(text, article)):
            apps.append({"article_id": article_id, "published": pub, "idx": i, "event": a.event,
                         "person": a.person, "post": a.post, "date": a.date, "date_source": a.date_source,
                         "text": a.text, "start": a.start, "end": a.end})
    seen = []
    for i, o in enumerate(article.officials):
        for t in o.titles or [None]:
            seen.append({"article_id": article_id, "published": pub, "official_idx": i, "name": o.name,
                         "name_key": key(" ".join(o.name.split())), "title": t,
                         "title_key": title_key(t) if t else None, "agency": o.agency,
                         "province_code": o.province_code})
    return {"indicator_observations": obs, "appointments": apps, "official_appearances": seen}


def _years(period: Optional[str]) -> tuple[Optional[int], Optional[int]]:
    if not period:
        return None, None
    years = [int(y) for y in _YEARS.findall(period)]
    if not years:
        return None, None
    return years[0], years[-1]


@lru_cache(maxsize=4096)
def title_key(title: str) -> str:
    """Comparison key of a title: acronyms expanded, official tone placement, lower case, and a
    trailing province name dropped ("Chủ tịch UBND tỉnh Bình Dương" ~ "Chủ tịch Ủy ban nhân dân tỉnh")."""
    t = " ".join(title.split())
    for short, full in _acronym_items():
        t = regex.sub(rf"(?<!\w){regex.escape(short)}(?!\w)", full, t)
    words = key(t).split()
    # a trailing province ("... tỉnh Bình Dương", "Thành ủy TP.HCM") and its type word
    for n in range(min(5, len(words) - 1), 0, -1):
        if province_by_name(" ".join(words[-n:])) is not None:
            words = words[:-n]
            break
    while len(words) > 1 and words[-1] in _PLACE_WORDS:
        words = words[:-1]
    if len(words) > 2 and words[-2:] == ["thành", "phố"]:
        words = words[:-2]
    return " ".join(words)


_PLACE_WORDS = {"tỉnh", "tp", "tp."}


@lru_cache(maxsize=None)
def _acronym_items() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((a, e) for a, e in acronyms().items() if a.isupper() and len(a) >= 3),
                        key=lambda ae: -len(ae[0])))


# ------------------------------------------------------------------ aggregates

def aggregate(observations: list[dict], appearances: list[dict]) -> dict[str, list[dict]]:
    """``indicator_values`` and ``officials_timeline`` rows from the per-article rows."""
    return {"indicator_values": _indicator_values(observations),
            "officials_timeline": _timeline(appearances)}


def _indicator_values(observations: list[dict]) -> list[dict]:
    cells: dict[tuple, list[dict]] = defaultdict(list)
    for o in observations:
        if o["target"]:
            continue
        cells[(o["indicator"], o["province_code"] or "", o["period"] or "", o["kind"])].append(o)
    out = []
    for (ind, prov, period, kind), obs in sorted(cells.items()):
        # each article counts with the first value it gives for the cell (its headline figure);
        # conflicts are between articles
        first_of: dict[str, dict] = {}
        for o in sorted(obs, key=lambda o: (str(o["article_id"]), o["start"])):
            first_of.setdefault(str(o["article_id"]), o)
        by_value: dict[tuple, set] = defaultdict(set)
        for aid, o in first_of.items():
            by_value[(round(o["value"], 2), o["out_of"])].add(aid)
        ranked = sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0][0], kv[0][1] or 0))
        (value, out_of), _ = ranked[0]
        articles = sorted({str(o["article_id"]) for o in obs})
        status = "conflict" if len(ranked) > 1 else ("agree" if len(articles) > 1 else "single")
        first = obs[0]
        out.append({
            "indicator": ind, "indicator_name": first["indicator_name"], "province_code": prov or None,
            "province_name": first["province_name"], "province_2025_code": first["province_2025_code"],
            "province_2025_name": first["province_2025_name"], "period": period or None,
            "year_from": first["year_from"], "year_to": first["year_to"], "kind": kind, "value": value,
            "out_of": out_of, "n_articles": len(articles), "n_observations": len(obs), "status": status,
            "conflicting_values": json.dumps([{"value": v, "out_of": oo, "article_ids": sorted(map(str, ids))}
                                              for (v, oo), ids in ranked[1:]], ensure_ascii=False)
            if len(ranked) > 1 else None,
            "article_ids": json.dumps(articles, ensure_ascii=False)})
    return out


def _timeline(appearances: list[dict]) -> list[dict]:
    by_name: dict[str, list[dict]] = defaultdict(list)
    for a in appearances:
        by_name[a["name_key"]].append(a)
    rows = []
    for name_key, apps in sorted(by_name.items()):
        people: dict[str, list[dict]] = defaultdict(list)
        provinces_seen = sorted({a["province_code"] for a in apps if a["province_code"]})
        titles_of = {p: {a["title_key"] for a in apps if a["province_code"] == p and a["title_key"]}
                     for p in provinces_seen}
        for a in apps:
            prov = a["province_code"]
            if not prov and len(provinces_seen) == 1 and a["title_key"] in titles_of[provinces_seen[0]]:
                prov = provinces_seen[0]
            people[prov or ""].append(a)
        for prov, papps in sorted(people.items()):
            pid = _person_id(name_key, prov)
            by_title: dict[str, list[dict]] = defaultdict(list)
            for a in papps:
                by_title[a["title_key"] or ""].append(a)
            for tkey, tapps in sorted(by_title.items()):
                title = _most_common(Counter(a["title"] for a in tapps if a["title"]))
                names = Counter(a["name"] for a in tapps)
                agencies = Counter(a["agency"] for a in tapps if a["agency"])
                dates = sorted(a["published"] for a in tapps if a["published"])
                ids = sorted({str(a["article_id"]) for a in tapps})
                p63 = provinces().get(prov) if prov else None
                rows.append({"person_id": pid, "name": _most_common(names), "title": title,
                             "agency": _most_common(agencies),
                             "province_code": prov or None, "province_name": p63.name if p63 else None,
                             "first_seen": dates[0] if dates else None, "last_seen": dates[-1] if dates else None,
                             "n_articles": len(ids), "article_ids": json.dumps(ids, ensure_ascii=False)})
    return rows


def _most_common(counts: Counter) -> Optional[str]:
    """The most frequent value, ties broken by the value itself (independent of input order)."""
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else None


def _person_id(name_key: str, province: str) -> str:
    return hashlib.sha1(f"{name_key}|{province}".encode()).hexdigest()[:12]


# ------------------------------------------------------------------ entry points

def _articles(results: Iterable[Any], ids: Optional[Iterable[Any]], texts: Optional[dict]):
    for rid, obj in iter_results(results, ids):
        if isinstance(obj, dict):
            obj = Article.model_validate(obj)
        if isinstance(obj, Article):
            yield str(rid), obj, (texts or {}).get(rid, texts.get(str(rid)) if texts else None)


def build_rows(results: Iterable[Any], ids: Optional[Iterable[Any]] = None,
               texts: Optional[dict] = None) -> dict[str, list[dict]]:
    """Rows of every dataset table (and ``official_appearances``) as lists of dicts."""
    per: dict[str, list[dict]] = {t: [] for t in _PER_ARTICLE}
    for rid, article, text in _articles(results, ids, texts):
        for name, rows in article_rows(rid, article, text).items():
            per[name].extend(rows)
    return {**per, **aggregate(per["indicator_observations"], per["official_appearances"])}


def build_datasets(results: Iterable[Any], ids: Optional[Iterable[Any]] = None,
                   texts: Optional[dict] = None) -> dict[str, Any]:
    """DataFrames ``indicator_observations``, ``indicator_values``, ``officials_timeline`` and
    ``appointments`` from any set of Articles (items as :func:`frames.to_frames` accepts them).
    Appointments need the article text: ``Article`` objects from ``extract`` carry it; for
    others pass ``texts={id: text}``."""
    import pandas as pd
    rows = build_rows(results, ids, texts)
    return {name: pd.DataFrame(rows[name], columns=COLUMNS[name]) for name in DATASET_TABLES}


# ------------------------------------------------------------------ SQLite

_SQL_TYPES = {"value": "REAL", "out_of": "REAL", "fact_idx": "INTEGER", "idx": "INTEGER", "start": "INTEGER",
              "end": "INTEGER", "official_idx": "INTEGER", "year_from": "INTEGER", "year_to": "INTEGER",
              "n_articles": "INTEGER", "n_observations": "INTEGER", "target": "INTEGER"}
_INDEXES = {"indicator_observations": ["article_id", "indicator", "province_code", "province_2025_code"],
            "appointments": ["article_id", "person"], "official_appearances": ["article_id", "name_key"],
            "indicator_values": ["indicator", "province_code", "status"],
            "officials_timeline": ["person_id", "name"]}
_VIEWS = {
    "indicator_series": """SELECT indicator, indicator_name, kind, province_name, province_2025_name,
        period, year_from, value, out_of, status, n_articles FROM indicator_values
        WHERE province_code IS NOT NULL ORDER BY indicator, kind, province_name, period""",
    "indicator_conflicts": """SELECT indicator, province_name, period, kind, value, out_of,
        conflicting_values, article_ids FROM indicator_values WHERE status = 'conflict'""",
    "official_posts": """SELECT name, title, agency, province_name, first_seen, last_seen, n_articles
        FROM officials_timeline ORDER BY name, first_seen""",
}


def _create(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS dataset_articles (article_id TEXT PRIMARY KEY, digest TEXT)")
    for name, cols in COLUMNS.items():
        decl = ", ".join(f'"{c}" {_SQL_TYPES.get(c, "TEXT")}' for c in cols)
        con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({decl})')
        for c in _INDEXES.get(name, []):
            con.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}_{c}" ON "{name}" ("{c}")')
    for name, sql in _VIEWS.items():
        con.execute(f'CREATE VIEW IF NOT EXISTS "{name}" AS {sql}')


def _insert(con: sqlite3.Connection, name: str, rows: list[dict]) -> None:
    cols = COLUMNS[name]
    sql = f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
    con.executemany(sql, [tuple(int(r[c]) if isinstance(r[c], bool) else r[c] for c in cols) for r in rows])


def _fetch(con: sqlite3.Connection, name: str) -> list[dict]:
    cols = COLUMNS[name]
    cur = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{name}"')
    rows = [dict(zip(cols, r)) for r in cur]
    if name == "indicator_observations":
        for r in rows:
            r["target"] = bool(r["target"])
    return rows


def update_sqlite(path: str, rebuild: bool = False) -> dict[str, int]:
    """Add or refresh the dataset tables in a ``vnre extract --db`` database.

    Only articles that are new or whose stored JSON changed since the last run are read again
    (``rebuild=True`` starts over); the aggregate tables are recomputed from the per-article
    rows. Returns counts: articles read, removed, and rows per table."""
    con = sqlite3.connect(path)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
            raise ValueError(f"{path} has no 'articles' table: write it with `vnre extract ... --db {path}` first")
        with con:
            if rebuild:
                for name in (*COLUMNS, "dataset_articles"):
                    con.execute(f'DROP TABLE IF EXISTS "{name}"')
                for name in _VIEWS:
                    con.execute(f'DROP VIEW IF EXISTS "{name}"')
            _create(con)
        done = dict(con.execute("SELECT article_id, digest FROM dataset_articles"))
        current = {}
        todo = []
        for aid, js in con.execute("SELECT article_id, json FROM articles"):
            digest = hashlib.sha1((js or "").encode("utf-8", "surrogatepass")).hexdigest()
            current[aid] = digest
            if done.get(aid) != digest:
                todo.append(aid)
        gone = [aid for aid in done if aid not in current]
        with con:
            for aid in (*todo, *gone):
                for name in _PER_ARTICLE:
                    con.execute(f'DELETE FROM "{name}" WHERE article_id = ?', (aid,))
                con.execute("DELETE FROM dataset_articles WHERE article_id = ?", (aid,))
            for aid in todo:
                js, text = con.execute("SELECT json, text FROM articles WHERE article_id = ?", (aid,)).fetchone()
                article = Article.model_validate_json(js)
                for name, rows in article_rows(aid, article, text).items():
                    _insert(con, name, rows)
                con.execute("INSERT INTO dataset_articles VALUES (?, ?)", (aid, current[aid]))
            agg = aggregate(_fetch(con, "indicator_observations"), _fetch(con, "official_appearances"))
            for name, rows in agg.items():
                con.execute(f'DELETE FROM "{name}"')
                _insert(con, name, rows)
        counts = {"articles_read": len(todo), "articles_removed": len(gone)}
        for name in DATASET_TABLES:
            counts[name] = con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
        return counts
    finally:
        con.close()
