"""The journalists' workbench: a Datasette plugin (``vnre serve out.sqlite``).

Registered under the ``datasette`` entry point, so any Datasette that has
vn_reform_extract installed gets it; ``vnre serve`` (:mod:`.serve`) adds our metadata
(descriptions, facets, canned queries) and full-text indexes. Pages:

* ``/-/vnre/article/<database>/<article_id>``: the text with every mention highlighted by
  type, its lists beside it, each mention linked to the filtered tables;
* ``/-/vnre/try``: paste a text (and a date), see the highlighted result and its tables,
  download the JSON (``/-/vnre/try.json``). Nothing is stored.

Every piece of text and every id is escaped (Jinja autoescaping, :func:`html.escape` in the
renderer); forms carry Datasette's CSRF token.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Optional
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

TRY_MAX_CHARS = 100_000

# list -> (table, column of the mention to filter on, column of the table)
_LINKS = {
    "provinces": [("facts", "code", "province_code", "facts of this province"),
                  ("provinces", "code", "code", "articles naming it")],
    "agencies": [("agencies", "name", "name", "articles naming it")],
    "officials": [("officials", "name", "name", "articles naming this official")],
    "localities": [("localities", "name", "name", "articles naming it")],
    "dates": [("dates", "value", "value", "articles with this date")],
    "facts": [("facts", "kind", "kind", "facts of this kind")],
    "legal_refs": [("legal_refs", "number", "number", "articles citing it")],
}
_SUMMARY = {
    "provinces": ("name", "code"), "agencies": ("name", "kind"), "officials": ("name", "titles"),
    "authors": ("name", "role"), "dates": ("text", "value"), "facts": ("text", "kind"),
    "legal_refs": ("text", "number"), "localities": ("name", "kind"),
}


@hookimpl
def register_routes():
    return [
        (r"^/-/vnre/article/(?P<database>[^/]+)/(?P<article_id>.+)$", article_page),
        (r"^/-/vnre/try$", try_page),
        (r"^/-/vnre/try\.json$", try_json),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/vnre/try"), "label": "Try an article"}]


def _article_href(datasette, database: str, article_id: str) -> str:
    return datasette.urls.path(f"/-/vnre/article/{tilde_encode(database)}/{tilde_encode(article_id)}")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """``article_id`` cells open the article page; in ``articles`` the long ``text`` becomes an
    excerpt with that link and the raw ``json`` a short summary."""
    if not table or not database:
        return None
    if column == "article_id" and table != "articles" and isinstance(value, str):
        return Markup('<a href="{}">{}</a>').format(_article_href(datasette, database, value), value)
    if table == "articles" and column in ("text", "json") and isinstance(value, str):
        try:
            aid = row["article_id"]
        except (KeyError, IndexError, TypeError):
            return None
        href = _article_href(datasette, database, aid)
        if column == "text":
            excerpt = value[:160] + ("…" if len(value) > 160 else "")
            return Markup('{} <a class="vnre-open" href="{}">highlighted view</a>').format(excerpt, href)
        return Markup('<a class="vnre-open" href="{}">Article JSON as highlights</a>').format(href)
    return None


def _render_fragment(article: Any, text: Optional[str]) -> str:
    from ..visualize import render_html
    return render_html(article, text, tables=False)


def _lists(data: dict, database: Optional[str], datasette) -> list[dict]:
    """The lists beside the text: per list, its items with a short label and links."""
    out = []
    for kind, items in data.items():
        if not isinstance(items, list) or kind == "sentences" or not items:
            continue
        label_key, detail_key = _SUMMARY.get(kind, ("text", None))
        rows: list[dict] = []
        by_key: dict[tuple, dict] = {}
        for it in items:
            if not isinstance(it, dict):
                continue
            detail = it.get(detail_key) if detail_key else None
            if isinstance(detail, list):
                detail = "; ".join(map(str, detail))
            links = []
            if database:
                for table, key, col, what in _LINKS.get(kind, []):
                    if it.get(key) not in (None, ""):
                        links.append({"href": datasette.urls.table(database, table) + "?"
                                      + urlencode({col: it[key]}), "label": what})
            row = {"label": it.get(label_key) or it.get("text") or "", "detail": detail, "links": links,
                   "value": it.get("value") if kind == "facts" else None, "count": 1}
            k = (row["label"], str(detail), row["value"])
            if k in by_key:        # repeated mentions of one thing: listed once, with a count
                by_key[k]["count"] += 1
                continue
            by_key[k] = row
            rows.append(row)
        out.append({"kind": kind, "items": rows})
    return out


async def article_page(request, datasette):
    database = tilde_decode(request.url_vars["database"])
    article_id = tilde_decode(request.url_vars["article_id"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"no database {database}")
    cols = {r[1] for r in (await db.execute("PRAGMA table_info(articles)")).rows}
    title_col = "title" if "title" in cols else None
    sql = f"SELECT json, text{', title' if title_col else ''} FROM articles WHERE article_id = ?"
    row = (await db.execute(sql, [article_id])).first()
    if row is None:
        raise NotFound(f"no article {article_id}")
    from ..schema import Article
    article = Article.model_validate_json(row["json"])
    data = article.model_dump(mode="json")
    return Response.html(await datasette.render_template("vnre_article.html", {
        "database": database, "article_id": article_id, "title": row["title"] if title_col else None,
        "published": data.get("published"), "highlighted": Markup(_render_fragment(article, row["text"])),
        "lists": _lists(data, database, datasette),
    }, request=request))


async def _extract_form(request) -> tuple[Optional[Any], dict]:
    from .. import extract
    form = await request.post_vars()
    text = form.get("text") or ""
    published = (form.get("published") or "").strip() or None
    ctx = {"text": text, "published": published or "", "max_chars": TRY_MAX_CHARS, "error": None}
    if not text.strip():
        ctx["error"] = "Paste a text first."
        return None, ctx
    if len(text) > TRY_MAX_CHARS:
        ctx["error"] = f"The text has {len(text):,} characters; this page takes at most {TRY_MAX_CHARS:,}."
        return None, ctx
    loop = asyncio.get_running_loop()
    try:
        article = await loop.run_in_executor(None, lambda: extract(text, published=published))
    except (TypeError, ValueError) as exc:
        ctx["error"] = f"Could not extract: {exc}"
        return None, ctx
    return article, ctx


async def try_page(request, datasette):
    ctx: dict = {"text": "", "published": "", "max_chars": TRY_MAX_CHARS, "error": None, "result": None}
    status = 200
    if request.method == "POST":
        article, ctx = await _extract_form(request)
        ctx["result"] = None
        if article is not None:
            data = article.model_dump(mode="json")
            ctx["result"] = {"highlighted": Markup(_render_fragment(article, ctx["text"])),
                             "lists": _lists(data, None, datasette),
                             "counts": {k: len(v) for k, v in data.items() if isinstance(v, list) and k != "sentences"}}
        elif ctx["error"]:
            status = 400
    return Response.html(await datasette.render_template("vnre_try.html", ctx, request=request), status=status)


async def try_json(request, datasette):
    if request.method != "POST":
        return Response.redirect(datasette.urls.path("/-/vnre/try"))
    article, ctx = await _extract_form(request)
    if article is None:
        return Response.json({"error": ctx["error"]}, status=400)
    body = json.dumps(article.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="article.json"'})
