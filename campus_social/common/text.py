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

import functools
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

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


# --- The rule as the API description states it ------------------------------------------------


@functools.cache
def text_pattern(*, multiline: bool, visible: bool) -> str:
    """The one text rule as a JSON Schema ``pattern``, built from the sets above so the two cannot
    drift: at least one character, none of them refused, and, when ``visible``, one that draws
    something.  (A field that may be blank says so beside the pattern.)

    Only characters up to U+FFFF are named: a pattern is an ECMA-262 expression, which sees a
    character past U+FFFF as two UTF-16 halves.  All refused characters are below it; of the
    invisible ones, a few format characters past it (such as U+E0020–E007F, tag letters) are
    not named, so a text of nothing but those matches yet counts as empty."""
    refused = set(_BIDI_CONTROLS) | {chr(c) for c in range(0x10000) if _is_control(c)}
    if multiline:
        refused -= _LONG_TEXT_CONTROLS
    else:
        refused |= _LINE_SEPARATORS
    allowed = f"[^{_character_class(refused)}]*"
    if not visible:
        return f"^{allowed[:-1]}+$"
    invisible = {char for char in _BLANK_LOOKING if ord(char) <= 0xFFFF} | {
        chr(c)
        for c in range(0x10000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) in _INVISIBLE_CATEGORIES
    }
    return f"^{allowed}[^{_character_class(invisible)}]{allowed}$"


def _is_control(code_point: int) -> bool:
    return not 0xD800 <= code_point <= 0xDFFF and unicodedata.category(chr(code_point)) == "Cc"


def _character_class(chars: set[str]) -> str:
    """``chars`` as the inside of a regular-expression class, in ranges."""
    points = sorted(ord(char) for char in chars)
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return "".join(
        _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"
        for first, last in ranges
    )


def _escape(point: int) -> str:
    return f"\\u{point:04x}"


class TextField(serializers.CharField):
    """An input serializer's free-text field under the one text rule, which the description
    states as a ``pattern`` (``campus_social.common.schema.TextFieldScheme``).

    It refuses what the rule refuses, with the rule's messages, and — unless ``allow_blank`` —
    text with nothing visible in it (the ``blank`` message); its ``max_length`` counts what was
    sent, as the description does (spaces at the ends are not trimmed first).  The value is
    passed on as sent: the service cleans it again where it stores it, for pages and the
    websocket as well.  The app passes its services' messages for ``blank`` and
    ``max_length``."""

    default_error_messages = {"invalid": gettext_lazy("Please enter text.")}

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        # DRF's field would take a number as its digits; the description says a string.
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            visible = text_clean(data, multiline=self.multiline)
        except Invalid as refusal:
            raise serializers.ValidationError(refusal.message, code="invalid") from None
        if not visible and not self.allow_blank:
            self.fail("blank")
        return data


def lazy_message(message: str, **params: Any) -> str:
    """``gettext(message) % params``, translated when shown (in the caller's language), not when
    the module is loaded: for ``error_messages`` that reuse a service's message."""
    return _lazy_format(message, params)


_lazy_format = lazy(lambda message, params: _(message) % params, str)
