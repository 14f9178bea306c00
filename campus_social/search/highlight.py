"""Matched text in <mark>, the same for every backend: the title, and a stretch of the body around
the first match.  Matching follows ``normalize`` — a Japanese term is found as folded text, a
word by its stem — so what is marked is what matched."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campus_social.search.normalize import ParsedQuery, fold_char, is_japanese, stem

SNIPPET_CHARS = 120


def highlight(text: str, query: ParsedQuery) -> SafeString:
    """All of ``text``, escaped, with every match in <mark>."""
    return _marked(text, _spans(text, query))


def snippet(text: str, query: ParsedQuery, *, length: int = SNIPPET_CHARS) -> SafeString:
    """About ``length`` characters of ``text`` around its first match (its start when nothing
    in it matched), escaped, matches in <mark>, "…" where it was cut."""
    text = " ".join(text.split())
    spans = _spans(text, query)
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
        real = (origin[start], origin[end - 1] + 1)
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


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, and for each folded character the offset of the
    original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded_char in fold_char(char):
            chars.append(folded_char)
            origin.append(index)
    return "".join(chars), origin
