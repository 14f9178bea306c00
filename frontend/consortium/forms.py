"""The resident's consortium forms: shape only.  ``consortium.services`` owns every rule and its
message (who may apply, for what, the consent and the record's digest)."""

from typing import Any

from django import forms
from django.utils.translation import gettext

from frontend.forms import PageForm, checkbox


class ApplicationTargetForm(PageForm):
    """Which completed offering, to which university (``?offering=&university=``)."""

    offering = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    university = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ApplyForm(ApplicationTargetForm):
    """The consent to share exactly the record shown, with its digest."""

    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
    consent = checkbox("")

    def __init__(self, *args: Any, university_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = gettext(
            "I agree to share exactly this record with %(university)s."
        ) % {"university": university_name}
