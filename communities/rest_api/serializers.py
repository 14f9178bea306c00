from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campus_social.common.api import BooleanField, DistrictOutput
from campus_social.common.ids import IdField
from campus_social.common.text import TextField, lazy_message
from communities import selectors
from communities.models import (
    Circle,
    CircleEvent,
    CircleMember,
    Reply,
    Resource,
    Rsvp,
    Thread,
    Topic,
)

# Input serializers check what the description states, with the services' limits and
# messages; the services own every rule.  What a schema cannot state (a district's code, an event
# that ends after it starts and starts in the future, a web address Django accepts) the
# services alone check.
_REQUIRED = _("This field is required.")


def _text(limit: int, *, blank: bool = False, **kwargs: Any) -> TextField:
    """Free text as ``services._text`` takes it: at most ``limit`` characters, and not blank
    unless ``blank``."""
    return TextField(
        max_length=limit,
        allow_blank=blank,
        error_messages={
            "required": _REQUIRED,
            "blank": _REQUIRED,
            "max_length": lazy_message(
                gettext_noop("At most %(limit)d characters, please."), limit=limit
            ),
        },
        **kwargs,
    )


def _topics(**kwargs: Any) -> serializers.ListField:
    one_topic = _("Choose at least one topic.")
    return serializers.ListField(
        child=serializers.ChoiceField(
            choices=Topic.choices,
            error_messages={"invalid_choice": _("Choose topics from the list.")},
        ),
        allow_empty=False,
        min_length=1,
        error_messages={"required": _REQUIRED, "empty": one_topic, "min_length": one_topic},
        help_text="Course category values, at least one.",
        **kwargs,
    )


class CircleListQuery(serializers.Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    district = serializers.SlugField(required=False, help_text="A district's code (slug).")
    active_within_days = serializers.IntegerField(
        min_value=1,
        max_value=365,
        required=False,
        help_text="Met or talked within this many days.",
    )
    # ``allow_null`` keeps an absent flag absent: query strings would otherwise read it as false.
    for_children = serializers.BooleanField(required=False, allow_null=True)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Name or description, or kana."
    )


class CircleUpdateInput(serializers.Serializer):
    """Only the fields sent are changed."""

    name = _text(120, required=False)
    name_kana = _text(240, required=False)
    description = _text(5000, blank=True, multiline=True, required=False)
    district = serializers.SlugField(
        required=False, help_text="A district's code (slug), as ``GET /api/v1/districts/`` lists."
    )
    district_id = IdField(
        required=False,
        help_text="Deprecated, accepted until the next release: the district's id.  Send "
        "``district`` instead; when both are sent, ``district`` counts.",
    )
    visibility = serializers.ChoiceField(
        choices=Circle.Visibility.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose open, moderated or invite only.")},
    )
    topics = _topics(required=False)
    for_children = BooleanField(
        required=False,
        help_text="Open to children (with a guardian); needs a vetted organiser.",
    )


class CircleCreateInput(CircleUpdateInput):
    """``district`` (or the deprecated ``district_id``) is required too."""

    name = _text(120)
    name_kana = _text(240)
    topics = _topics()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "district" not in attrs and "district_id" not in attrs:
            raise serializers.ValidationError({"district": [_REQUIRED]})
        return attrs


class SurvivalQuery(serializers.Serializer):
    weeks = serializers.IntegerField(
        min_value=1, max_value=104, default=8, help_text="Weeks after the course's last session."
    )


class PictureInput(serializers.Serializer):
    # Empty files reach the upload check, which answers with its own code.
    picture = serializers.FileField(allow_empty_file=True, help_text="A JPEG, PNG, WebP or GIF.")


class JoinInput(serializers.Serializer):
    resident_id = IdField(
        required=False, allow_null=True, help_text="A child of mine; leave out to join myself."
    )


class LeaveInput(JoinInput):
    successor_id = IdField(
        required=False,
        allow_null=True,
        help_text="The member who organises next (needed when the organiser leaves).",
    )


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=[CircleMember.Role.MODERATOR.value, CircleMember.Role.MEMBER.value],
        error_messages={"invalid_choice": _("Choose moderator or member.")},
    )


class InvitationInput(serializers.Serializer):
    resident_id = IdField()


class RequestDecisionInput(serializers.Serializer):
    approve = BooleanField()


class SuccessorInput(serializers.Serializer):
    successor_id = IdField()


class ThreadInput(serializers.Serializer):
    title = _text(200)
    body = _text(10000, multiline=True)


class ThreadEditInput(serializers.Serializer):
    """Only the fields sent are changed."""

    title = _text(200, required=False)
    body = _text(10000, multiline=True, required=False)


class ReplyInput(serializers.Serializer):
    body = _text(10000, multiline=True)


class EventListQuery(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=["upcoming", "past", "all"],
        default="upcoming",
        help_text="``upcoming``: not yet over, soonest first; ``past``: latest first; ``all``.",
    )


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment with its offset: a bare local time would be read in the server's zone,
    which need not be the sender's."""

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.utcoffset() is None:
                raise serializers.ValidationError(
                    _("Give the time with its offset, such as 2025-05-01T10:00:00+09:00.")
                )
        return super().to_internal_value(value)


class EventUpdateInput(serializers.Serializer):
    """Only the fields sent are changed.  An event ends after it starts, and starts in the
    future (when its times change)."""

    title = _text(200, required=False)
    description = _text(5000, blank=True, multiline=True, required=False)
    place = _text(200, required=False)
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(required=False)


class EventCreateInput(EventUpdateInput):
    """An event ends after it starts, and starts in the future."""

    title = _text(200)
    place = _text(200)
    starts_at = AwareDateTimeField(error_messages={"required": _REQUIRED})
    ends_at = AwareDateTimeField(error_messages={"required": _REQUIRED})


class RsvpInput(serializers.Serializer):
    answer = serializers.CharField(help_text="``yes``, ``maybe`` or ``no``.")
    resident_id = IdField(
        required=False, allow_null=True, help_text="A child of mine; leave out to answer myself."
    )


class LinkInput(serializers.Serializer):
    title = _text(200)
    url = serializers.URLField(
        max_length=500,
        error_messages={
            "required": _REQUIRED,
            "blank": _REQUIRED,
            "invalid": _("Enter an address that starts with http:// or https://."),
            "max_length": lazy_message(
                gettext_noop("At most %(limit)d characters, please."), limit=500
            ),
        },
        help_text="An http:// or https:// address.",
    )


class FileInput(serializers.Serializer):
    title = _text(200)
    # Empty files reach the upload check, which answers with its own code.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="A picture (JPEG, PNG, WebP, GIF) or a document (PDF, text, Word, Excel, "
        "PowerPoint, OpenDocument).",
    )


# --- Output -----------------------------------------------------------------------------------


class CircleBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_kana = serializers.CharField()
    district = DistrictOutput()
    visibility = serializers.ChoiceField(choices=Circle.Visibility.choices)
    for_children = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)


class CircleOutput(CircleBriefOutput):
    """A circle as the directory shows it: needs ``member_count``, the liveliness annotations
    (``selectors.with_liveliness``), ``topics`` prefetched, and the context ``statuses``: the
    actor's standing in each circle, by circle id."""

    description = serializers.CharField()
    topics = serializers.SerializerMethodField()
    member_count = serializers.IntegerField()
    last_met_at = serializers.SerializerMethodField(
        help_text="The last circle event or course session held."
    )
    last_talked_at = serializers.SerializerMethodField(
        help_text="The last discussion post or chat message."
    )
    born_from_offering = serializers.IntegerField(
        source="offering_id", allow_null=True, help_text="The course offering it was born from."
    )
    has_picture = serializers.SerializerMethodField()
    my_status = serializers.SerializerMethodField(
        help_text="My standing: active, requested, invited, banned or left; null if none."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Topic.choices)))
    def get_topics(self, circle: Circle) -> list[str]:
        return [entry.topic for entry in circle.topics.all()]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_met_at(self, circle: Circle) -> str | None:
        return _moment(selectors.last_met_at(circle))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_talked_at(self, circle: Circle) -> str | None:
        return _moment(selectors.last_talked_at(circle))

    def get_has_picture(self, circle: Circle) -> bool:
        return bool(circle.picture)

    @extend_schema_field(
        serializers.ChoiceField(choices=CircleMember.Status.choices, allow_null=True)
    )
    def get_my_status(self, circle: Circle) -> str | None:
        return self.context["statuses"].get(circle.pk)


def _moment(moment: datetime | None) -> str | None:
    return None if moment is None else serializers.DateTimeField().to_representation(moment)


class CircleDetailOutput(CircleOutput):
    """One circle; the context ``standing`` is the actor's row in it (or ``None``), and
    ``statuses`` maps the circle to its status."""

    my_role = serializers.SerializerMethodField(help_text="My role while I am a member.")
    room = serializers.SerializerMethodField(
        help_text="The circle's chat room (for ``/api/v1/rooms/{id}/``), for its members."
    )

    @extend_schema_field(
        serializers.ChoiceField(choices=CircleMember.Role.choices, allow_null=True)
    )
    def get_my_role(self, circle: Circle) -> str | None:
        standing = self.context["standing"]
        return standing.role if standing is not None and standing.is_active else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_room(self, circle: Circle) -> int | None:
        standing = self.context["standing"]
        return circle.room_id if standing is not None and standing.is_active else None


class MyCircleOutput(serializers.Serializer):
    """My standing, or a child's, in a circle."""

    circle = CircleBriefOutput()
    resident_id = serializers.IntegerField()
    resident_name = serializers.CharField(source="resident.display_name")
    status = serializers.ChoiceField(choices=CircleMember.Status.choices)
    role = serializers.ChoiceField(choices=CircleMember.Role.choices)


class SurvivalOutput(serializers.Serializer):
    weeks = serializers.IntegerField()
    ended = serializers.IntegerField(
        help_text="Circles born from courses that ended at least ``weeks`` weeks ago."
    )
    alive = serializers.IntegerField(
        help_text="Of those, how many met or talked ``weeks`` weeks or more after the end."
    )
    share = serializers.FloatField(allow_null=True, help_text="alive / ended; null when none.")


class StandingOutput(serializers.Serializer):
    resident_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CircleMember.Status.choices)
    role = serializers.ChoiceField(choices=CircleMember.Role.choices)


class MemberOutput(serializers.Serializer):
    """A member; a child shows by their given name only."""

    resident_id = serializers.IntegerField()
    name = serializers.CharField(source="resident.display_name")
    role = serializers.ChoiceField(choices=CircleMember.Role.choices)
    joined_at = serializers.DateTimeField(allow_null=True)


class PendingOutput(serializers.Serializer):
    resident_id = serializers.IntegerField()
    name = serializers.CharField(
        source="name_for_managers",
        help_text="The name for a request or a former member; otherwise “Resident no. N”, so "
        "that inviting by number reveals nobody's name.",
    )
    status = serializers.ChoiceField(choices=CircleMember.Status.choices)
    created_at = serializers.DateTimeField()
    added_by_name = serializers.CharField(
        source="added_by.display_name",
        default=None,
        allow_null=True,
        help_text="The guardian who asked for a child, the member who invited, or who banned.",
    )


class StatusOutput(serializers.Serializer):
    status = serializers.CharField(help_text="``active``, ``declined`` or ``banned``.")


class ThreadOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author_name = serializers.CharField(source="author.display_name", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    last_post_at = serializers.DateTimeField()
    reply_count = serializers.IntegerField()
    edited_at = serializers.DateTimeField(allow_null=True)


def _mine(field: serializers.Serializer, author_id: int | None) -> bool:
    return author_id is not None and author_id == field.context["actor"].pk


class ReplyOutput(serializers.Serializer):
    """A reply; the context ``actor`` is who reads it."""

    id = serializers.IntegerField()
    author_name = serializers.CharField(source="author.display_name", default=None, allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    mine = serializers.SerializerMethodField(help_text="I wrote it (and may edit it).")

    def get_mine(self, reply: Reply) -> bool:
        return _mine(self, reply.author_id)


class ThreadBodyOutput(ThreadOutput):
    """A discussion with its text; the context ``actor`` is who reads it."""

    body = serializers.CharField()
    mine = serializers.SerializerMethodField(help_text="I started it (and may edit it).")

    def get_mine(self, thread: Thread) -> bool:
        return _mine(self, thread.author_id)


class ThreadDetailOutput(ThreadBodyOutput):
    """The context ``replies`` are the thread's replies, oldest first."""

    replies = serializers.SerializerMethodField()

    @extend_schema_field(ReplyOutput(many=True))
    def get_replies(self, thread: Thread) -> Any:
        return ReplyOutput(self.context["replies"], many=True, context=self.context).data


class EventOutput(serializers.Serializer):
    """An event with its ``coming`` and ``maybe`` counts annotated."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    place = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    coming = serializers.IntegerField(help_text="How many answered yes.")
    maybe = serializers.IntegerField(help_text="How many answered maybe.")


class EventDetailOutput(EventOutput):
    """The context ``rsvp`` is the actor's answer (or ``None``)."""

    my_answer = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=Rsvp.Answer.choices, allow_null=True))
    def get_my_answer(self, event: CircleEvent) -> str | None:
        rsvp = self.context["rsvp"]
        return None if rsvp is None else rsvp.answer


class RsvpOutput(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Rsvp.Answer.choices)


class ResourceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The address of a link; null for files.")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes; 0 for links.")
    added_by_name = serializers.CharField(
        source="added_by.display_name", default=None, allow_null=True
    )
    created_at = serializers.DateTimeField()
    file_url = serializers.SerializerMethodField(
        help_text="Where members download the file; null for links."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, resource: Resource) -> str | None:
        return resource.url or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, resource: Resource) -> str | None:
        if resource.kind == Resource.Kind.LINK:
            return None
        return reverse(
            "communities:circle-resource-file",
            kwargs={"circle_id": resource.circle_id, "resource_id": resource.pk},
        )
