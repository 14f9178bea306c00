"""Login throttles: per card (keyed by the card's hash, never the card id) and per address."""

import hashlib

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from campus_social.common.errors import Invalid
from campus_social.identity.cards import card_hash, parse_card_id


class CardLoginPerCardThrottle(SimpleRateThrottle):
    scope = "card_login_card"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        raw = request.data.get("card_id") if isinstance(request.data, dict) else None
        if not isinstance(raw, str):
            return None
        try:
            ident = card_hash(parse_card_id(raw))
        except Invalid:
            # Malformed input is refused anyway; still count it, under a hash of what was sent.
            ident = hashlib.sha256(raw.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CardLoginPerAddressThrottle(SimpleRateThrottle):
    scope = "card_login_address"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
