"""One call: text in, ``Article`` out. Extractors run in this order; each may leave
context in ``doc.context`` for the ones after it."""
from __future__ import annotations

import math
from datetime import date
from typing import Any, Optional, Union

from . import agencies, dates, facts, indicators, legal_refs, localities, officials, provinces
from .document import Document, TextTooLong  # noqa: F401  (re-exported)
from .gazetteer import GAZETTEER_VERSION
from .schema import Article, Sentence

MAX_CHARS = 5_000_000


def extract(text: str, *, published: Union[None, str, date] = None, source: Optional[str] = None,
            max_chars: Optional[int] = MAX_CHARS) -> Article:
    """Extract every list of the contract from one article.

    A text longer than ``max_chars`` characters (``len(text)``; default ``MAX_CHARS``,
    5,000,000; ``None`` for no limit) raises ``TextTooLong`` (a ``ValueError``) at once,
    before any work on it."""
    doc = Document.from_text(text, dates.as_date(published), source, max_chars=max_chars)
    if doc.published is None:
        doc.published = dates.find_published(doc)
    result: dict[str, Any] = {
        "published": doc.published.isoformat() if doc.published else None,
        "source": source,
        "sentences": [Sentence(**_orig(doc, s, e)) for s, e in doc.sentences],
    }
    result["provinces"] = provinces.extract(doc)
    result["localities"] = localities.extract(doc)
    result["agencies"] = agencies.extract(doc)
    result["officials"], result["authors"] = officials.extract(doc)
    result["dates"] = dates.extract(doc)
    result["legal_refs"] = legal_refs.extract(doc)
    # a number too large for a float (a 400-digit run of digits) is no fact: dropped
    result["facts"] = [f for f in facts.extract(doc)
                       if math.isfinite(f.value) and (f.out_of is None or math.isfinite(f.out_of))]
    indicators.annotate(doc, result["facts"], result["sentences"])
    article = Article(gazetteer_version=GAZETTEER_VERSION, **result)
    article._text = text
    return article


def _orig(doc: Document, s: int, e: int) -> dict[str, int]:
    os_, oe = doc.original_span(s, e)
    return {"start": os_, "end": oe}
