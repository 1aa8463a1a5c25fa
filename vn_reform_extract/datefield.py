"""The publication date of an input record (the ``--date-field`` value) as a ``date``.

Accepted: ISO dates and date-times ("2022-11-02", "2022-11-02T17:30:00+07:00",
"2022-11-02 23:30:00Z"), day-first numeric dates as Vietnamese sites print them
("02/11/2022", "2/11/2022 17:30", "02-11-2022", "02.11.2022"), year-first with
slashes ("2022/11/02"), RFC 2822 ("Wed, 02 Nov 2022 17:30:00 +0700"), Unix
timestamps (seconds or milliseconds), ``date``/``datetime`` objects, and other
written days that :func:`vn_reform_extract.dates.parse_date` reads ("Thứ Tư, 2/11/2022",
"ngày 2 tháng 11 năm 2022").

A time with a timezone is converted to Vietnam time (UTC+7, no daylight saving)
before the date is taken: "2022-11-02 23:30:00Z" is 3 November in Hà Nội. A time
without a timezone is taken as Vietnam time already.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Optional

__all__ = ["parse_date_field", "VIETNAM_TZ"]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
MIN_YEAR, MAX_YEAR = 1900, 2200

_TIME = r"(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?)?)?"
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME + r"\s*$", re.IGNORECASE)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_YMD = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})" + _TIME + r"\s*$", re.IGNORECASE)


def _tz(spec: Optional[str]) -> Optional[timezone]:
    if not spec:
        return None
    s = spec.upper()
    if s in ("Z", "GMT", "UTC"):
        return timezone.utc
    s = s.replace("GMT", "").replace("UTC", "")
    sign = -1 if s[0] == "-" else 1
    digits = s[1:].replace(":", "")
    hours, minutes = (int(digits[:-2] or 0), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _local_date(dt: datetime) -> date:
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        dt = dt.astimezone(VIETNAM_TZ)
    return dt.date()


def _checked(d: date, raw: Any) -> date:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValueError(f"date {raw!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return d


def _from_match(m: re.Match, y: int, mo: int, d: int, raw: Any) -> date:
    hh, mm, ss, tz = m.group(4), m.group(5), m.group(6), m.group(7)
    dt = datetime(y, mo, d, int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=_tz(tz))
    return _local_date(dt)


def parse_date_field(value: Any) -> Optional[date]:
    """The date in Vietnam time; None for an empty value; ValueError when not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _checked(_local_date(value), value)
    if isinstance(value, date):
        return _checked(value, value)
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, (int, float)):
        secs = float(value)
        if abs(secs) >= 1e11:  # milliseconds
            secs /= 1000.0
        try:
            return _checked(datetime.fromtimestamp(secs, VIETNAM_TZ).date(), value)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    if not isinstance(value, str):
        raise ValueError(f"not a date: a {type(value).__name__}")
    s = value.strip()
    try:
        if len(s) >= 10 and s[4] == "-" and s[7] == "-":
            iso = s[:-1] + "+00:00" if s[-1] in "zZ" else s
            return _checked(_local_date(datetime.fromisoformat(iso)), value)
    except ValueError:
        pass
    try:
        m = _DMY.match(s)
        if m:  # day first, as Vietnamese sites print dates
            return _checked(_from_match(m, int(m.group(3)), int(m.group(2)), int(m.group(1)), value), value)
        m = _YMD.match(s)
        if m:
            return _checked(_from_match(m, int(m.group(1)), int(m.group(2)), int(m.group(3)), value), value)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a valid date: {value!r} ({exc})") from exc
    if "," in s or s[:3].isalpha():
        try:
            return _checked(_local_date(parsedate_to_datetime(s)), value)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    if len(s) <= 200:
        from .dates import parse_date
        day = parse_date(s)
        if day and _ISO_DAY.fullmatch(day):
            return _checked(date.fromisoformat(day), value)
    raise ValueError(f"not a date: {value!r}")
