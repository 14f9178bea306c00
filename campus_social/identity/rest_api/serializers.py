from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campus_social.identity.models import Card, ReaderDevice, Resident, ResidentSession


# Input serializers only check shape; the services own the rules and their messages.
# Any text passes these fields so that the service answers its own codes (``invalid_card_id``,
# ``my_number``, ``invalid_pin``); the description says what it accepts.
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-Za-z0-9]{8,64}$",
        "not": {"pattern": "^[0-9]{12}$"},
        "description": "8 to 64 letters and digits (spaces and hyphens are ignored); "
        "never a 12-digit individual number.",
    }
)
class CardIdField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}$", "description": "4 digits."})
class PinField(serializers.CharField):
    pass


class CardLoginInput(serializers.Serializer):
    card_id = CardIdField(max_length=200, trim_whitespace=False)
    pin = PinField(max_length=20, trim_whitespace=False)


class ResidentRegisterInput(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_kana = serializers.CharField(max_length=300, required=False, allow_blank=True)
    birth_date = serializers.DateField()
    card_id = serializers.CharField(max_length=200)
    pin = serializers.CharField(max_length=20)
    district = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.CharField(max_length=8, required=False, default="ja")
    roles = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )
    guardian_card_id = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CardReplaceInput(serializers.Serializer):
    card_id = serializers.CharField(max_length=200)
    pin = serializers.CharField(max_length=20)


class ReaderDeviceInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    organisation = serializers.SlugField()


class LanguageInput(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, error_messages={"invalid_choice": _("Unknown language.")}
    )


class RoleOutput(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    given_name = serializers.CharField()
    display_name = serializers.CharField()
    name_kana = serializers.CharField()
    birth_date = serializers.DateField()
    age_band = serializers.CharField()
    district = serializers.CharField(source="district.slug", default=None)
    language = serializers.CharField()
    is_city_staff = serializers.BooleanField()
    roles = RoleOutput(many=True)
    guardians = PersonOutput(many=True)
    children = PersonOutput(many=True)


class SessionOutput(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ResidentSession
        fields = ["id", "created_at", "expires_at", "user_agent", "current"]

    def get_current(self, record: ResidentSession) -> bool:
        return record.session_key == self.context["current_session_key"]


class CardOutput(serializers.ModelSerializer):
    locked = serializers.BooleanField(source="is_locked")

    class Meta:
        model = Card
        fields = ["id", "issued_at", "last_used_at", "retired_at", "locked", "failed_pin_attempts"]


class ResidentStaffOutput(serializers.ModelSerializer):
    age_band = serializers.CharField()
    district = serializers.CharField(source="district.slug", default=None)

    class Meta:
        model = Resident
        fields = ["id", "name", "name_kana", "birth_date", "age_band", "district", "is_active"]


class ReaderDeviceOutput(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug")

    class Meta:
        model = ReaderDevice
        fields = [
            "id",
            "name",
            "organisation",
            "key_prefix",
            "is_active",
            "created_at",
            "last_seen_at",
        ]


class DistrictListOutput(serializers.Serializer):
    """One district as ``GET /api/v1/districts/`` lists it (offerings and circles embed a
    shorter ``DistrictOutput``)."""

    slug = serializers.CharField(help_text="The code every API route names the district by.")
    name = serializers.CharField()
    name_kana = serializers.CharField()
