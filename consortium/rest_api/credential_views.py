"""Placeholder: a learner's credential downloads (being built now)."""

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.errors import NotFound


class CreditCredentialApi(APIView):
    def get(self, request: Request, record_id: int, **kwargs: Any) -> Response:
        raise NotFound("Not built yet.")


class CreditClrApi(APIView):
    def get(self, request: Request, **kwargs: Any) -> Response:
        raise NotFound("Not built yet.")
