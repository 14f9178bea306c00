"""The REST side of messaging: the same operations as the websocket protocol (``docs/protocol.md``),
with the same idempotency by ``client_id``, for clients without a socket and for catching up.

Every room route answers 404 to a resident who is not a member (moderation routes: who is not a
moderator), so nobody learns which rooms exist.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.schema import ERROR
from messaging import selectors, services
from messaging.rest_api import serializers as s


class RoomListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.RoomOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My rooms, with how many messages I have not read in each."""
        rooms = selectors.room_list_for_resident(resident=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(rooms, request, view=self) or []
        titles = selectors.room_titles(resident=request.user, rooms=[m.room for m in page])
        output = s.RoomOutput(page, many=True, context={"titles": titles})
        return paginator.get_paginated_response(output.data)


class DirectRoomApi(APIView):
    @extend_schema(
        request=s.DirectRoomInput,
        responses={200: s.RoomOutput, 201: s.RoomOutput},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Open the direct room with another resident (201), or find the one that exists (200).

        A child may open one only with their own guardian; a child who is not one's own answers
        404, as an unknown resident does."""
        data = s.DirectRoomInput(data=request.data)
        data.is_valid(raise_exception=True)
        room, created = services.direct_room_open(
            resident=request.user, other_id=data.validated_data["resident"]
        )
        membership = selectors.room_membership(room_id=room.pk, resident=request.user)
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(
            s.RoomOutput(membership, context={"resident": request.user}).data, status=answer
        )


class RoomApi(APIView):
    @extend_schema(responses={200: s.RoomOutput})
    def get(self, request: AuthenticatedRequest, room_id: int) -> Response:
        membership = selectors.room_membership(room_id=room_id, resident=request.user)
        return Response(s.RoomOutput(membership, context={"resident": request.user}).data)


class MessageListApi(APIView):
    @extend_schema(parameters=[s.MessageListQuery], responses={200: s.MessagePageOutput})
    def get(self, request: AuthenticatedRequest, room_id: int) -> Response:
        """Messages in ``seq`` order: those after ``after``, or the newest ``limit`` before
        ``before``, or the newest ``limit``.  ``last_seq`` tells whether more exist."""
        query = s.MessageListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        membership = selectors.room_membership(room_id=room_id, resident=request.user)
        messages = selectors.message_list(room=membership.room, **query.validated_data)
        # A message may have arrived between the two reads: never answer a last_seq behind it.
        last_seq = max([membership.room.last_seq, *(message.seq for message in messages)])
        return Response(
            {"results": s.MessageOutput(messages, many=True).data, "last_seq": last_seq}
        )

    @extend_schema(
        request=s.MessageSendInput,
        responses={
            201: s.MessageOutput,
            200: OpenApiResponse(s.MessageOutput, description="The client_id was used before."),
            429: ERROR,
        },
    )
    def post(self, request: AuthenticatedRequest, room_id: int) -> Response:
        """Send a message (201).  Sending the same ``client_id`` again stores nothing and answers
        the stored message (200).  Refused while muted (403 ``muted``) or too fast (429)."""
        data = s.MessageSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = services.message_send(
            room_id=room_id, author=request.user, **data.validated_data
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.MessageOutput(message).data, status=answer)


class MessageApi(APIView):
    @extend_schema(request=s.MessageEditInput, responses={200: s.MessageOutput})
    def patch(self, request: AuthenticatedRequest, room_id: int, seq: int) -> Response:
        """Edit my message; moderators can still read what it said before."""
        data = s.MessageEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_edit(
            room_id=room_id, seq=seq, author=request.user, body=data.validated_data["body"]
        )
        return Response(s.MessageOutput(message).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, room_id: int, seq: int) -> Response:
        """Remove my message for everyone."""
        services.message_delete(room_id=room_id, seq=seq, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadApi(APIView):
    @extend_schema(request=s.ReadInput, responses={200: s.UnreadOutput})
    def post(self, request: AuthenticatedRequest, room_id: int) -> Response:
        """Move my read pointer forward to ``seq`` (never back); my open sockets hear the new
        unread count."""
        data = s.ReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        unread = services.read_pointer_move(
            room_id=room_id, resident=request.user, seq=data.validated_data["seq"]
        )
        return Response({"room": room_id, "unread": unread})


class MessageReportApi(APIView):
    @extend_schema(request=s.ReasonInput, responses={201: s.ReportOutput})
    def post(self, request: AuthenticatedRequest, room_id: int, seq: int) -> Response:
        """Report a message to the room's moderators, who are notified."""
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.message_report(
            room_id=room_id, seq=seq, reporter=request.user, **data.validated_data
        )
        return Response(s.ReportOutput(report).data, status=status.HTTP_201_CREATED)


class ReportQueueApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ReportQueueOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Open reports in the rooms I moderate, oldest first."""
        reports = selectors.report_queue(moderator=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(s.ReportQueueOutput(page, many=True).data)


class MessageModerateApi(APIView):
    @extend_schema(request=s.ModerateInput, responses={200: s.MessageOutput})
    def post(self, request: AuthenticatedRequest, room_id: int, seq: int) -> Response:
        """Hide (reversible), restore, or remove (final) a message, or dismiss its reports.
        The reason is kept in the room's moderation log."""
        data = s.ModerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_moderate(
            room_id=room_id, seq=seq, moderator=request.user, **data.validated_data
        )
        return Response(s.MessageOutput(message).data)


class MemberMuteApi(APIView):
    @extend_schema(request=s.MuteInput, responses={200: s.MuteOutput})
    def post(self, request: AuthenticatedRequest, room_id: int, resident_id: int) -> Response:
        """Mute a member for some minutes (0 lifts the mute)."""
        data = s.MuteInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_mute(
            room_id=room_id, moderator=request.user, resident_id=resident_id, **data.validated_data
        )
        return Response(s.MuteOutput(member).data)


class ModerationLogApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ModerationActionOutput(many=True)})
    def get(self, request: AuthenticatedRequest, room_id: int) -> Response:
        """Every moderation act in a room I moderate, newest first."""
        actions = selectors.moderation_log(room_id=room_id, moderator=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(actions, request, view=self)
        return paginator.get_paginated_response(s.ModerationActionOutput(page, many=True).data)


class MessageHistoryApi(APIView):
    @extend_schema(responses={200: s.MessageEditOutput(many=True)})
    def get(self, request: AuthenticatedRequest, room_id: int, seq: int) -> Response:
        """What a message said before each edit, oldest first (moderators only)."""
        edits = selectors.message_history(room_id=room_id, seq=seq, moderator=request.user)
        return Response(s.MessageEditOutput(edits, many=True).data)
