"""Stub: filled by its issue."""
from __future__ import annotations

from datetime import date
from typing import Optional

from .document import Document


def find_published(doc: Document) -> Optional[date]:
    return None


def extract(doc: Document) -> list:
    return []
