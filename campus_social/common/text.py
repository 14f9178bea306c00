"""Free text from residents, made safe to keep and to show: one rule for every text field.

Every service that stores text a person typed (names and their kana, titles, descriptions,
posts, chat messages, reasons) passes it through ``text_clean``, whether it came from a page, the
REST API or the websocket, so the three can never disagree.  The rule:

- the text is normalised to NFC, so "ガ" typed as カ + a combining mark is the same "ガ" that
  search and duplicate checks see;
- control characters are refused (long text keeps line breaks and tabs; a one-line name keeps
  neither): a NUL or an escape sequence has no place in what residents read;
- characters that reorder the text around them (bidi embeddings, overrides, isolates) are refused:
  "abc\\u202egpj.exe" shows as "abcexe.jpg", and nobody types one by hand;
- a lone surrogate (half of a character, only reachable through a JSON ``\\ud800`` escape) is
  refused: PostgreSQL and SQLite cannot store it;
- text with nothing visible in it (only spaces and zero-width characters) counts as empty, so a
  required name cannot be made invisible.

Zero-width joiners inside text are kept: emoji families and some scripts need them.
"""

import unicodedata
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid

# Explicit embeddings and overrides (U+202A–202E) and isolates (U+2066–2069).  The implicit marks
# (LRM, RLM, ALM) only nudge neutral characters and are counted as invisible instead.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LONG_TEXT_CONTROLS = frozenset("\n\r\t")
# Line and paragraph separators are not control characters but still break a one-line name.
_LINE_SEPARATORS = frozenset("\u2028\u2029")
# Characters that draw nothing yet are neither whitespace nor format characters: combining
# grapheme joiner, Hangul fillers, the blank Braille pattern, Mongolian and variation selectors.
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0") | frozenset(
    chr(c) for c in (*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def text_clean(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC, or ``""`` when nothing visible is left in it.

    Whitespace at the ends is left to the caller (chat keeps it, names trim it).  Raises
    ``Invalid`` (code ``invalid``) for a control character — line breaks and tabs are allowed
    only when ``multiline`` — a bidi control, or a lone surrogate.
    """
    problem = _problem(value, multiline=multiline)
    if problem is not None:
        raise Invalid(problem, code="invalid")
    text = unicodedata.normalize("NFC", value)
    return text if has_visible_text(text) else ""


def has_visible_text(text: str) -> bool:
    """True when at least one character of ``text`` draws something."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_LOOKING
        for char in text
    )


def _problem(value: str, *, multiline: bool) -> str | None:
    if _unencodable(value):
        return _broken()
    for char in value:
        if char in _BIDI_CONTROLS:
            return _(
                "The text contains a character that changes the writing direction. "
                "Please remove it."
            )
        if multiline and (char in _LONG_TEXT_CONTROLS or char in _LINE_SEPARATORS):
            continue
        if char in _LINE_SEPARATORS or char in "\n\r":
            return _("Please write this on one line.")
        if unicodedata.category(char) == "Cc":
            return _("The text contains an invisible control character. Please remove it.")
    return None


def refuse_lone_surrogates(value: Any) -> None:
    """Raise ``Invalid`` when any string in ``value`` (parsed JSON: keys, values, lists) holds
    half of a character.  Called where JSON enters — the API's parser and the websocket — so no
    field, not only the text ones, can carry one to the database."""
    if any(_unencodable(text) for text in _strings(value)):
        raise Invalid(_broken(), code="invalid")


def _broken() -> str:
    return _("The text contains a broken character. Please type it again.")


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
