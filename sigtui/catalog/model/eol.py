"""End-of-life dates are date-times (REST `date-time`; SIG-EOL in DESIGN.md section 2).

A time of day given is kept (in UTC); a date alone becomes 12:59:59 UTC of that day, the
time az sends for `--end-of-life-date YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

AZ_TIME_OF_DAY = time(12, 59, 59, tzinfo=UTC)


def eol_datetime(value: date | datetime | str) -> datetime:
    """The end-of-life date-time a value names, aware, in UTC (ValueError if none)."""
    if isinstance(value, datetime):
        return _in_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, AZ_TIME_OF_DAY)
    text = value.strip()
    try:
        return datetime.combine(date.fromisoformat(text), AZ_TIME_OF_DAY)
    except ValueError:
        return _in_utc(datetime.fromisoformat(text))


def _in_utc(value: datetime) -> datetime:
    """A naive date-time is taken as UTC, as ARM writes them."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def eol_text(value: datetime | None) -> str:
    """As people read and type it: the date alone when the time is az's for a date given
    alone, else `YYYY-MM-DDTHH:MM:SSZ` (both read back by `eol_datetime`); "" for none."""
    if value is None:
        return ""
    when = _in_utc(value)
    if when.timetz() == AZ_TIME_OF_DAY:
        return when.date().isoformat()
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
