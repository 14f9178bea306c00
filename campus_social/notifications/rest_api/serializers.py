from datetime import UTC

from rest_framework import serializers

from campus_social.common.api import BooleanField
from campus_social.notifications.models import Notification


# Input serializers only check shape; the services own the rules and their messages.
class NotificationListFilter(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only notifications not yet read."
    )


class PreferenceInput(serializers.Serializer):
    in_app = BooleanField()
    email = BooleanField()


class NotificationOutput(serializers.ModelSerializer):
    # UTC, as in the websocket's notification frame, so both read the same.
    created_at = serializers.DateTimeField(default_timezone=UTC)
    read_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "url", "created_at", "read_at"]


class PreferenceOutput(serializers.Serializer):
    kind = serializers.CharField()
    # DRF takes declared fields off the class, so this does not replace Field.label; the
    # stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()
