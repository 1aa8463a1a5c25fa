"""Structured records from Vietnamese government news."""
from .pipeline import extract
from .schema import Article, SCHEMA_VERSION

__version__ = "0.1.0"
__all__ = ["extract", "Article", "SCHEMA_VERSION", "__version__"]
