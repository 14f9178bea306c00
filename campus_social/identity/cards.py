"""Card identifiers and PINs as values: parsing, and the keyed hash they are stored under.

A card identifier is what the reader gets from the card: the serial of its authentication
certificate or the operator's per-service ID.  We accept 8–64 letters and digits (spaces and
dashes, as people type them, are ignored) and keep only ``HMAC-SHA256(CARD_HMAC_KEY, id)``.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid
from campus_social.common.my_number import looks_like_my_number

_CARD_ID = re.compile(r"^[A-Z0-9]{8,64}$")
_PIN = re.compile(r"^[0-9]{4}$")
_IGNORED = re.compile(r"[\s\-]")


def refuse_my_number(value: str, *, field: str) -> None:
    """Raise ``Invalid`` (code ``my_number``) when an identity input is a My Number."""
    if looks_like_my_number(value):
        message = _(
            "This looks like an individual number (My Number). Campus Social never uses "
            "My Numbers: please use your resident card instead."
        )
        raise Invalid(message, code="my_number", fields={field: [message]})


def parse_card_id(raw: object, *, field: str = "card_id") -> str:
    """The normalised card identifier, or ``Invalid`` with a message for the resident."""
    if not isinstance(raw, str) or not raw.strip():
        message = _("Please hold your card to the reader or type its number.")
        raise Invalid(message, code="invalid_card_id", fields={field: [message]})
    refuse_my_number(raw, field=field)
    card_id = _IGNORED.sub("", raw).upper()
    if not _CARD_ID.fullmatch(card_id):
        message = _(
            "A card number has 8 to 64 letters and digits. Please check the card and try again."
        )
        raise Invalid(message, code="invalid_card_id", fields={field: [message]})
    return card_id


def parse_pin(raw: object, *, field: str = "pin") -> str:
    if not isinstance(raw, str) or not _PIN.fullmatch(raw):
        message = _("The PIN is 4 digits.")
        raise Invalid(message, code="invalid_pin", fields={field: [message]})
    return raw


def card_hash(card_id: str) -> str:
    """The keyed hash a normalised card identifier is stored and looked up under."""
    key = settings.CARD_HMAC_KEY.encode()
    return hmac.new(key, card_id.encode(), hashlib.sha256).hexdigest()
