from rest_framework import serializers

from campus_social.audit.models import AuditEvent


class AuditFilterInput(serializers.Serializer):
    action = serializers.CharField(max_length=64, required=False, default="")
    actor = serializers.IntegerField(required=False, min_value=1, source="actor_id")
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class AuditEventOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "occurred_at", "actor_id", "action", "target_type", "target_id", "detail"]
