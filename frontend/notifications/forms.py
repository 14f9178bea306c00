"""The notification settings form: two checkboxes per kind of notification."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from campus_social.notifications import services
from campus_social.notifications.selectors import PreferenceSetting
from frontend.forms import PageForm


class NotificationSettingsForm(PageForm):
    """Two checkboxes per registered kind: ``<kind>:in_app`` and ``<kind>:email``."""

    def __init__(self, *args: Any, preferences: list[PreferenceSetting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for preference in preferences:
            self.fields[f"{preference.kind}:in_app"] = forms.BooleanField(
                label=gettext_lazy("Show in Campus Social"),
                required=False,
                initial=preference.in_app,
            )
            self.fields[f"{preference.kind}:email"] = forms.BooleanField(
                label=gettext_lazy("Send me an email"),
                required=False,
                initial=preference.email,
            )

    def groups(self) -> list[tuple[PreferenceSetting, forms.BoundField, forms.BoundField]]:
        return [
            (preference, self[f"{preference.kind}:in_app"], self[f"{preference.kind}:email"])
            for preference in self.preferences
        ]

    def choices(self) -> list[services.PreferenceChoice]:
        return [
            services.PreferenceChoice(
                kind=preference.kind,
                in_app=self.cleaned_data[f"{preference.kind}:in_app"],
                email=self.cleaned_data[f"{preference.kind}:email"],
            )
            for preference in self.preferences
        ]
