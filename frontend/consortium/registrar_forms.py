"""The registrars' forms: shape only.  The consortium services own the rules and their messages
(the 45-hour check, the cap, a grade of the agreement's grading), which
``PageForm.show_service_error`` puts beside the field they concern."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.values import Grading, Rounding, RoundingStep
from frontend.forms import Choices, PageForm, date_input

# The service's field names that the forms call otherwise.
FIELD_NAMES = {"course_id": "course"}

APPROVE, REJECT = "approve", "reject"


def _credits_field(label: Any, **kwargs: Any) -> forms.CharField:
    # The service checks the number and its range and says so in its own words.
    return forms.CharField(
        label=label,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


class DecideForm(PageForm):
    """Approve an application with a grade, or reject it with a reason."""

    decision = forms.ChoiceField(choices=((APPROVE, APPROVE), (REJECT, REJECT)))
    grade = forms.ChoiceField(label=pgettext_lazy("registrar", "Grade"), required=False, choices=())
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The learner reads it."),
    )

    def __init__(self, *args: Any, grades: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("grade", [("", "—"), *((grade, grade) for grade in grades or [])])


class AgreementForm(PageForm):
    course = forms.TypedChoiceField(label=_("Course"), coerce=int, choices=())
    subject_code = forms.CharField(
        label=pgettext_lazy("registrar", "Subject code"),
        max_length=32,
        widget=forms.TextInput(),
    )
    subject_name = forms.CharField(label=pgettext_lazy("registrar", "Subject name"), max_length=200)
    credits = _credits_field(
        pgettext_lazy("registrar", "Credits"),
        help_text=_("The course's hours ÷ 45, rounded; another number needs a reason below."),
    )
    grading = forms.ChoiceField(
        label=pgettext_lazy("registrar", "Grading"), choices=Grading.choices
    )
    grades = forms.CharField(
        label=_("Grades of the scale"),
        required=False,
        max_length=400,
        help_text=_("For a scale only: the grades, best first, separated by commas (S, A, B, C)."),
    )
    valid_from = forms.DateField(
        label=pgettext_lazy("registrar", "Valid from"), widget=date_input()
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=date_input())
    mismatch_reason = forms.CharField(
        label=_("Why the credits differ from the hours"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when the credits are not the course's hours ÷ 45."),
    )

    def __init__(self, *args: Any, courses: Choices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("course", courses or [])

    def grade_list(self) -> list[str]:
        return [grade.strip() for grade in self.cleaned_data["grades"].split(",") if grade.strip()]


class AgreementEndForm(PageForm):
    valid_until = forms.DateField(label=pgettext_lazy("registrar", "Last day"), widget=date_input())


class PolicyForm(PageForm):
    cap_credits = _credits_field(
        pgettext_lazy("registrar", "Cap"),
        help_text=_("The most credit earned here that your university recognises per learner."),
    )
    rounding = forms.ChoiceField(
        label=pgettext_lazy("registrar", "Rounding"), choices=Rounding.choices
    )
    rounding_step = forms.ChoiceField(
        label=pgettext_lazy("registrar", "Rounded"), choices=RoundingStep.choices
    )


class CorrectionForm(PageForm):
    credits = _credits_field(pgettext_lazy("registrar", "Credits"))
    grade = forms.ChoiceField(label=pgettext_lazy("registrar", "Grade"), required=False, choices=())
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Another registrar of your university reads it before approving."),
    )

    def __init__(self, *args: Any, grades: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("grade", [("", "—"), *((grade, grade) for grade in grades or [])])

    def offer_grades(self, grades: list[str]) -> None:
        self._set_choices("grade", [("", "—"), *((grade, grade) for grade in grades)])


class CorrectionDecideForm(PageForm):
    decision = forms.ChoiceField(choices=((APPROVE, APPROVE), (REJECT, REJECT)))
    reason = forms.CharField(required=False, max_length=2000)
