"""Metadata a page states about itself: title, author, date, site, tags, canonical URL, language.

Pure functions over a parsed lxml tree; each field is None (or empty) when the page does not say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import lxml.html

from corpus.cleaned import Metadata

#: " | Site", " - Site", " — Site", " :: Site" at the end of a title.
TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")
ISO_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?)?)?"
)
PRECISIONS = ("year", "month", "day", "minute", "second")
#: JSON-LD types whose fields describe the article itself.
ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|WebPage|NewsArticle|Posting|Review|Recipe|HowTo", re.IGNORECASE)


def normalise_space(text: str | None) -> str:
    """Collapse whitespace runs to one space and strip the ends ("" for None)."""
    # str.split() splits on exactly what \s matches, and drops the ends' runs as strip() does
    return " ".join(text.split()) if text else ""


def meta_map(root: lxml.html.HtmlElement) -> dict[str, str]:
    """The first non-empty ``content`` of each <meta>, by its lower-cased property, name or itemprop."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in found:
            content = normalise_space(meta.get("content"))
            if content:
                found[key] = content
    return found


def meta_content(root: lxml.html.HtmlElement | dict[str, str], *names: str) -> str | None:
    """The first non-empty ``content`` of a <meta> whose property/name/itemprop is one of ``names``."""
    found = root if isinstance(root, dict) else meta_map(root)
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return None


def meta_contents(root: lxml.html.HtmlElement, *names: str) -> list[str]:
    """Every non-empty ``content`` of the <meta> elements named ``names``, in page order."""
    wanted = {name.lower() for name in names}
    values = []
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        content = normalise_space(meta.get("content"))
        if key in wanted and content:
            values.append(content)
    return values


def json_ld_objects(root: lxml.html.HtmlElement) -> Iterator[dict]:
    """Every JSON-LD object of the page, ``@graph`` members included; unreadable scripts are skipped."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[0:0] = item
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack[0:0] = item["@graph"]


def article_objects(root: lxml.html.HtmlElement) -> list[dict]:
    """The JSON-LD objects describing an article (by ``@type``), in page order."""
    objects = []
    for item in json_ld_objects(root):
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and ARTICLE_TYPES.search(k) for k in kinds):
            objects.append(item)
    return objects


def json_ld_name(value: object) -> str | None:
    """A person's or organisation's name from a JSON-LD value (string, object, or list of them)."""
    if isinstance(value, str):
        return normalise_space(value) or None
    if isinstance(value, dict):
        return json_ld_name(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (json_ld_name(v) for v in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def strip_site_suffix(title: str, site: str | None) -> str:
    """Drop a trailing " | Site" (or " - Site") part from a title, keeping the longest part otherwise."""
    parts = TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    if site and normalise_space(parts[-1]).lower() == site.lower():
        return normalise_space(TITLE_SEPARATOR.split(title, maxsplit=len(parts) - 2)[0]) if len(parts) > 2 else parts[0]
    if site and normalise_space(parts[0]).lower() == site.lower():
        return normalise_space(" - ".join(parts[1:]))
    if len(parts[-1]) < len(parts[0]) and len(parts[-1].split()) <= 4:
        return normalise_space(title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»"))
    return title


def find_title(root: lxml.html.HtmlElement, site: str | None, metas: dict[str, str] | None = None) -> str | None:
    """The page title: og:title, else <title>, else the first <h1>, without a site-name suffix."""
    title = meta_content(metas if metas is not None else root, "og:title", "twitter:title")
    if not title:
        element = root.find(".//title")
        title = normalise_space(element.text_content()) if element is not None else ""
    if not title:
        h1 = next(root.iter("h1"), None)
        title = normalise_space(h1.text_content()) if h1 is not None else ""
    return strip_site_suffix(title, site) if title else None


def find_site(root: lxml.html.HtmlElement, articles: list[dict], metas: dict[str, str] | None = None) -> str | None:
    """The site's name: og:site_name, else the JSON-LD publisher."""
    site = meta_content(metas if metas is not None else root, "og:site_name", "application-name")
    if site:
        return site
    for item in articles:
        name = json_ld_name(item.get("publisher"))
        if name:
            return name
    return None


def find_author(root: lxml.html.HtmlElement, articles: list[dict], metas: dict[str, str] | None = None) -> str | None:
    """The author: JSON-LD author, else meta author / article:author, else a rel=author link."""
    for item in articles:
        name = json_ld_name(item.get("author"))
        if name:
            return name
    author = meta_content(
        metas if metas is not None else root, "author", "article:author", "dc.creator", "parsely-author", "sailthru.author"
    )
    if author and not author.startswith("http"):
        return author
    for link in root.xpath("//a[@rel]"):
        if "author" in (link.get("rel") or "").split():
            name = normalise_space(link.text_content())
            if name:
                return name
    return None


def parse_date(value: str | None) -> tuple[str, str] | None:
    """An ISO 8601 date or date-time cut to its precision, with the precision's name, or None."""
    if not value:
        return None
    match = ISO_DATE.search(value.strip())
    if not match:
        return None
    parts = [match.group(name) for name in ("year", "month", "day", "minute", "second")]
    parts[3] = match.group("minute") and f"{match.group('hour')}:{match.group('minute')}"
    if not 1 <= int(match.group("year")) <= 9999:
        return None
    if match.group("month") and not 1 <= int(match.group("month")) <= 12:
        return None
    if match.group("day") and not 1 <= int(match.group("day")) <= 31:
        return None
    depth = next((i for i, part in enumerate(parts) if not part), len(parts))
    text = "-".join(p for p in parts[:3] if p)
    if depth > 3:
        text += "T" + parts[3]
    if depth > 4:
        text += ":" + parts[4]
    return text, PRECISIONS[depth - 1]


def find_published(
    root: lxml.html.HtmlElement, articles: list[dict], metas: dict[str, str] | None = None
) -> tuple[str, str] | None:
    """The publication date: JSON-LD datePublished, article:published_time, meta date, <time datetime>."""
    candidates = [item.get("datePublished") for item in articles if isinstance(item.get("datePublished"), str)]
    candidates.append(
        meta_content(
            metas if metas is not None else root, "article:published_time", "og:published_time", "datePublished",
            "date", "dc.date", "dc.date.issued", "dcterms.date", "publish-date", "pubdate", "sailthru.date", "parsely-pub-date",
        )
    )
    candidates.extend(time.get("datetime") for time in root.iter("time"))
    for candidate in candidates:
        parsed = parse_date(candidate)
        if parsed:
            return parsed
    return None


def find_tags(root: lxml.html.HtmlElement, metas: dict[str, str] | None = None) -> tuple[str, ...]:
    """The page's tags: article:tag values, else the keywords meta split on commas, de-duplicated."""
    tags = meta_contents(root, "article:tag")
    if not tags:
        keywords = meta_content(metas if metas is not None else root, "keywords", "news_keywords")
        tags = [part for part in (normalise_space(k) for k in (keywords or "").split(",")) if part]
    return tuple(dict.fromkeys(tags))


_WEB_URL = re.compile(r"https?://[^\s/?#]+\S*\Z", re.IGNORECASE)


def find_url(root: lxml.html.HtmlElement, url: str | None, metas: dict[str, str] | None = None) -> str | None:
    """The canonical URL: link rel=canonical, else og:url, else the URL the page was read from.

    Only an absolute http(s) address counts: a ``javascript:`` or relative href names no source.
    """
    candidates = [link.get("href", "").strip() for link in root.iter("link")
                  if "canonical" in (link.get("rel") or "").lower().split()]
    candidates.append((meta_content(metas if metas is not None else root, "og:url") or "").strip())
    return next((c for c in candidates if _WEB_URL.match(c)), url)


def find_language(root: lxml.html.HtmlElement, metas: dict[str, str] | None = None) -> str | None:
    """The page language from <html lang>, else the content-language meta."""
    lang = normalise_space(root.get("lang") or root.get("xml:lang"))
    return lang or meta_content(metas if metas is not None else root, "content-language", "og:locale") or None


def extract_metadata(root: lxml.html.HtmlElement | None, url: str | None = None) -> Metadata:
    """Read the page's metadata from its head and markup."""
    if root is None:
        return Metadata(url=url)
    articles = article_objects(root)
    metas = meta_map(root)
    site = find_site(root, articles, metas)
    published = find_published(root, articles, metas)
    return Metadata(
        title=find_title(root, site, metas),
        author=find_author(root, articles, metas),
        published=published[0] if published else None,
        published_precision=published[1] if published else None,
        site=site,
        tags=find_tags(root, metas),
        url=find_url(root, url, metas),
        language=find_language(root, metas),
    )
