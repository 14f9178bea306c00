"""The card readers' API: one route for every kind of session."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.checkin import services
from campus_social.checkin.rest_api import serializers as s
from campus_social.identity.models import ReaderDevice
from campus_social.identity.rest_api.authentication import (
    IsReaderDevice,
    ReaderDeviceAuthentication,
)


class ReaderRequest(Request):
    """The type of ``request`` in a view behind ``IsReaderDevice``."""

    auth: ReaderDevice


class CardCheckInApi(APIView):
    """A card reader at a venue posts each tap."""

    authentication_classes = [ReaderDeviceAuthentication]
    permission_classes = [IsReaderDevice]

    @extend_schema(
        request=s.CardTapInput,
        responses={
            201: s.CardTapOutput,
            403: OpenApiResponse(
                description="``not_enrolled``: the holder is not in the session running here."
            ),
            404: OpenApiResponse(description="``unknown_card``: not registered, or locked."),
            409: OpenApiResponse(description="``no_session``: no session is running here."),
        },
    )
    def post(self, request: ReaderRequest) -> Response:
        """Check the card's holder in to the session running at this reader's venue, of
        whichever kind (``403 not_enrolled`` when they are not in it)."""
        data = s.CardTapInput(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = services.card_check_in(
            reader=request.auth, card_id=data.validated_data["card_id"]
        )
        return Response(s.CardTapOutput(check_in).data, status=status.HTTP_201_CREATED)
