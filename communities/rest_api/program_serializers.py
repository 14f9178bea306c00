"""Serializers of the programs API.  Input serializers check what the description states, with
the services' limits; the services own every rule.  What others see of a child is decided by
``program_selectors.child_card``, rendered here as it is."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rest_framework import serializers

from campus_social.common.api import BooleanField
from campus_social.common.ids import IdField
from campus_social.common.text import TextField, lazy_message
from communities.models import ProgramSession, ProgramVolunteer, SessionPhoto, VolunteerOffer
from communities.values import (
    AVAILABILITY_SLOTS,
    GRADE_HIGHEST,
    GRADE_LOWEST,
    PROGRAM_MOVES,
    ProgramStatus,
    Topic,
)

_REQUIRED = _("This field is required.")


def _text(limit: int, **kwargs: Any) -> TextField:
    return TextField(
        max_length=limit,
        error_messages={
            "required": _REQUIRED,
            "blank": _REQUIRED,
            "max_length": lazy_message(
                gettext_noop("At most %(limit)d characters, please."), limit=limit
            ),
        },
        **kwargs,
    )


def _grade(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=GRADE_LOWEST, max_value=GRADE_HIGHEST, **kwargs)


# --- Programs -----------------------------------------------------------------------------------


class ProgramInput(serializers.Serializer):
    title = _text(200)
    title_kana = _text(400)
    theme = serializers.ChoiceField(choices=Topic.choices)
    description = _text(5000)
    grade_min = _grade(help_text="The lowest school year (1–12).")
    grade_max = _grade(help_text="The highest school year (1–12), not below ``grade_min``.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Not before ``starts_on``.")
    venue = _text(200)
    district_id = IdField()
    seniors_needed = serializers.IntegerField(min_value=1, max_value=200)
    children_needed = serializers.IntegerField(min_value=1, max_value=200)
    coordinator_ids = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=20,
        required=False,
        help_text="Residents holding the school's coordinator role (default: me).",
    )
    reader_id = IdField(
        required=False,
        allow_null=True,
        help_text="An active card reader of the school, where volunteers tap their cards; "
        "null for none.",
    )


class ProgramCreateInput(ProgramInput):
    school_id = IdField(help_text="An organisation of kind ``school``.")


class ProgramUpdateInput(ProgramInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class ProgramStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=PROGRAM_MOVES)


class ProgramOutput(serializers.Serializer):
    id = serializers.IntegerField()
    school = serializers.CharField(source="school.name")
    title = serializers.CharField()
    title_kana = serializers.CharField()
    theme = serializers.ChoiceField(choices=Topic.choices)
    description = serializers.CharField()
    grade_min = serializers.IntegerField()
    grade_max = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    venue = serializers.CharField()
    district = serializers.CharField(source="district.name")
    seniors_needed = serializers.IntegerField()
    children_needed = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProgramStatus.choices)
    room_id = serializers.IntegerField(allow_null=True)
    reader_id = serializers.IntegerField(allow_null=True)


class ProgramSessionInput(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="Within the program's term.")
    ends_at = serializers.DateTimeField(help_text="After ``starts_at``.")


class ProgramSessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    program_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    cancelled = serializers.SerializerMethodField()

    def get_cancelled(self, session: ProgramSession) -> bool:
        return session.cancelled_at is not None


# --- Who takes part -----------------------------------------------------------------------------


class ProgramChildCardOutput(serializers.Serializer):
    """A child as the caller may see them: the given name and school year for everyone; the
    rest only for the program's coordinators and the child's guardian."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.IntegerField(allow_null=True)
    full_name = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False)
    district = serializers.CharField(required=False)


class ProgramPersonOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class ProgramRosterOutput(serializers.Serializer):
    children = ProgramChildCardOutput(many=True)
    volunteers = ProgramPersonOutput(many=True)
    coordinators = ProgramPersonOutput(many=True)


# --- Volunteers ---------------------------------------------------------------------------------


class VolunteerOfferInput(serializers.Serializer):
    skills = _text(2000)
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices), max_length=len(Topic.values)
    )
    district_ids = serializers.ListField(child=IdField(), max_length=50)
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS),
        max_length=len(AVAILABILITY_SLOTS),
        help_text="``<weekday>-<part of day>`` slots, such as ``tue-afternoon``.",
    )


class VolunteerOfferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    skills = serializers.CharField()
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices))
    district_ids = serializers.SerializerMethodField()
    availability = serializers.ListField(child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS))

    def get_district_ids(self, offer: VolunteerOffer) -> list[int]:
        return [district.pk for district in offer.districts.all()]


class VolunteerMatchOutput(serializers.Serializer):
    resident_id = serializers.IntegerField(source="offer.resident_id")
    name = serializers.CharField(source="offer.resident.display_name")
    skills = serializers.CharField(source="offer.skills")
    score = serializers.IntegerField()
    vetted = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    standing = serializers.CharField(help_text="``invited``, ``accepted``… or empty.")


class ProgramVolunteerInput(serializers.Serializer):
    resident_id = IdField()


class ProgramAnswerInput(serializers.Serializer):
    accept = BooleanField()


class ProgramVolunteeringOutput(serializers.Serializer):
    program = ProgramOutput()
    status = serializers.ChoiceField(choices=ProgramVolunteer.Status.choices)
    invited_at = serializers.DateTimeField()


class ProgramVolunteerOutput(serializers.Serializer):
    resident_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProgramVolunteer.Status.choices)


# --- Consent ------------------------------------------------------------------------------------


class ProgramConsentInput(serializers.Serializer):
    child_id = IdField(help_text="A child of mine.")
    photos_allowed = BooleanField()
    sign_up = BooleanField(required=False, default=False)


class ProgramChildInput(serializers.Serializer):
    child_id = IdField()


class ProgramConsentOutput(serializers.Serializer):
    """A consent, for the guardian who gave it and the program's coordinators."""

    id = serializers.IntegerField()
    program_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    child_name = serializers.CharField(source="child.display_name")
    activities = serializers.CharField()
    recorded = serializers.CharField()
    photos_allowed = serializers.BooleanField()
    given_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class ChildProgramOutput(serializers.Serializer):
    child_id = serializers.IntegerField(source="child.pk")
    child_name = serializers.CharField(source="child.display_name")
    program = ProgramOutput()
    consent = ProgramConsentOutput(allow_null=True)
    taking_part = serializers.BooleanField()


class ProgramPlaceOutput(serializers.Serializer):
    child_id = serializers.IntegerField()
    joined_at = serializers.DateTimeField()


# --- Sessions -----------------------------------------------------------------------------------


class ProgramAttendanceInput(serializers.Serializer):
    resident_id = IdField()
    present = BooleanField()


class ProgramAttendanceOutput(serializers.Serializer):
    resident_id = serializers.IntegerField()
    present = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class ProgramReflectionInput(serializers.Serializer):
    text = _text(1000, help_text="A child's is at most 200 characters.")
    child_id = IdField(required=False, help_text="Writing for my child.")


class ProgramReflectionOutput(serializers.Serializer):
    author_id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProgramPhotoInput(serializers.Serializer):
    # Empty files reach the picture check, which answers with its own code.
    file = serializers.FileField(allow_empty_file=True, help_text="A JPEG, PNG, WebP or GIF.")
    child_ids = serializers.RegexField(
        r"^([1-9][0-9]{0,9}(,[1-9][0-9]{0,9}){0,49})?$",
        required=False,
        allow_blank=True,
        default="",
        help_text="The children shown, as comma-separated ids (``12,15``); each needs a current "
        "consent that allows photos.",
    )


class ProgramPhotoOutput(serializers.Serializer):
    id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    child_ids = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_child_ids(self, photo: SessionPhoto) -> list[int]:
        return sorted(tag.child_id for tag in photo.tags.all())


class ProgramPhotoShownOutput(serializers.Serializer):
    """A photo as those taking part see it: no tags (children are not named on photos)."""

    id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    image = serializers.SerializerMethodField(help_text="Where the image's bytes are.")

    def get_image(self, photo: SessionPhoto) -> str:
        return f"/api/v1/program-photos/{photo.pk}/"


class ProgramReflectionShownOutput(serializers.Serializer):
    """A reflection as those taking part see it: a child author by given name and school year
    (``program_selectors.child_card``)."""

    id = serializers.IntegerField()
    author = ProgramChildCardOutput()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    by_guardian = serializers.BooleanField(help_text="Written by a guardian for the child.")
