from django.utils import timezone
from rest_framework import serializers

from campus_social.safeguarding.models import VettingRecord


class VettingInput(serializers.Serializer):
    checked_on = serializers.DateField(help_text="The day the city checked; not in the future.")
    expires_on = serializers.DateField(help_text="The last day the check counts; after checked_on.")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Which check was made; no personal details.",
    )


class VettingRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    resident = serializers.IntegerField(source="resident_id")
    checked_on = serializers.DateField()
    expires_on = serializers.DateField()
    note = serializers.CharField()
    checked_by = serializers.IntegerField(source="checked_by_id", allow_null=True)
    current = serializers.SerializerMethodField(help_text="Whether it counts today.")

    def get_current(self, record: VettingRecord) -> bool:
        return record.is_current(timezone.localdate())
