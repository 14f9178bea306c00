"""Matched text in <mark>, the same for every backend: the title, and a stretch of the body around
the first match.  Matching follows ``normalize`` — a Japanese term is found as folded text, a
word by its stem — so what is marked is what matched."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campus_social.search.normalize import (
    HALF_WIDTH_VOICING,
    ParsedQuery,
    clusters,
    fold_char,
    fold_chars,
    is_japanese,
    stem,
)

SNIPPET_CHARS = 120


def highlight(text: str, query: ParsedQuery) -> SafeString:
    """All of ``text``, escaped, with every match in <mark>."""
    return _marked(text, _spans(text, query))


def snippet(*texts: str, query: ParsedQuery, length: int = SNIPPET_CHARS) -> SafeString:
    """About ``length`` characters around the first match, from the first of ``texts`` (a
    description, then keywords such as a lecturer's course titles) that has one — else the start
    of the first that is not empty — escaped, matches in <mark>, "…" where it was cut."""
    candidates = [" ".join(text.split()) for text in texts if text.strip()] or [""]
    text, spans = next(
        ((text, spans) for text in candidates if (spans := _spans(text, query))),
        (candidates[0], []),
    )
    start = max(0, spans[0][0] - length // 4) if spans else 0
    end = min(len(text), start + length)
    shown = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    marked = _marked(text[start:end], shown)
    # Safe: ``marked`` is escaped by ``_marked`` and the ellipses are plain text.
    return mark_safe(("…" if start else "") + marked + ("…" if end < len(text) else ""))  # noqa: S308


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    # Safe: every piece of ``text`` went through ``escape``; only <mark> is ours.
    return mark_safe("".join(out))  # noqa: S308


def _spans(text: str, query: ParsedQuery) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of what the query's terms match, merged, in order."""
    folded, origin = _folded_with_origin(text)
    found: list[tuple[int, int]] = []
    for term in query.terms:
        if term.japanese:
            for match in re.finditer(re.escape(term.text), folded):
                found.append((match.start(), match.end()))
        else:
            for start, end in _words(folded):
                word_stem = stem(folded[start:end])
                if word_stem == term.stem or (term.prefix and word_stem.startswith(term.stem)):
                    found.append((start, end))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        real = (origin[start][0], origin[end - 1][1])
        if spans and real[0] <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], real[1]))
        else:
            spans.append(real)
    return spans


def _words(folded: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the words that are not Japanese, as ``normalize.runs`` cuts
    them: "scratchで" holds the word "scratch"."""
    spans: list[tuple[int, int]] = []
    start = None
    for index, char in enumerate(folded):
        if char.isalnum() and not is_japanese(char):
            if start is None:
                start = index
        elif start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(folded)))
    return spans


def _folded_with_origin(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` folded character by character (``clusters``), and for each folded character the
    offsets (start, end) of the original characters it came from."""
    folded = _folded_one_to_one(text)
    if folded is not None:
        return folded, [(index, index + 1) for index in range(len(text))]
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, cluster in clusters(text):
        for folded_char in fold_char(cluster):
            chars.append(folded_char)
            origin.append((start, start + len(cluster)))
    return "".join(chars), origin


def _folded_one_to_one(text: str) -> str | None:
    """The folded text when every character folds to exactly one — almost every description —
    so the offsets need no tracing (folding the whole text at once is many times faster than
    character by character); ``None`` when one composes with a mark or folds into several."""
    if any(char in HALF_WIDTH_VOICING or unicodedata.combining(char) for char in text):
        return None
    folded = fold_chars(text)
    return folded if len(folded) == len(text) else None
