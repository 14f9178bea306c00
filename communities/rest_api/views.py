"""The circles API: finding, joining and running learner circles, and their members,
discussions, events and shared resources.

An invite-only circle the resident may not know of answers 404, as an unknown one does.  Inside a
circle the resident may see, who is not a member gets 403 ``not_a_member``.  A discussion, reply,
event or resource is always read through the circle in the address, so one that belongs to
another circle answers 404 there.
"""

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import ICalendarRenderer, Pagination, paginated
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.parsers import JSONParser
from campus_social.identity.selectors import require_city_staff
from communities import responses, selectors, services
from communities.models import Resource
from communities.rest_api import serializers as s
from communities.uploads import SERVED_CONTENT_TYPES


def _circle(request: AuthenticatedRequest, circle_id: int, *, answer: int = 200) -> Response:
    """The circle as its page shows it, with the actor's standing in it."""
    circle = selectors.circle_detail(circle_id=circle_id, actor=request.user)
    standing = selectors.circle_standing(circle=circle, resident=request.user)
    context = {
        "standing": standing,
        "statuses": {} if standing is None else {circle.pk: standing.status},
    }
    return Response(s.CircleDetailOutput(circle, context=context).data, status=answer)


# --- Finding circles ---------------------------------------------------------------------------


class CircleListApi(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[s.CircleListQuery], responses={200: s.CircleOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Circles I may know of that are not closed, by kana reading, with my standing."""
        query = s.CircleListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        given = query.validated_data
        filters = selectors.CircleFilters(
            topic=given.get("topic", ""),
            district=given.get("district", ""),
            active_within_days=given.get("active_within_days"),
            for_children=given.get("for_children"),
            query=given.get("q", ""),
        )
        circles = selectors.circle_directory(actor=request.user, filters=filters)
        paginator = Pagination()
        page = paginator.paginate_queryset(circles, request, view=self) or []
        context = {"statuses": selectors.circle_standings(resident=request.user, circles=page)}
        return paginator.get_paginated_response(
            s.CircleOutput(page, many=True, context=context).data
        )

    @extend_schema(request=s.CircleCreateInput, responses={201: s.CircleDetailOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """A new circle, with me as its organiser.  Opening it to children needs a current
        vetting record (403 ``vetting_required``)."""
        data = s.CircleCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        circle = services.circle_create(actor=request.user, **data.validated_data)
        return _circle(request, circle.pk, answer=status.HTTP_201_CREATED)


class MyCircleListApi(APIView):
    @extend_schema(responses={200: s.MyCircleOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My circles and my children's: where we are members, invited, or waiting."""
        standings = selectors.my_circles(resident=request.user)
        return Response(s.MyCircleOutput(standings, many=True).data)


class CircleSurvivalApi(APIView):
    @extend_schema(parameters=[s.SurvivalQuery], responses={200: s.SurvivalOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        """For the city's dashboard (city staff only): of the circles born from courses that
        ended at least ``weeks`` weeks ago, how many still met or talked after that long."""
        require_city_staff(request.user)
        query = s.SurvivalQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        survival = selectors.course_circle_survival(weeks=query.validated_data["weeks"])
        return Response(s.SurvivalOutput(survival).data)


# --- One circle ------------------------------------------------------------------------------


class CircleApi(APIView):
    @extend_schema(responses={200: s.CircleDetailOutput})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        return _circle(request, circle_id)

    @extend_schema(request=s.CircleUpdateInput, responses={200: s.CircleDetailOutput})
    def patch(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Change the fields sent (the organiser only)."""
        data = s.CircleUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.circle_update(actor=request.user, circle_id=circle_id, **data.validated_data)
        return _circle(request, circle_id)


class CircleCloseApi(APIView):
    @extend_schema(request=None, responses={200: s.CircleBriefOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Close the circle (its organiser, or city staff): it stays readable to its members,
        and nothing new can be added."""
        # Answered from the service's circle, not read again: city staff may close a circle
        # they cannot see.
        circle = services.circle_close(actor=request.user, circle_id=circle_id)
        return Response(s.CircleBriefOutput(circle).data)


class CirclePictureApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: AuthenticatedRequest, circle_id: int) -> FileResponse:
        """The circle's picture (404 when it has none)."""
        circle = selectors.circle_get(circle_id=circle_id, actor=request.user)
        return responses.circle_picture(circle)

    @extend_schema(request=s.PictureInput, responses={200: s.CircleDetailOutput})
    def put(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """A new picture (organisers and moderators); it is re-encoded without EXIF or GPS."""
        data = s.PictureInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.circle_picture_set(
            actor=request.user, circle_id=circle_id, upload=data.validated_data["picture"]
        )
        return _circle(request, circle_id)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        services.circle_picture_remove(actor=request.user, circle_id=circle_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Membership ------------------------------------------------------------------------------


class CircleJoinApi(APIView):
    @extend_schema(request=s.JoinInput, responses={201: s.StandingOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Join an open circle or accept an invitation (``active``), or ask to join a moderated
        one (``requested``).  A guardian joins their child to a circle open to children.
        Refusals: 403 ``invite_only``, ``banned``, ``guardian_required``,
        ``not_for_children``; 409 ``already_member``, ``requested``, ``closed``."""
        data = s.JoinInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.circle_join(
            actor=request.user,
            circle_id=circle_id,
            resident_id=data.validated_data.get("resident_id"),
        )
        return Response(s.StandingOutput(membership).data, status=status.HTTP_201_CREATED)


class CircleLeaveApi(APIView):
    @extend_schema(request=s.LeaveInput, responses={204: None})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Leave (or take my child out, withdraw a request, decline an invitation).  The
        organiser names a successor first (409 ``successor_required``)."""
        data = s.LeaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.circle_leave(
            actor=request.user,
            circle_id=circle_id,
            resident_id=data.validated_data.get("resident_id"),
            successor_id=data.validated_data.get("successor_id"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleMemberListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.MemberOutput(many=True)})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """The members, organiser first; children by their given name only."""
        members = selectors.circle_members(circle_id=circle_id, actor=request.user)
        return paginated(self, request, members, s.MemberOutput)


class CircleMemberApi(APIView):
    @extend_schema(request=s.RoleInput, responses={200: s.MemberOutput})
    def patch(self, request: AuthenticatedRequest, circle_id: int, resident_id: int) -> Response:
        """Make a member a moderator or a plain member (the organiser only)."""
        data = s.RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.circle_role_set(
            actor=request.user,
            circle_id=circle_id,
            resident_id=resident_id,
            role=data.validated_data["role"],
        )
        return Response(s.MemberOutput(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, circle_id: int, resident_id: int) -> Response:
        """Remove a member or withdraw an invitation (organisers and moderators)."""
        services.circle_member_remove(
            actor=request.user, circle_id=circle_id, resident_id=resident_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleMemberBanApi(APIView):
    @extend_schema(request=None, responses={200: s.StatusOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int, resident_id: int) -> Response:
        """Remove a resident and keep them out (organisers and moderators)."""
        membership = services.circle_member_remove(
            actor=request.user, circle_id=circle_id, resident_id=resident_id, ban=True
        )
        assert membership is not None
        return Response({"status": membership.status})


class CircleBanApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, circle_id: int, resident_id: int) -> Response:
        """Lift a ban: the resident may join (or ask) again."""
        services.circle_unban(actor=request.user, circle_id=circle_id, resident_id=resident_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CirclePendingApi(APIView):
    @extend_schema(responses={200: s.PendingOutput(many=True)})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Requests, invitations and bans (organisers and moderators)."""
        pending = selectors.circle_pending(circle_id=circle_id, actor=request.user)
        return Response(s.PendingOutput(pending, many=True).data)


class CircleInvitationApi(APIView):
    @extend_schema(request=s.InvitationInput, responses={201: s.StandingOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Invite a resident (organisers and moderators); one who asked to join is let in."""
        data = s.InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.circle_invite(
            actor=request.user, circle_id=circle_id, resident_id=data.validated_data["resident_id"]
        )
        return Response(s.StandingOutput(membership).data, status=status.HTTP_201_CREATED)


class CircleRequestApi(APIView):
    @extend_schema(request=s.RequestDecisionInput, responses={200: s.StatusOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int, resident_id: int) -> Response:
        """Approve (``active``) or decline (``declined``: the request is forgotten) a request
        to join."""
        data = s.RequestDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.circle_request_decide(
            actor=request.user,
            circle_id=circle_id,
            resident_id=resident_id,
            approve=data.validated_data["approve"],
        )
        return Response({"status": "declined" if membership is None else membership.status})


class CircleOrganiserApi(APIView):
    @extend_schema(request=s.SuccessorInput, responses={200: s.MemberOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Hand the organiser role to another member; I stay as a moderator."""
        data = s.SuccessorInput(data=request.data)
        data.is_valid(raise_exception=True)
        successor = services.circle_organiser_hand_on(
            actor=request.user,
            circle_id=circle_id,
            successor_id=data.validated_data["successor_id"],
        )
        return Response(s.MemberOutput(successor).data)


# --- Discussions ------------------------------------------------------------------------------


class ThreadListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.ThreadOutput(many=True)})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """The discussions, the latest post first."""
        threads = selectors.thread_list(circle_id=circle_id, actor=request.user)
        return paginated(self, request, threads, s.ThreadOutput)

    @extend_schema(request=s.ThreadInput, responses={201: s.ThreadBodyOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Start a discussion (members only)."""
        data = s.ThreadInput(data=request.data)
        data.is_valid(raise_exception=True)
        thread = services.thread_create(
            actor=request.user, circle_id=circle_id, **data.validated_data
        )
        output = s.ThreadBodyOutput(thread, context={"actor": request.user})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ThreadApi(APIView):
    @extend_schema(responses={200: s.ThreadDetailOutput})
    def get(self, request: AuthenticatedRequest, circle_id: int, thread_id: int) -> Response:
        """A discussion with its replies, oldest first."""
        thread = selectors.thread_detail(
            circle_id=circle_id, thread_id=thread_id, actor=request.user
        )
        context = {"actor": request.user, "replies": selectors.reply_list(thread=thread)}
        return Response(s.ThreadDetailOutput(thread, context=context).data)

    @extend_schema(request=s.ThreadEditInput, responses={200: s.ThreadBodyOutput})
    def patch(self, request: AuthenticatedRequest, circle_id: int, thread_id: int) -> Response:
        """Edit my discussion (403 ``not_author`` for another member's)."""
        data = s.ThreadEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.thread_detail(circle_id=circle_id, thread_id=thread_id, actor=request.user)
        thread = services.thread_edit(
            actor=request.user, thread_id=thread_id, **data.validated_data
        )
        return Response(s.ThreadBodyOutput(thread, context={"actor": request.user}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, circle_id: int, thread_id: int) -> Response:
        """Remove a discussion: my own, or any as an organiser or moderator."""
        selectors.thread_detail(circle_id=circle_id, thread_id=thread_id, actor=request.user)
        services.thread_remove(actor=request.user, thread_id=thread_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReplyListApi(APIView):
    @extend_schema(request=s.ReplyInput, responses={201: s.ReplyOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int, thread_id: int) -> Response:
        """Reply to a discussion (members only)."""
        data = s.ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.thread_detail(circle_id=circle_id, thread_id=thread_id, actor=request.user)
        reply = services.reply_create(
            actor=request.user, thread_id=thread_id, body=data.validated_data["body"]
        )
        output = s.ReplyOutput(reply, context={"actor": request.user})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ReplyApi(APIView):
    @extend_schema(request=s.ReplyInput, responses={200: s.ReplyOutput})
    def patch(
        self, request: AuthenticatedRequest, circle_id: int, thread_id: int, reply_id: int
    ) -> Response:
        """Edit my reply (403 ``not_author`` for another member's)."""
        data = s.ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.reply_get(
            thread=selectors.thread_detail(
                circle_id=circle_id, thread_id=thread_id, actor=request.user
            ),
            reply_id=reply_id,
        )
        reply = services.reply_edit(
            actor=request.user, reply_id=reply_id, body=data.validated_data["body"]
        )
        return Response(s.ReplyOutput(reply, context={"actor": request.user}).data)

    @extend_schema(responses={204: None})
    def delete(
        self, request: AuthenticatedRequest, circle_id: int, thread_id: int, reply_id: int
    ) -> Response:
        """Remove a reply: my own, or any as an organiser or moderator."""
        selectors.reply_get(
            thread=selectors.thread_detail(
                circle_id=circle_id, thread_id=thread_id, actor=request.user
            ),
            reply_id=reply_id,
        )
        services.reply_remove(actor=request.user, reply_id=reply_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Events -----------------------------------------------------------------------------------

_WHEN = {"upcoming": True, "past": False, "all": None}


def _event(
    request: AuthenticatedRequest, circle_id: int, event_id: int, *, answer: int = 200
) -> Response:
    """The event with its counts and my answer."""
    event = selectors.event_detail(circle_id=circle_id, event_id=event_id, actor=request.user)
    context = {"rsvp": selectors.rsvp_of(event=event, resident=request.user)}
    return Response(s.EventDetailOutput(event, context=context).data, status=answer)


class EventListApi(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[s.EventListQuery], responses={200: s.EventOutput(many=True)})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """The circle's events with how many are coming."""
        query = s.EventListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        upcoming = _WHEN[query.validated_data["when"]]
        events = selectors.event_list(circle_id=circle_id, actor=request.user, upcoming=upcoming)
        return paginated(self, request, events, s.EventOutput)

    @extend_schema(request=s.EventCreateInput, responses={201: s.EventDetailOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Plan a meeting (organisers and moderators); the members are told."""
        data = s.EventCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_create(
            actor=request.user, circle_id=circle_id, **data.validated_data
        )
        return _event(request, circle_id, event.pk, answer=status.HTTP_201_CREATED)


class EventsCalendarApi(APIView):
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="v1_circles_events_calendar_retrieve",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request: AuthenticatedRequest, circle_id: int) -> HttpResponse:
        """The circle's events, upcoming and past, as an iCalendar file."""
        circle = selectors.circle_get(circle_id=circle_id, actor=request.user)
        events = selectors.event_list(circle_id=circle.pk, actor=request.user, upcoming=None)
        return responses.events_ics(request, events, name=circle.name)


class EventApi(APIView):
    @extend_schema(responses={200: s.EventDetailOutput})
    def get(self, request: AuthenticatedRequest, circle_id: int, event_id: int) -> Response:
        """An event with how many are coming and my answer."""
        return _event(request, circle_id, event_id)

    @extend_schema(request=s.EventUpdateInput, responses={200: s.EventDetailOutput})
    def patch(self, request: AuthenticatedRequest, circle_id: int, event_id: int) -> Response:
        """Change the fields sent (organisers and moderators)."""
        data = s.EventUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.event_detail(circle_id=circle_id, event_id=event_id, actor=request.user)
        services.event_update(actor=request.user, event_id=event_id, **data.validated_data)
        return _event(request, circle_id, event_id)


class EventCancelApi(APIView):
    @extend_schema(request=None, responses={200: s.EventDetailOutput})
    def post(self, request: AuthenticatedRequest, circle_id: int, event_id: int) -> Response:
        """Cancel the event (organisers and moderators); the members are told."""
        selectors.event_detail(circle_id=circle_id, event_id=event_id, actor=request.user)
        services.event_cancel(actor=request.user, event_id=event_id)
        return _event(request, circle_id, event_id)


class EventRsvpApi(APIView):
    @extend_schema(request=s.RsvpInput, responses={200: s.RsvpOutput})
    def put(self, request: AuthenticatedRequest, circle_id: int, event_id: int) -> Response:
        """Say whether I come (or my child does).  409 ``cancelled`` or ``past``."""
        data = s.RsvpInput(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.event_detail(circle_id=circle_id, event_id=event_id, actor=request.user)
        rsvp = services.rsvp_set(
            actor=request.user,
            event_id=event_id,
            answer=data.validated_data["answer"],
            resident_id=data.validated_data.get("resident_id"),
        )
        return Response(s.RsvpOutput(rsvp).data)


class EventCalendarApi(APIView):
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="v1_circles_event_calendar_retrieve",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request: AuthenticatedRequest, circle_id: int, event_id: int) -> HttpResponse:
        """One event as an iCalendar file."""
        event = selectors.event_detail(circle_id=circle_id, event_id=event_id, actor=request.user)
        return responses.events_ics(request, [event], name=event.circle.name)


# --- Shared resources -------------------------------------------------------------------------


class ResourceListApi(APIView):
    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses={200: s.ResourceOutput(many=True)})
    def get(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Links and files shared in the circle, newest first."""
        resources = selectors.resource_list(circle_id=circle_id, actor=request.user)
        return paginated(self, request, resources, s.ResourceOutput)

    @extend_schema(
        request={"application/json": s.LinkInput, "multipart/form-data": s.FileInput},
        responses={
            201: s.ResourceOutput,
            400: OpenApiResponse(
                description="``unsupported_file``: neither a picture nor a document; "
                "``file_too_large`` or ``image_too_large``."
            ),
        },
    )
    def post(self, request: AuthenticatedRequest, circle_id: int) -> Response:
        """Share a link (JSON), or a picture or document (multipart: pictures are re-encoded
        without EXIF or GPS).  Members only."""
        resource: Resource
        if request.content_type.startswith("multipart/"):
            upload = s.FileInput(data=request.data)
            upload.is_valid(raise_exception=True)
            resource = services.resource_add_file(
                actor=request.user,
                circle_id=circle_id,
                title=upload.validated_data["title"],
                upload=upload.validated_data["file"],
            )
        else:
            link = s.LinkInput(data=request.data)
            link.is_valid(raise_exception=True)
            resource = services.resource_add_link(
                actor=request.user, circle_id=circle_id, **link.validated_data
            )
        return Response(s.ResourceOutput(resource).data, status=status.HTTP_201_CREATED)


class ResourceApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, circle_id: int, resource_id: int) -> Response:
        """Remove what I shared, or anything as an organiser or moderator."""
        selectors.resource_get(circle_id=circle_id, resource_id=resource_id, actor=request.user)
        services.resource_remove(actor=request.user, resource_id=resource_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResourceFileApi(APIView):
    @extend_schema(
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in SERVED_CONTENT_TYPES}
    )
    def get(self, request: AuthenticatedRequest, circle_id: int, resource_id: int) -> FileResponse:
        """The shared file: a picture inline, a document as a download."""
        resource = selectors.resource_get(
            circle_id=circle_id, resource_id=resource_id, actor=request.user
        )
        return responses.resource_file(resource)
