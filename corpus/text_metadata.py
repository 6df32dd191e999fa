"""Metadata read from flattened page text: title and site, bylines (author, date) and tag lists.

Pure functions over single lines; ``corpus/clean_text.py`` decides which lines to ask about. Dates
come back as ISO 8601 cut to the precision the page states ("2017", "2017-06", "2017-06-26",
"2017-06-26T11:07", "2017-06-26T11:07:30") with that precision's name.
"""

from __future__ import annotations

import re

import attrs

_I = re.IGNORECASE | re.UNICODE

#: Month names (English, German, French, Spanish, Russian; full, short and genitive) to numbers.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janv janvier enero ene января январь янв",
        "february feb februar févr fevr février fevrier febrero февраля февраль фев",
        "march mar märz maerz mars marzo марта март",
        "april apr avril abril abr апреля апрель",
        "may mai mayo мая май",
        "june jun juni juin junio июня июнь",
        "july jul juli juil juillet julio июля июль",
        "august aug août aout agosto ago августа август авг",
        "september sep sept septembre septiembre setiembre сентября сентябрь сен",
        "october oct oktober okt octobre octubre окт октября октябрь",
        "november nov novembre noviembre ноября ноябрь",
        "december dec dezember dez décembre decembre diciembre dic декабря декабрь дек",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[,\s]+(?:at|um|à|a las|в|—|-|–|\|)?\s*"
    r"(?P<hour>\d{1,2})[:h.](?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\w:]))?"
)
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
        r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?",
        _I,
    ),
    re.compile(
        rf"(?<!\w)(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<mname>{_MONTH})\.?,?\s+(?:de\s+)?"
        rf"(?P<year>\d{{4}})(?:\s*г\.?)?{_TIME}",
        _I,
    ),
    re.compile(
        rf"(?<!\w)(?P<mname>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}",
        _I,
    ),
    re.compile(
        rf"(?<![\w/.])(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}}){_TIME}",
        _I,
    ),
    re.compile(
        rf"(?<![\w/.])(?P<first>\d{{1,2}})/(?P<second_n>\d{{1,2}})/(?P<year>\d{{4}}){_TIME}",
        _I,
    ),
    re.compile(rf"(?<!\w)(?P<mname>{_MONTH})\.?,?\s+(?P<year>\d{{4}})(?!\d)", _I),
)

#: A line that is nothing but a date, a time, or both (with "Posted on", "Updated" and the like).
_DATE_WORDS = (
    r"(?:posted|published|updated|last updated|last modified|modified|date|on|am|le|el|publié|"
    r"publicado|veröffentlicht|aktualisiert|опубликовано|обновлено|mis à jour|actualizado)"
)
_DIGIT = re.compile(r"\d")
TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?$", _I)
DAY_MONTH_ONLY = re.compile(
    rf"^(?:(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}\.?\s+(?:{_MONTH})\.?)$", _I
)
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.\-]*|de|da|di|du|van|von|der|den|la|le|del|in|of|and|&|bin|al)"
NAME = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}$", re.UNICODE)
BY_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|reported|words|story|text|report)\s+)?"
    r"(?:by|von|par|por|автор:?|written by:?|author:?|autor:?|auteur\s*:?)\s+",
    _I,
)
POSTED_BY = re.compile(r"\b(?:posted|published|written|updated)?\s*by\s+(?P<name>.+?)\s*(?:\[|\||$|·|•|—|–|-\s|,\s|\bon\b)", _I)
SITE_SEPARATORS: tuple[str, ...] = (" | ", " – ", " — ", " - ", " :: ", " · ", " • ")
TAG_PREFIX = re.compile(
    r"^\s*(?:tags?|tagged(?: with)?|topics?|filed under|keywords|schlagwörter|étiquettes|etiquetas|теги|метки)\s*:?\s*",
    _I,
)


@attrs.frozen
class PublicationDate:
    """An ISO 8601 date cut to its precision, and that precision's name."""

    iso: str
    precision: str


@attrs.frozen
class Byline:
    """What a byline line says: the author and/or when the piece was published."""

    author: str | None = None
    published: PublicationDate | None = None


def _normalise(text: str) -> str:
    """Collapse whitespace (including no-break spaces) to single spaces and strip."""
    return " ".join(text.split())


def _hour24(hour: int, ampm: str | None) -> int:
    """Turn a 12-hour clock reading with am/pm into a 24-hour one."""
    if not ampm:
        return hour
    pm = ampm.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def _from_match(match: re.Match[str]) -> PublicationDate | None:
    """Build a ``PublicationDate`` from one of ``DATE_PATTERNS``' matches, or None if invalid."""
    groups = match.groupdict()
    year = int(groups["year"])
    if not 1900 <= year <= 2100:
        return None
    if groups.get("mname"):
        month = MONTHS[groups["mname"].lower()]
    elif groups.get("first"):
        first, second = int(groups["first"]), int(groups["second_n"])
        month, day_number = (second, first) if first > 12 else (first, second)
        groups["day"] = str(day_number)
    else:
        month = int(groups["month"])
    if not 1 <= month <= 12:
        return None
    if not groups.get("day"):
        return PublicationDate(f"{year:04d}-{month:02d}", "month")
    day = int(groups["day"])
    if not 1 <= day <= 31:
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if groups.get("hour") is None:
        return PublicationDate(date, "day")
    hour, minute = _hour24(int(groups["hour"]), groups.get("ampm")), int(groups["minute"])
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return PublicationDate(date, "day")
    if groups.get("second"):
        return PublicationDate(f"{date}T{hour:02d}:{minute:02d}:{int(groups['second']):02d}", "second")
    return PublicationDate(f"{date}T{hour:02d}:{minute:02d}", "minute")


def find_date(text: str) -> tuple[PublicationDate, re.Match[str]] | None:
    """The first date stated in ``text`` (the most precise pattern that matches earliest) and its match."""
    best: tuple[PublicationDate, re.Match[str]] | None = None
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _from_match(match)
            if date is None:
                continue
            if best is None or match.start() < best[1].start():
                best = (date, match)
            break
    return best


def parse_date(text: str) -> PublicationDate | None:
    """The first date stated in ``text``, or None."""
    found = find_date(text)
    return found[0] if found else None


def add_time(date: PublicationDate, text: str) -> PublicationDate:
    """``date`` (a day) with the clock time a separate line such as "5:50 am" states."""
    match = re.match(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", text.strip(), _I)
    if date.precision != "day" or not match:
        return date
    hour, minute = _hour24(int(match.group(1)), match.group(4)), int(match.group(2))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return date
    return PublicationDate(f"{date.iso}T{hour:02d}:{minute:02d}", "minute")


def is_date_line(text: str) -> bool:
    """True when ``text`` is only a date and/or time, perhaps with "Posted on", "Updated" or a read time."""
    if len(text) > 100 or not _DIGIT.search(text):
        return False
    line = _normalise(text)
    if not line or len(line) > 80:
        return False
    if TIME_ONLY.match(line) or DAY_MONTH_ONLY.match(line):
        return True
    rest = line
    for _ in range(3):
        found = find_date(rest)
        if not found:
            break
        rest = rest[: found[1].start()] + " " + rest[found[1].end():]
    if rest == line:
        return False
    rest = re.sub(rf"\b{_DATE_WORDS}\b|\b\d+\s*(?:min|mins|minutes?)\s*(?:read)?\b|[^\w]+", " ", rest, flags=_I)
    return not rest.strip()


def clean_name(text: str) -> str | None:
    """``text`` as a person's or organisation's name if it looks like one, else None."""
    name = _normalise(text).strip(" ,;:|-–—·•")
    if not name or len(name) > 60 or _DIGIT.search(name):
        return None
    if not NAME.match(name) or not name[0].isupper():
        return None
    return name


def parse_byline(text: str) -> Byline | None:
    """Author and date from a byline ("By Jane Doe", "posted 26 Jun 2017, 11:07 by X", "Jane Doe April 9, 2017").

    None when the line is not a byline: a byline is short and says little besides a name and a date.
    """
    line = _normalise(text)
    if not line or len(line) > 160:
        return None
    found = find_date(line)
    date = found[0] if found else None
    if BY_PREFIX.match(line):
        rest = BY_PREFIX.sub("", line)
        if found:
            head = rest[: max(0, found[1].start() - (len(line) - len(rest)))]
            rest = head or rest
        rest = re.split(r"\s+(?:\||·|•|—|–|-|on|am|le|el)\s+|,\s|\s\[|\s{2,}", rest, maxsplit=1)[0]
        name = clean_name(rest)
        return Byline(name, date) if name or date else None
    if found:
        by = POSTED_BY.search(line[found[1].end():] + " ")
        if by and line[: found[1].start()].strip().lower() in {"", "posted", "posted on", "published", "published on", "on"}:
            return Byline(clean_name(by.group("name")), date)
        head = line[: found[1].start()].strip(" ,|-–—·•")
        tail = line[found[1].end():].strip(" ,|-–—·•")
        head = re.sub(rf"^(?:{_DATE_WORDS}\s+)+|\s+(?:{_DATE_WORDS})$", "", head, flags=_I).strip(" ,|-–—·•")
        if head and not tail:
            name = clean_name(head)
            if name and len(name.split()) <= 4:
                return Byline(name, date)
        if not head and tail.lower().startswith("by "):
            return Byline(clean_name(tail[3:]), date)
    return None


def split_site(title: str) -> tuple[str, str | None]:
    """Split "Article Title | Site Name" into the title and the site; the site is None when absent."""
    line = _normalise(title)
    for separator in SITE_SEPARATORS:
        if separator not in line:
            continue
        head, _, site = line.rpartition(separator)
        head = head.strip()
        site = site.strip()
        if head and site and len(site.split()) <= 6 and len(site) <= 60 and len(head.split()) >= 2:
            head = split_site(head)[0] if separator in head and len(head.split(separator)[-1].split()) <= 4 else head
            return head, site
    return line, None


def parse_tags(text: str) -> tuple[str, ...]:
    """The items of a tag list line ("Tags: LGBT, Russia, Chechnya"), or () if it is not one."""
    line = TAG_PREFIX.sub("", _normalise(text))
    items = tuple(item.strip(" #") for item in re.split(r"\s*[,;|•·]\s*", line) if item.strip(" #"))
    if not items or any(len(item.split()) > 5 or len(item) > 50 for item in items):
        return ()
    return items
