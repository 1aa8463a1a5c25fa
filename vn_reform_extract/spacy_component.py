"""spaCy pipeline component ``"vn_reform_extract"``: our mentions in ``doc.spans``.

    import spacy
    import vn_reform_extract.spacy_component  # registers the factory
    nlp = spacy.blank("xx")                   # any tokenizer; spacy.blank("vi") needs pyvi
    nlp.add_pipe("vn_reform_extract")
    doc = nlp(text)
    [(s.label_, s.text) for s in doc.spans["vnre"]]
    doc._.vnre                                # the full Article

Each mention becomes a Span labelled PROVINCE, AGENCY, OFFICIAL, AUTHOR, DATE,
FACT, LEGAL_REF, LOCALITY (or the upper-cased list name for lists added later), aligned
to tokens with ``char_span(..., alignment_mode="expand")``; mentions that cover
no token (whitespace only) are skipped. Overlapping mentions are fine: a
SpanGroup allows overlaps. The factory is registered when this module is
imported (spaCy itself is imported only then).
"""
from __future__ import annotations

from typing import Any, Optional

__all__ = ["VnreComponent", "register", "make_vn_reform_extract", "LABELS"]

LABELS = {
    "provinces": "PROVINCE", "agencies": "AGENCY", "officials": "OFFICIAL", "authors": "AUTHOR",
    "dates": "DATE", "facts": "FACT", "legal_refs": "LEGAL_REF", "localities": "LOCALITY",
}


class VnreComponent:
    def __init__(self, nlp: Any = None, name: str = "vn_reform_extract", spans_key: str = "vnre",
                 published: Optional[str] = None, store_article: bool = True):
        self.name, self.spans_key, self.published, self.store_article = name, spans_key, published, store_article

    def __call__(self, doc: Any) -> Any:
        from .pipeline import extract
        from .visualize import collect_spans
        published = doc.user_data.get("published", self.published) if hasattr(doc, "user_data") else self.published
        article = extract(doc.text, published=published)
        spans = []
        for h in collect_spans(article):
            span = doc.char_span(h.start, h.end, label=LABELS.get(h.type, h.type.upper()),
                                 alignment_mode="expand")
            if span is not None and len(span):
                spans.append(span)
        doc.spans[self.spans_key] = spans
        if self.store_article:
            doc._.vnre = article
        return doc


def make_vn_reform_extract(nlp: Any, name: str, spans_key: str = "vnre", published: Optional[str] = None,
                           store_article: bool = True) -> VnreComponent:
    """The factory (also usable as a ``spacy_factories`` entry point)."""
    if not _doc_extension_ready():
        register()
    return VnreComponent(nlp, name, spans_key, published, store_article)


def _doc_extension_ready() -> bool:
    from spacy.tokens import Doc
    return Doc.has_extension("vnre")


def register() -> None:
    """Register the ``vn_reform_extract`` factory and the ``Doc._.vnre`` attribute (idempotent)."""
    from spacy.language import Language
    from spacy.tokens import Doc
    if not Doc.has_extension("vnre"):
        Doc.set_extension("vnre", default=None)
    if not Language.has_factory("vn_reform_extract"):
        Language.factory("vn_reform_extract",
                         default_config={"spans_key": "vnre", "published": None, "store_article": True},
                         func=make_vn_reform_extract)


register()
