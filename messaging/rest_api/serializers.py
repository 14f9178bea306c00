from typing import Any

from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from campus_social.common.ids import IdField
from campus_social.common.text import TextField
from messaging import selectors, wire
from messaging.models import BODY_MAX_LENGTH, Message, MessageReport, ModerationAction, RoomMember


# Input serializers only check shape; the services own the rules and their messages (so a body
# over 4000 characters answers ``too_long`` here as it does on the websocket, and the
# description states that limit without DRF checking it).
class DirectRoomInput(serializers.Serializer):
    resident = IdField()


class MessageListQuery(serializers.Serializer):
    after = IdField(min_value=0, required=False)
    before = IdField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "after" in attrs and "before" in attrs:
            raise serializers.ValidationError({"before": [_("Give after or before, not both.")]})
        return attrs


class MessageBodyField(TextField):
    """A message's text: the one text rule (line breaks allowed), something visible, at most
    ``BODY_MAX_LENGTH`` characters — stated in the description, and checked by the service
    alone, so that REST answers the websocket's ``code`` and ``detail`` (``too_long``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(multiline=True, max_length=BODY_MAX_LENGTH, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def run_validation(self, data: Any = empty) -> Any:
        return "" if data == "" else super().run_validation(data)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class MessageSendInput(serializers.Serializer):
    client_id = serializers.UUIDField()
    body = MessageBodyField()
    reply_to = IdField(
        required=False, allow_null=True, help_text="The seq of an earlier message in the room."
    )


class MessageEditInput(serializers.Serializer):
    body = MessageBodyField()


class ReadInput(serializers.Serializer):
    seq = IdField(min_value=0)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ModerateInput(ReasonInput):
    action = serializers.ChoiceField(choices=["hide", "restore", "remove", "dismiss"])


class MuteInput(ReasonInput):
    minutes = serializers.IntegerField(help_text="0 lifts the mute; at most 43200 (30 days).")


class RoomOutput(serializers.Serializer):
    """One of the resident's rooms: a ``RoomMember`` with its room loaded."""

    id = serializers.IntegerField(source="room_id")
    kind = serializers.CharField(source="room.kind")
    title = serializers.SerializerMethodField(
        help_text="The room's title; for a direct room, the other person's display name."
    )
    last_seq = serializers.IntegerField(source="room.last_seq")
    last_read_seq = serializers.IntegerField()
    unread = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=RoomMember.Role.choices)
    muted_until = serializers.DateTimeField(allow_null=True)

    def get_unread(self, membership: RoomMember) -> int:
        return selectors.unread_count(membership)

    def get_title(self, membership: RoomMember) -> str:
        titles = self.context.get("titles")
        if titles is None:  # a single room: look its title up alone
            titles = selectors.room_titles(
                resident=self.context["resident"], rooms=[membership.room]
            )
        return titles[membership.room_id]


class AuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class MessageOutput(serializers.Serializer):
    """The websocket ``message`` frame without ``type``; a removed message is only
    ``{"seq", "removed": true, "reason"}``.  Built by ``messaging.wire`` so both stay alike."""

    room = serializers.IntegerField(required=False)
    seq = serializers.IntegerField()
    id = serializers.IntegerField(required=False)
    client_id = serializers.UUIDField(required=False, allow_null=True)
    author = AuthorOutput(required=False, allow_null=True)
    body = serializers.CharField(required=False, max_length=BODY_MAX_LENGTH)
    reply_to = IdField(required=False, allow_null=True)
    created_at = serializers.DateTimeField(required=False)
    edited_at = serializers.DateTimeField(required=False, allow_null=True)
    removed = serializers.BooleanField(required=False)
    reason = serializers.ChoiceField(choices=Message.Removal.choices, required=False)

    def to_representation(self, message: Message) -> dict[str, Any]:
        if message.is_removed:
            return {"seq": message.seq, "removed": True, "reason": message.removed_reason}
        frame = wire.message_frame(message)
        del frame["type"]
        return frame


class MessagePageOutput(serializers.Serializer):
    results = MessageOutput(many=True)
    last_seq = serializers.IntegerField()


class UnreadOutput(serializers.Serializer):
    room = serializers.IntegerField()
    unread = serializers.IntegerField()


class ReportOutput(serializers.ModelSerializer):
    room = serializers.IntegerField(source="message.room_id")
    seq = serializers.IntegerField(source="message.seq")

    class Meta:
        model = MessageReport
        fields = ["id", "room", "seq", "reason", "created_at"]


class ReportQueueOutput(serializers.ModelSerializer):
    """An open report with the reported message (its room, author and text loaded)."""

    room = serializers.IntegerField(source="message.room_id")
    room_title = serializers.CharField(source="message.room.title")
    message = MessageOutput()

    class Meta:
        model = MessageReport
        fields = ["id", "room", "room_title", "message", "reason", "created_at"]


class MuteOutput(serializers.ModelSerializer):
    room = serializers.IntegerField(source="room_id")
    resident = serializers.IntegerField(source="resident_id")

    class Meta:
        model = RoomMember
        fields = ["room", "resident", "muted_until"]


class ModerationActionOutput(serializers.ModelSerializer):
    moderator = serializers.IntegerField(source="moderator_id", allow_null=True)
    seq = serializers.IntegerField(source="message.seq", default=None, allow_null=True)
    member = serializers.IntegerField(source="member_id", allow_null=True)

    class Meta:
        model = ModerationAction
        fields = ["id", "action", "moderator", "seq", "member", "reason", "until", "created_at"]


class MessageEditOutput(serializers.Serializer):
    body = serializers.CharField()
    edited_at = serializers.DateTimeField()
