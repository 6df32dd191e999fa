"""The benchmark's query set: single words, two-word AND, phrases, prefixes and fuzzy words.

Drawn with a seeded RNG from the first 1,000 generated documents, so the same queries run at every
corpus size and each finds at least one document. Each query is written once in docket's (whoosh's)
syntax and once in SQLite FTS5's; FTS5 has no fuzzy matching, so a fuzzy query runs there as the
correctly spelled word.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import attrs

from bench.corpus_gen import document

SEED = "docket-bench-queries-1"
DRAW_FROM = 1000
KINDS = ("word", "and", "phrase", "prefix", "fuzzy")
PER_KIND = 44  # 220 queries
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just more most my myself no nor
not now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours with this that from have will were been their which
""".split())
_TOKEN = re.compile(r"[A-Za-z]+")


@attrs.frozen
class BenchQuery:
    """One query: its kind, docket/whoosh syntax and FTS5 syntax."""

    kind: str
    docket: str
    fts5: str


def _words(paragraph: str) -> list[str]:
    """The paragraph's plain alphabetic words in order (lower-cased); a non-word breaks a phrase."""
    return [w.lower() for w in paragraph.split() if _TOKEN.fullmatch(w)]


def _content(words: list[str]) -> list[str]:
    return [w for w in words if len(w) >= 4 and w not in STOPWORDS]


def _typo(rng: random.Random, word: str) -> str:
    """The word with one inner letter replaced (edit distance 1)."""
    i = rng.randrange(2, len(word) - 1)
    letter = rng.choice([c for c in "aeiourstnl" if c != word[i]])
    return word[:i] + letter + word[i + 1:]


def build_queries(shared: Path, count_per_kind: int = PER_KIND) -> list[BenchQuery]:
    """The query set, in a fixed interleaved order of kinds."""
    rng = random.Random(SEED)
    docs = [document(n, shared) for n in range(DRAW_FROM)]
    by_kind: dict[str, list[BenchQuery]] = {kind: [] for kind in KINDS}
    seen: set[str] = set()
    while any(len(v) < count_per_kind for v in by_kind.values()):
        paragraph = rng.choice(rng.choice(docs).paragraphs)
        words = _words(paragraph)
        content = _content(words)
        kind = rng.choice([k for k in KINDS if len(by_kind[k]) < count_per_kind])
        query = None
        if kind == "word" and content:
            w = rng.choice(content)
            query = BenchQuery(kind, w, f'"{w}"')
        elif kind == "and" and len(set(content)) >= 2:
            a, b = rng.sample(sorted(set(content)), 2)
            query = BenchQuery(kind, f"{a} {b}", f'"{a}" AND "{b}"')
        elif kind == "phrase" and len(words) >= 4:
            start = rng.randrange(len(words) - 3)
            run = words[start:start + rng.randint(2, 3)]
            if _content(run):
                phrase = " ".join(run)
                query = BenchQuery(kind, f'"{phrase}"', f'"{phrase}"')
        elif kind == "prefix":
            long = [w for w in content if len(w) >= 7]
            if long:
                stem = rng.choice(long)[: rng.randint(4, 5)]
                query = BenchQuery(kind, f"{stem}*", f"{stem}*")
        elif kind == "fuzzy":
            long = [w for w in content if len(w) >= 7]
            if long:
                w = rng.choice(long)
                query = BenchQuery(kind, f"{_typo(rng, w)}~", f'"{w}"')
        if query is not None and query.docket not in seen:
            seen.add(query.docket)
            by_kind[kind].append(query)
    return [q for group in zip(*(by_kind[k] for k in KINDS), strict=True) for q in group]
