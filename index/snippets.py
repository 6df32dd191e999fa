"""Snippets: where the query matched in a document, and the passages that show it best.

Match positions come from the index (the body field stores each term's characters), so a hit costs
a few postings lookups and never re-tokenizes its text. Words of a phrase are marked only where the
phrase occurs, and an exact phrase is marked as one range; prefix and fuzzy matches are marked as the
words they matched.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from whoosh.reading import TermNotFound

from index.query import HighlightPlan, PhrasePlan
from index.values import Snippet

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")
LEAD_CHARS = 200
FRAGMENT_CHARS = 220

Occurrences = dict[str, list[tuple[int, int, int]]]  # term -> [(position, startchar, endchar)]


def term_occurrences(reader, docnum: int, fieldname: str, terms: Iterable[str]) -> Occurrences:  # noqa: ANN001
    """Where each of ``terms`` occurs in one document's field: (position, start, end) from the postings.

    Read from the one segment that holds the document: one term lookup each, not one per segment.
    """
    field = reader.schema[fieldname]
    segment, local = _segment_of(reader, docnum)
    found: Occurrences = {}
    for text in terms:
        try:
            matcher = segment.postings(fieldname, field.to_bytes(text))
        except TermNotFound:
            continue
        matcher.skip_to(local)
        if matcher.is_active() and matcher.id() == local:
            found[text] = matcher.value_as("characters")
    return found


def _segment_of(reader, docnum: int):  # noqa: ANN001, ANN202 - whoosh readers
    """The segment reader holding ``docnum`` and the document's number inside it."""
    leaves = list(reader.leaf_readers())
    index = bisect.bisect_right([base for _segment, base in leaves], docnum) - 1
    segment, base = leaves[index]
    return segment, docnum - base


def _phrase_spans(phrase: PhrasePlan, found: Occurrences) -> list[tuple[int, int]]:
    """Ranges where the phrase occurs: one range for an exact phrase, each word's for a proximity one."""
    if any(word not in found for word in phrase.words):
        return []
    by_pos = [{pos: (start, end) for pos, start, end in found[word]} for word in phrase.words]
    spans: list[tuple[int, int]] = []
    for first in sorted(by_pos[0]):
        chain = [first]
        for positions in by_pos[1:]:
            nxt = next((p for p in range(chain[-1] + 1, chain[-1] + phrase.slop + 1) if p in positions), None)
            if nxt is None:
                break
            chain.append(nxt)
        if len(chain) < len(by_pos):
            continue
        ranges = [by_pos[i][p] for i, p in enumerate(chain)]
        if phrase.slop == 1:
            spans.append((ranges[0][0], max(r[1] for r in ranges)))
        else:
            spans += ranges
    return spans


def match_spans(found: Occurrences, plan: HighlightPlan) -> list[tuple[int, int]]:
    """Every range to mark, sorted, overlaps merged."""
    spans = [(start, end) for term, occ in found.items() if term not in plan.phrase_only for _, start, end in occ]
    for phrase in plan.phrases:
        spans += _phrase_spans(phrase, found)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _squash(text: str) -> str:
    """Collapse whitespace runs (paragraph breaks included) to one space."""
    return _SPACE.sub(" ", text)


def build_snippet(text: str, start: int, end: int, matches: list[tuple[int, int]]) -> Snippet:
    """The passage ``text[start:end]`` on one line, with ``matches`` (absolute ranges) re-based into it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    prefix = "…" if _WORD.search(text, 0, start) else ""
    suffix = "…" if _WORD.search(text, end) else ""
    pieces, spans, cursor, length = [prefix], [], start, len(prefix)
    for m_start, m_end in matches:
        if m_start < cursor or m_end > end:
            continue
        gap = _squash(text[cursor:m_start])
        word = _squash(text[m_start:m_end])
        pieces += [gap, word]
        spans.append((length + len(gap), length + len(gap) + len(word)))
        length += len(gap) + len(word)
        cursor = m_end
    pieces += [_squash(text[cursor:end]), suffix]
    return Snippet(text="".join(pieces), highlights=tuple(spans), start=start, end=end)


def _windows(spans: list[tuple[int, int]], text: str, width: int) -> list[tuple[float, int, int]]:
    """Candidate fragments: runs of matches that fit in ``width``, scored by distinct words then count."""
    out = []
    for i, (start, _) in enumerate(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - start <= width:
            j += 1
        words = {text[s:e].lower() for s, e in spans[i:j + 1]}
        out.append((len(words) * 2 + (j - i + 1) * 0.5, i, j))
    return out


def _expand(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to about ``width`` characters of context, cut at word boundaries."""
    room = max(0, width - (end - start))
    left = max(0, start - room // 3)
    right = min(len(text), end + (room - (start - left)))
    if left > 0:
        sentence = max(text.rfind(". ", left, start), text.rfind("\n", left, start))
        if sentence >= 0:
            left = sentence + 1
        else:
            space = text.find(" ", left, start)
            left = space + 1 if space >= 0 else start
    if right < len(text):
        space = max(text.rfind(" ", end, right), text.rfind("\n", end, right))
        right = space if space >= 0 else end
    return left, right


def best_snippets(text: str, spans: list[tuple[int, int]], top: int = 3,
                  width: int = FRAGMENT_CHARS) -> tuple[Snippet, ...]:
    """Up to ``top`` passages around the best clusters of matches, in document order."""
    chosen: list[tuple[int, int]] = []
    used: set[int] = set()
    for _score, i, j in sorted(_windows(spans, text, width), key=lambda w: (-w[0], w[1])):
        if len(chosen) >= top:
            break
        if used.intersection(range(i, j + 1)):
            continue
        used.update(range(i, j + 1))
        chosen.append((i, j))
    out = []
    for i, j in sorted(chosen):
        start, end = _expand(text, spans[i][0], spans[j][1], width)
        out.append(build_snippet(text, start, end, [s for s in spans if s[0] >= start and s[1] <= end]))
    return tuple(out)


def lead_snippet(body: str) -> Snippet:
    """The opening of the body, cut at a word boundary: the passage shown when only the title matched."""
    end = len(body)
    if end > LEAD_CHARS:
        space = body.rfind(" ", 0, LEAD_CHARS + 40)
        end = space if space > LEAD_CHARS // 2 else LEAD_CHARS
    return build_snippet(body, 0, end, [])


def title_snippet(title: str, matches: list[tuple[int, int]], body: str) -> Snippet:
    """For a title-only match: the title with its matches highlighted, then the body's lead."""
    head = build_snippet(title, 0, len(title), matches)
    lead = lead_snippet(body)
    separator = " — " if lead.text else ""
    return Snippet(text=head.text + separator + lead.text, highlights=head.highlights)
