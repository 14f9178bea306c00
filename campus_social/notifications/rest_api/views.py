from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.notifications import selectors, services
from campus_social.notifications.kinds import KINDS
from campus_social.notifications.rest_api import serializers as s


class NotificationListApi(APIView):
    """The signed-in resident's notifications, newest first (``?unread=true``: unread only)."""

    pagination_class = Pagination  # read by drf-spectacular to describe the paginated answer

    @extend_schema(
        parameters=[s.NotificationListFilter], responses={200: s.NotificationOutput(many=True)}
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = s.NotificationListFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        notifications = selectors.notification_list(
            resident=request.user, unread_only=query.validated_data["unread"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(s.NotificationOutput(page, many=True).data)


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={200: s.NotificationOutput})
    def post(self, request: AuthenticatedRequest, notification_id: int) -> Response:
        notification = services.notification_mark_read(
            resident=request.user, notification_id=notification_id
        )
        return Response(s.NotificationOutput(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: AuthenticatedRequest) -> Response:
        services.notification_mark_all_read(resident=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyNotificationPreferenceListApi(APIView):
    """Every kind of notification, with how the resident is told of it."""

    @extend_schema(responses={200: s.PreferenceOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        preferences = selectors.notification_preferences(resident=request.user)
        return Response(s.PreferenceOutput(preferences, many=True).data)


class MyNotificationPreferenceApi(APIView):
    # The kinds apps registered in ``AppConfig.ready()``, which has run by the time the URLconf
    # imports this module; any other kind answers 400.
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.PATH,
                enum=sorted(KINDS),
                description="A kind of notification, as ``GET`` on the list names it.",
            )
        ],
        request=s.PreferenceInput,
        responses={200: s.PreferenceOutput},
    )
    def put(self, request: AuthenticatedRequest, kind: str) -> Response:
        data = s.PreferenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.notification_preferences_set(
            resident=request.user, kind=kind, **data.validated_data
        )
        return Response(s.PreferenceOutput(preference).data)
