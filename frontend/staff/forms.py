"""The city staff's page forms: finding and registering residents, card care, card readers,
the audit log, lecturer applications and vetting, and the figure of course circles that live
on.  Like every page form they check only the shape of the input."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campus_social.common.ids import DB_INT_MAX
from campus_social.identity import selectors
from frontend.forms import Choices, PageForm, card_input, date_input, pin_input


class ResidentSearchForm(PageForm):
    q = forms.CharField(
        label=_("Name or reading"),
        required=False,
        max_length=150,
        help_text=_("Type part of the name, in kanji or in kana."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def _district_choices() -> Choices:
    return [("", _("No district"))] + [(d.slug, d.name) for d in selectors.district_list()]


def _organisation_choices() -> Choices:
    return [(o.slug, o.name) for o in selectors.organisation_list()]


class ResidentRegisterForm(PageForm):
    readings = {"name_kana": "name"}

    name = forms.CharField(
        label=_("Full name"),
        max_length=300,
        help_text=_("Family name first, as on the resident card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the last part of the full name is used."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    name_kana = forms.CharField(
        label=_("Reading of the name (kana)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    card_id = forms.CharField(
        label=_("Card number"),
        max_length=200,
        help_text=_("Read the card with the reader, or type its number."),
        widget=card_input(),
    )
    pin = forms.CharField(
        label=_("PIN (4 digits)"),
        max_length=20,
        strip=False,
        help_text=_("The resident types the PIN themselves."),
        widget=pin_input(),
    )
    district = forms.ChoiceField(label=_("Home district"), required=False, choices=())
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    role_organisation = forms.ChoiceField(
        label=_("Organisation of a role"),
        required=False,
        choices=(),
        help_text=_("Leave empty when the resident has no role in an organisation."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("No role")), *selectors.role_choices()],
    )
    guardian_card_id = forms.CharField(
        label=_("Guardian's card number"),
        max_length=200,
        required=False,
        help_text=_("Only for a resident under 18, who is registered with a guardian's card."),
        widget=card_input(),
    )

    # The service reports role problems under "roles"; this form has one role select.
    service_field_names = {"roles": "role"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("district", _district_choices())
        self._set_choices(
            "role_organisation",
            [
                ("", _("No organisation")),
                *_organisation_choices(),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role_organisation") and not data.get("role"):
            self.add_error("role", _("Please choose the role in the organisation."))
        if data.get("role") and not data.get("role_organisation"):
            self.add_error("role_organisation", _("Please choose the organisation of the role."))
        return data


class CardReplaceForm(PageForm):
    card_id = forms.CharField(
        label=_("New card number"),
        max_length=200,
        help_text=_("Read the renewed card with the reader, or type its number."),
        widget=card_input(),
    )
    pin = forms.CharField(
        label=_("PIN of the new card (4 digits)"),
        max_length=20,
        strip=False,
        widget=pin_input(),
    )


class ReaderDeviceForm(PageForm):
    name = forms.CharField(
        label=_("Name of the card reader"),
        max_length=200,
        help_text=_("For example: Community centre, front desk."),
    )
    organisation = forms.ChoiceField(label=_("Organisation"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("organisation", [("", "—"), *_organisation_choices()])


class AuditFilterForm(PageForm):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("The start of an action code, for example “login” or “card.unlocked”."),
    )
    actor_id = forms.IntegerField(
        label=_("Resident number of the actor"),
        required=False,
        min_value=1,
        max_value=DB_INT_MAX,
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- Lecturer applications and vetting ---------------------------------------------------------


class LecturerDeclineForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,  # the service asks for the reason in its own words
        max_length=500,
        help_text=_("The applicant reads this reason."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VettingForm(PageForm):
    checked_on = forms.DateField(label=_("Checked on"), widget=date_input())
    expires_on = forms.DateField(label=_("Valid until"), widget=date_input())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("No personal details: for example, which check was made."),
    )


# --- Circles born from courses ------------------------------------------------------------------


class SurvivalForm(PageForm):
    weeks = forms.IntegerField(
        label=_("Weeks after the course ended"),
        min_value=1,
        max_value=520,
        initial=8,
        help_text=_("Counts the circles that still met or talked this long after their course."),
        widget=forms.NumberInput(attrs={"class": "input-short"}),
    )
