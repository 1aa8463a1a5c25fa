"""Stub: filled by its issue."""
from __future__ import annotations

from .document import Document


def extract(doc: Document) -> list:
    return []
