"""One call: text in, ``Article`` out. Extractors run in this order; each may leave
context in ``doc.context`` for the ones after it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional, Union

from . import agencies, dates, facts, legal_refs, officials, provinces
from .document import Document
from .schema import Article, Sentence

MAX_CHARS = 5_000_000


def _as_date(value: Union[None, str, date]) -> Optional[date]:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise ValueError(f"published must be an ISO date such as '2022-11-02', got {value!r}") from exc
    raise TypeError(f"published must be a datetime.date or an ISO string, got {type(value).__name__}")


def extract(text: str, *, published: Union[None, str, date] = None, source: Optional[str] = None) -> Article:
    """Extract every list of the contract from one article."""
    doc = Document.from_text(text, _as_date(published), source)
    if len(doc.text) > MAX_CHARS:
        raise ValueError(f"text has {len(doc.text)} characters; the limit is {MAX_CHARS}")
    if doc.published is None:
        doc.published = dates.find_published(doc)
    result: dict[str, Any] = {
        "published": doc.published.isoformat() if doc.published else None,
        "source": source,
        "sentences": [Sentence(**_orig(doc, s, e)) for s, e in doc.sentences],
    }
    result["provinces"] = provinces.extract(doc)
    result["agencies"] = agencies.extract(doc)
    result["officials"], result["authors"] = officials.extract(doc)
    result["dates"] = dates.extract(doc)
    result["legal_refs"] = legal_refs.extract(doc)
    result["facts"] = facts.extract(doc)
    from .gazetteer import GAZETTEER_VERSION
    article = Article(gazetteer_version=GAZETTEER_VERSION, **result)
    article._text = text
    return article


def _orig(doc: Document, s: int, e: int) -> dict[str, int]:
    os_, oe = doc.original_span(s, e)
    return {"start": os_, "end": oe}
