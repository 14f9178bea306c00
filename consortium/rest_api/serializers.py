from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campus_social.common.api import BooleanField
from campus_social.common.ids import IdField
from campus_social.common.text import TextField, lazy_message
from consortium.models import CreditAgreement
from consortium.values import (
    ApplicationStatus,
    Grading,
    RecordKind,
    RecordStatus,
    Rounding,
    RoundingStep,
)
from courses import selectors as courses

_REQUIRED = _("Please fill this in.")
# Credits as text ("1", "1.5", "60"); the services check the range.
_CREDITS_PATTERN = r"^[0-9]{1,3}(\.[0-9])?$"


def _text(limit: int, **kwargs: Any) -> TextField:
    return TextField(
        max_length=limit,
        error_messages={
            "required": _REQUIRED,
            "blank": _REQUIRED,
            "max_length": lazy_message(
                gettext_noop("Please use at most %(limit)d characters."), limit=limit
            ),
        },
        **kwargs,
    )


def _credits(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(
        _CREDITS_PATTERN,
        max_length=5,
        error_messages={
            "invalid": _("Credits are a number such as 1 or 1.5."),
            "required": _REQUIRED,
        },
        **kwargs,
    )


# --- Universities, policies, agreements ----------------------------------------------------


class ConsortiumUniversityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cap_credits = serializers.DecimalField(max_digits=5, decimal_places=1)
    rounding = serializers.ChoiceField(choices=Rounding.choices)
    rounding_step = serializers.ChoiceField(choices=RoundingStep.choices)


class ConsortiumUniversityBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CreditPolicyInput(serializers.Serializer):
    cap_credits = _credits(help_text="The most credits earned here the university recognises.")
    rounding = serializers.ChoiceField(choices=Rounding.choices)
    rounding_step = serializers.ChoiceField(choices=RoundingStep.choices)


class CreditCourseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    class_hours = serializers.IntegerField()
    self_study_hours = serializers.IntegerField()


class _AgreementList(serializers.ListSerializer):
    """Reads the courses of one page of agreements in one query (through courses' selector)."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if hasattr(data, "all") else data)
        self.context["courses"] = courses.credit_courses(
            course_ids=[item.course_id for item in items]
        )
        return [self.child.to_representation(item) for item in items]  # type: ignore[union-attr]


class CreditAgreementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    university = ConsortiumUniversityBriefOutput()
    course = serializers.SerializerMethodField()
    subject_code = serializers.CharField()
    subject_name = serializers.CharField()
    credits = serializers.DecimalField(max_digits=4, decimal_places=1)
    grading = serializers.ChoiceField(choices=Grading.choices)
    grades = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    mismatch_reason = serializers.CharField()

    class Meta:
        list_serializer_class = _AgreementList

    @extend_schema_field(CreditCourseOutput)
    def get_course(self, agreement: CreditAgreement) -> dict[str, Any]:
        known = self.context.get("courses") or {}
        course = known.get(agreement.course_id) or courses.credit_course_get(
            course_id=agreement.course_id
        )
        return dict(CreditCourseOutput(course).data)


class CreditAgreementInput(serializers.Serializer):
    course_id = IdField()
    subject_code = _text(32)
    subject_name = _text(200)
    credits = _credits()
    grading = serializers.ChoiceField(choices=Grading.choices)
    grades = serializers.ListField(
        child=_text(20), required=False, max_length=10, help_text="A scale's grades, best first."
    )
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    mismatch_reason = _text(2000, multiline=True, required=False, allow_blank=True)


class CreditAgreementEndInput(serializers.Serializer):
    valid_until = serializers.DateField(help_text="The last day the agreement covers.")


# --- Applications ----------------------------------------------------------------------------


class CreditPreviewQuery(serializers.Serializer):
    offering = IdField(help_text="An offering I completed.")
    university = IdField()


class CreditPreviewOutput(serializers.Serializer):
    agreement = CreditAgreementOutput()
    record = serializers.DictField(help_text="Exactly what applying shares with the university.")
    digest = serializers.CharField(help_text="Send it back with ``consent`` to apply.")


class CreditApplicationInput(serializers.Serializer):
    offering = IdField()
    university = IdField()
    consent = BooleanField(help_text="I agree to share exactly the record I was shown.")
    digest = serializers.CharField(max_length=64, help_text="The preview's ``digest``.")


class CreditApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offering = serializers.IntegerField(source="offering_id")
    university = ConsortiumUniversityBriefOutput()
    agreement = serializers.IntegerField(source="agreement_id")
    subject_code = serializers.CharField(source="agreement.subject_code")
    subject_name = serializers.CharField(source="agreement.subject_name")
    shared_record = serializers.DictField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    consented_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class CreditDecisionInput(serializers.Serializer):
    approve = BooleanField()
    grade = _text(20, required=False, allow_blank=True, help_text="Needed to approve.")
    reason = _text(2000, multiline=True, required=False, allow_blank=True)


# --- Records ---------------------------------------------------------------------------------


class CreditRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    university = ConsortiumUniversityBriefOutput()
    application = serializers.IntegerField(source="application_id")
    subject_code = serializers.CharField(source="agreement.subject_code")
    subject_name = serializers.CharField(source="agreement.subject_name")
    credits = serializers.DecimalField(max_digits=4, decimal_places=1)
    grade = serializers.CharField()
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    settles = serializers.IntegerField(source="settles_id", allow_null=True)
    status = serializers.ChoiceField(choices=RecordStatus.choices)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CreditCorrectionInput(serializers.Serializer):
    credits = _credits()
    grade = _text(20)
    reason = _text(2000, multiline=True)


class CreditCorrectionDecisionInput(serializers.Serializer):
    approve = BooleanField()
    reason = _text(2000, multiline=True, required=False, allow_blank=True)


class DecisionsImportInput(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="CSV, UTF-8: application_id,decision,grade,reason (docs/api.md).",
    )
