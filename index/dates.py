"""Dates at their precision: "2017" is a year, "2017-06" a month, "2017-06-26" a day.

A date is the interval it names, ``[start, end)``. A document published "2017-06" matches
``--since 2017-06-15``: a filter range matches every document whose interval overlaps it.
Times with a zone are converted to UTC; times without one are taken as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import attrs

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + 1, month=1) if moment.month == 12 else moment.replace(
        month=moment.month + 1)


@attrs.frozen
class DateInterval:
    """The half-open interval ``[start, end)`` a date names, in naive UTC datetimes."""

    start: datetime
    end: datetime
    precision: str  # "year", "month", "day" or "time"

    @classmethod
    def parse(cls, text: str) -> DateInterval:
        """The interval of an ISO 8601 date or datetime; ValueError names what is wrong."""
        value = text.strip()
        match = _PARTIAL.match(value)
        if match:
            year, month, day = match.groups()
            try:
                start = datetime(int(year), int(month or 1), int(day or 1))
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a date ({exc})") from None
            if day:
                return cls(start, start + timedelta(days=1), "day")
            if month:
                return cls(start, _next_month(start), "month")
            return cls(start, start.replace(year=start.year + 1), "year")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 date: write 2017, 2017-06, 2017-06-26 "
                             "or 2017-06-26T11:07:00Z") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return cls(moment, moment + timedelta(seconds=1), "time")

    @classmethod
    def parse_or_none(cls, text: str | None) -> DateInterval | None:
        """The interval, or None for a missing or unreadable date (the index never refuses a document)."""
        if not text:
            return None
        try:
            return cls.parse(text)
        except ValueError:
            return None

    @property
    def last(self) -> datetime:
        """The last microsecond inside the interval (an inclusive end, as whoosh ranges store it)."""
        return self.end - timedelta(microseconds=1)
