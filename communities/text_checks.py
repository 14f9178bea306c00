"""Checks on the text and fields residents send, shared by the circle and the program services
(the one module both may import: neither imports the other's).

Each check appends its refusal to a per-field ``errors`` dict; ``fail`` raises them together as
one ``Invalid``, so that a form shows every problem at once.
"""

from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid
from campus_social.common.text import text_clean


def fail(errors: dict[str, list[str]], *, code: str = "invalid") -> None:
    """Raise the collected refusals (the first one as the message), if any."""
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first, code=code, fields=errors)


def text(
    errors: dict[str, list[str]],
    field: str,
    value: object,
    *,
    limit: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """``value`` as clean text (NFC, no control or bidi characters — the one text rule of
    ``campus_social.common.text``), or ``""`` with a refusal added for ``field``."""
    cleaned = ""
    if isinstance(value, str):
        # Nothing but invisible characters counts as empty.
        try:
            cleaned = text_clean(value, multiline=multiline).strip()
        except Invalid as refusal:
            errors.setdefault(field, []).append(refusal.message)
            return ""
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(_("Please enter text."))
    elif required and not cleaned:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(cleaned) > limit:
        errors.setdefault(field, []).append(
            _("At most %(limit)d characters, please.") % {"limit": limit}
        )
    return cleaned
