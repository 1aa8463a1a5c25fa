"""Structured records from Vietnamese government news."""
from .pipeline import MAX_CHARS, TextTooLong, extract
from .schema import Article, SCHEMA_VERSION
from .numbers import parse_money, parse_number
from .batch import ErrorRecord, extract_many  # stdlib only; pandas/dask stay unimported
from .frames import to_frames  # imports pandas only when called
from .visualize import render_html
from .dates import parse_date

__version__ = "0.1.0"
__all__ = ["extract", "Article", "SCHEMA_VERSION", "__version__", "parse_number", "parse_money"]
__all__ += ["extract_many", "ErrorRecord", "to_frames", "render_html"]
__all__ += ["parse_date", "TextTooLong", "MAX_CHARS"]
