"""A deterministic benchmark corpus: article-like documents recombined from real paragraphs.

Document ``i`` depends only on ``i`` and the paragraph pool (the gold texts of
``../shared/bench/extraction-dev`` and the bundled seeds), never on N: the first 1,000 documents of
the 100,000 are the 1,000 of the smoke run, and the same N always gives the same bytes. Each document
is written twice: as flattened page text (navigation, byline, tags, "Leave a Reply", copyright around
the article) and as a simple HTML page. ``BenchDocument`` keeps the article itself, which the
whoosh-alone and SQLite FTS5 baselines index, so all three engines search the same words.

Usage: python -m bench.corpus_gen N OUTDIR [--shared DIR]
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import attrs

REPO = Path(__file__).resolve().parents[1]
SEED = "docket-bench-1"
MIN_PARAGRAPH = 80
SITES = (
    "Legal Dialogue", "The Baltic Courier", "Caucasus Monitor", "Northern Ledger", "Rights Watch Daily",
    "Civic Record", "The Harbour Times", "Eastern Review", "Open Society Notes", "The Prairie Post",
    "Metro Observer", "River Valley News", "Field Report", "The Morning Dispatch", "Global Voices Desk",
    "Coastal Herald", "The Policy Brief", "Highland Gazette", "Urban Affairs Weekly", "The Evidence Room",
)
SECTIONS = ("News", "World", "Politics", "Health", "Business", "Culture", "Opinion", "Science", "Rights")
FIRST = ("Anna", "Igor", "Maria", "David", "Olga", "James", "Fatima", "Chen", "Lucia", "Tomás", "Amara",
         "Pavel", "Sarah", "Kenji", "Elena", "Omar", "Grace", "Nikolai", "Zoë", "Rahul")
LAST = ("Kochetkov", "Lokshina", "Smith", "Petrova", "García", "Okafor", "Nguyen", "Müller", "Haddad",
        "Ivanova", "Brown", "Kowalski", "Tanaka", "Silva", "Novak", "Andersen", "Rossi", "Kaur", "Levin", "Moreau")
TAGS = ("human rights", "elections", "health", "economy", "climate", "courts", "migration", "technology",
        "education", "media", "LGBT", "Russia", "Chechnya", "Europe", "asylum", "police", "culture", "science")
NAV = ("Home", "News", "World", "Politics", "Opinion", "Subscribe", "Search", "Menu", "Log in")
FIRST_DATE = date(2012, 1, 1)
DAYS = 12 * 365


def default_shared() -> Path:
    """``../shared`` beside the repository, or ``$DOCKET_SHARED``."""
    return Path(os.environ.get("DOCKET_SHARED") or REPO.parent / "shared")


@attrs.frozen
class BenchDocument:
    """One generated article: what a reader sees, before any page furniture is put around it."""

    number: int
    title: str
    site: str
    section: str
    author: str
    published: date
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"doc{self.number:06d}"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def stem(self) -> str:
        """The file name without extension; files fan out into folders of 1,000."""
        return f"{self.number // 1000:03d}/{self.number:06d}"


@lru_cache(maxsize=4)
def paragraph_pool(shared: Path) -> tuple[str, ...]:
    """Every paragraph of at least MIN_PARAGRAPH characters from the gold texts and the seeds, in file order."""
    files = sorted((shared / "bench" / "extraction-dev" / "gold").glob("*.txt"))
    files += sorted((REPO / "corpus" / "sample").glob("*.txt"))
    if not files:
        raise SystemExit(f"no gold texts under {shared}/bench/extraction-dev/gold: set DOCKET_SHARED or --shared")
    pool: list[str] = []
    for path in files:
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = " ".join(block.split())
            if len(block) >= MIN_PARAGRAPH:
                pool.append(block)
    return tuple(pool)


_WORD = re.compile(r"[A-Za-z]{3,}")


def _title(rng: random.Random, paragraph: str) -> str:
    """A headline from a run of the paragraph's words."""
    words = _WORD.findall(paragraph) or ["Report"]
    start = rng.randrange(max(1, len(words) - 8))
    picked = words[start:start + rng.randint(4, 9)]
    return " ".join(w.capitalize() if i == 0 or len(w) > 3 else w for i, w in enumerate(picked))


def document(number: int, shared: Path) -> BenchDocument:
    """Document ``number``: a seeded recombination of 6 to 14 pool paragraphs."""
    pool = paragraph_pool(shared)
    rng = random.Random(f"{SEED}:{number}")
    paragraphs = tuple(pool[rng.randrange(len(pool))] for _ in range(rng.randint(6, 14)))
    return BenchDocument(
        number=number, title=_title(rng, paragraphs[0]), site=rng.choice(SITES), section=rng.choice(SECTIONS),
        author=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        published=FIRST_DATE + timedelta(days=rng.randrange(DAYS)),
        tags=tuple(sorted(set(rng.sample(TAGS, rng.randint(1, 4))))), paragraphs=paragraphs,
    )


def documents(count: int, shared: Path) -> Iterator[BenchDocument]:
    """Documents 0 .. count-1."""
    for number in range(count):
        yield document(number, shared)


def as_text(doc: BenchDocument) -> str:
    """The document as a flattened web page: the article with the page's leftovers around it."""
    rng = random.Random(f"{SEED}:text:{doc.number}")
    when = f"{doc.published:%B} {doc.published.day}, {doc.published.year}"
    lines = [
        "  ".join(rng.sample(NAV, 5)),
        f"Home > {doc.section} >",
        "",
        f"{doc.title} | {doc.site}",
        "",
        f"By {doc.author}",
        when,
        "",
        doc.body,
        "",
        "Tags: " + ", ".join(doc.tags),
        "",
        "Share this: Twitter Facebook Email",
        "",
        "Leave a Reply",
        "",
        "Your email address will not be published. Required fields are marked *",
        "",
        f"© {doc.published.year} {doc.site}. All rights reserved.",
        "",
    ]
    return "\n".join(lines)


def as_html(doc: BenchDocument) -> str:
    """The document as a simple HTML page with navigation, byline, article and footer."""
    esc = html.escape
    nav = "".join(f'<li><a href="/{esc(item.lower())}">{esc(item)}</a></li>' for item in NAV)
    body = "\n".join(f"<p>{esc(p)}</p>" for p in doc.paragraphs)
    tags = ", ".join(f'<a rel="tag" href="/tag/{esc(t)}">{esc(t)}</a>' for t in doc.tags)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(doc.title)} | {esc(doc.site)}</title>
<meta name="author" content="{esc(doc.author)}">
<meta property="article:published_time" content="{doc.published.isoformat()}">
<meta property="og:site_name" content="{esc(doc.site)}">
</head><body>
<header><nav><ul>{nav}</ul></nav></header>
<main><article>
<h1>{esc(doc.title)}</h1>
<p class="byline">By <span class="author">{esc(doc.author)}</span>,
<time datetime="{doc.published.isoformat()}">{doc.published:%B} {doc.published.day}, {doc.published.year}</time></p>
{body}
<p class="tags">Tags: {tags}</p>
</article>
<section id="comments"><h3>Leave a Reply</h3><p>Your email address will not be published.</p></section>
</main>
<footer><p>© {doc.published.year} {esc(doc.site)}. All rights reserved.</p></footer>
</body></html>
"""


def write_corpus(count: int, out: Path, shared: Path, *, html_pages: bool = True) -> tuple[Path, Path]:
    """Write ``text/`` and ``html/`` under ``out`` (skipped when a complete copy is already there)."""
    text_dir, html_dir = out / "text", out / "html"
    stamp = out / f"COMPLETE-{count}"
    if not stamp.exists():
        for doc in documents(count, shared):
            for folder, ext, render in ((text_dir, "txt", as_text), (html_dir, "html", as_html)):
                if folder is html_dir and not html_pages:
                    continue
                path = folder / f"{doc.stem}.{ext}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(doc), encoding="utf-8")
        stamp.write_text(f"{count} documents, seed {SEED}\n", encoding="ascii")
    return text_dir, html_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args()
    text_dir, html_dir = write_corpus(args.count, args.out, args.shared or default_shared())
    print(f"{args.count} documents: {text_dir} and {html_dir}")


if __name__ == "__main__":
    main()
