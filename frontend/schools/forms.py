"""The schools pages' forms: shape only; the identity services own the rules and messages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus_social.identity.selectors import grade_label
from frontend.forms import PageForm, date_input


def _school_year_choices() -> list[tuple[int, str]]:
    return [(year, grade_label(year)) for year in range(1, 13)]


class SchoolYearField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("School year"), coerce=int, choices=_school_year_choices, **kwargs)


class PupilAddForm(PageForm):
    child = forms.IntegerField(
        label=_("The child's resident number"),
        min_value=1,
        help_text=_("Shown on the child's “My page”."),
        widget=forms.NumberInput(attrs={"class": "input-short", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(label=_("The child's birth date"), widget=date_input())
    school_year = SchoolYearField()
    class_name = forms.CharField(label=_("Class"), max_length=20, required=False)


class PupilUpdateForm(PageForm):
    school_year = SchoolYearField()
    class_name = forms.CharField(label=_("Class"), max_length=20, required=False)


class GuardianLinkForm(PageForm):
    guardian = forms.IntegerField(
        label=_("The guardian's resident number"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "input-short", "autocomplete": "off"}),
    )


class LinkMyChildForm(PageForm):
    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    child_number = forms.CharField(
        label=_("Your child's resident number"),
        max_length=40,
        help_text=_("Shown on your child's “My page”. Never type a My Number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    birth_date = forms.DateField(label=_("Your child's birth date"), widget=date_input())

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Choose the school"))]
        choices += [(str(school_id), name) for school_id, name in schools]
        self._set_choices("school", choices)
