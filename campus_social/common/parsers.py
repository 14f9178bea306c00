"""The API's request parsers.

Kept apart from ``api.py``: DRF's settings import the default parser while ``rest_framework.views``
is being imported, and ``api.py`` imports that module, so a parser living there is a circular
import whenever the parser setting is read first (as ``manage.py check`` does).
"""

from typing import Any

from rest_framework import exceptions, parsers

from campus_social.common.errors import Invalid
from campus_social.common.text import refuse_lone_surrogates


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a lone surrogate (a ``\\ud800`` escape) anywhere in the body —
    the same check the websocket makes on every frame — so that no field can carry one to the
    database."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        try:
            refuse_lone_surrogates(data)
        except Invalid as error:
            raise exceptions.ParseError(error.message) from None
        return data
