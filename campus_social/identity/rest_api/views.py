from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.http import set_language_cookie
from campus_social.common.schema import ERROR
from campus_social.identity import selectors, services
from campus_social.identity.rest_api import serializers as s
from campus_social.identity.rest_api.authentication import (
    IsReaderDevice,
    ReaderDeviceAuthentication,
)
from campus_social.identity.rest_api.permissions import IsCityStaff


class CardLoginApi(APIView):
    """Sign in with the resident card's identifier and its 4-digit PIN (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=s.CardLoginInput,
        responses={200: s.MeOutput, 401: ERROR, 423: ERROR, 429: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = s.CardLoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        resident = services.card_login(request=request._request, **data.validated_data)
        response = Response(s.MeOutput(selectors.resident_profile(resident=resident)).data)
        set_language_cookie(response, resident.language)
        return response


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: AuthenticatedRequest) -> Response:
        services.session_end_current(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses={200: s.MeOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(s.MeOutput(selectors.resident_profile(resident=request.user)).data)


class MyLanguageApi(APIView):
    @extend_schema(request=s.LanguageInput, responses={204: None})
    def put(self, request: AuthenticatedRequest) -> Response:
        data = s.LanguageInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.resident_language_set(resident=request.user, **data.validated_data)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        set_language_cookie(response, data.validated_data["language"])
        return response


class MySessionListApi(APIView):
    @extend_schema(responses={200: s.SessionOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        sessions = selectors.resident_sessions(resident=request.user)
        context = {"current_session_key": request.session.session_key}
        return Response(s.SessionOutput(sessions, many=True, context=context).data)


class MySessionApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, session_id: int) -> Response:
        services.session_end(resident=request.user, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffResidentListApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: s.ResidentStaffOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        residents = selectors.resident_search_for_staff(
            actor=request.user, query=request.query_params.get("q", "")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(residents, request, view=self)
        return paginator.get_paginated_response(s.ResidentStaffOutput(page, many=True).data)

    @extend_schema(request=s.ResidentRegisterInput, responses={201: s.ResidentStaffOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = s.ResidentRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["roles"] = [services.RoleGrant.parse(text) for text in fields.get("roles", [])]
        resident = services.resident_register(actor=request.user, **fields)
        return Response(s.ResidentStaffOutput(resident).data, status=status.HTTP_201_CREATED)


class StaffResidentApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: s.ResidentStaffOutput})
    def get(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        resident = selectors.resident_get_for_staff(actor=request.user, resident_id=resident_id)
        return Response(s.ResidentStaffOutput(resident).data)


class StaffResidentActiveApi(APIView):
    """Deactivate (DELETE) or reactivate (PUT) a resident.  Deactivating ends every session and
    closes every open websocket."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={200: s.ResidentStaffOutput})
    def put(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        resident = services.resident_reactivate(actor=request.user, resident_id=resident_id)
        return Response(s.ResidentStaffOutput(resident).data)

    @extend_schema(request=None, responses={200: s.ResidentStaffOutput})
    def delete(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        resident = services.resident_deactivate(actor=request.user, resident_id=resident_id)
        return Response(s.ResidentStaffOutput(resident).data)


class StaffResidentCardListApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: s.CardOutput(many=True)})
    def get(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        resident = selectors.resident_get_for_staff(actor=request.user, resident_id=resident_id)
        return Response(s.CardOutput(selectors.resident_cards(resident=resident), many=True).data)

    @extend_schema(request=s.CardReplaceInput, responses={201: s.CardOutput})
    def post(self, request: AuthenticatedRequest, resident_id: int) -> Response:
        """Link a renewed card to this resident; the old card stops working."""
        data = s.CardReplaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.card_replace(
            actor=request.user,
            resident_id=resident_id,
            new_card_id=data.validated_data["card_id"],
            pin=data.validated_data["pin"],
        )
        return Response(s.CardOutput(card).data, status=status.HTTP_201_CREATED)


class StaffCardUnlockApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={200: s.CardOutput})
    def post(self, request: AuthenticatedRequest, card_id: int) -> Response:
        card = services.card_unlock(actor=request.user, card_id=card_id)
        return Response(s.CardOutput(card).data)


class StaffReaderDeviceListApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: s.ReaderDeviceOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        devices = selectors.reader_device_list(actor=request.user)
        return Response(s.ReaderDeviceOutput(devices, many=True).data)

    @extend_schema(request=s.ReaderDeviceInput, responses={201: s.ReaderDeviceOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """Register a reader.  The answer's ``key`` is shown only this once."""
        data = s.ReaderDeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        device, key = services.reader_device_register(
            actor=request.user,
            name=data.validated_data["name"],
            organisation_slug=data.validated_data["organisation"],
        )
        body = {**s.ReaderDeviceOutput(device).data, "key": key}
        return Response(body, status=status.HTTP_201_CREATED)


class StaffReaderDeviceApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={200: s.ReaderDeviceOutput})
    def delete(self, request: AuthenticatedRequest, device_id: int) -> Response:
        device = services.reader_device_deactivate(actor=request.user, device_id=device_id)
        return Response(s.ReaderDeviceOutput(device).data)


class ReaderDeviceMeApi(APIView):
    """A card reader checks its own credential."""

    authentication_classes = [ReaderDeviceAuthentication]
    permission_classes = [IsReaderDevice]

    @extend_schema(responses={200: s.ReaderDeviceOutput})
    def get(self, request: Request) -> Response:
        return Response(s.ReaderDeviceOutput(request.auth).data)


class DistrictListApi(APIView):
    @extend_schema(responses={200: s.DistrictListOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """The city's districts, by reading: ``slug`` is how offerings, circles and their
        filters name one.  A short, fixed list, so not paginated."""
        return Response(s.DistrictListOutput(selectors.district_list(), many=True).data)
