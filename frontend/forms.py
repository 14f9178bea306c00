"""Page forms.  They check only the shape of the input; the services own the rules and their
messages, which ``show_service_error`` puts next to the fields they concern.

The base ``PageForm`` and the inputs several areas share live here: the card and PIN inputs, the
checkbox, the date input, and ``CityDateTimeField``.  Dates and times are typed in
``<input type="datetime-local">``, which sends no time zone: they are read as the city's time
(Asia/Tokyo, the site's ``TIME_ZONE``), and shown back in it.
"""

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus_social.common.errors import ServiceError
from campus_social.common.my_number import looks_like_my_number
from campus_social.search.readings import reading_for


class FrontendFormRenderer(DjangoTemplates):
    """Renders every field as label, hint, errors and input, tied together for screen readers."""

    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


_RENDERER = FrontendFormRenderer()
Choices = list[tuple[str, Any]]

CITY_TIME_ZONE = ZoneInfo(settings.TIME_ZONE)
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
CHECKBOX_TEMPLATE = "frontend/forms/checkbox_field.html"


class PageForm(forms.Form):
    default_renderer = _RENDERER
    # Kana reading fields (not required on the form) and the field each one reads, e.g.
    # ``{"title_kana": "title"}``: one left empty gets a proposed reading, and the form is shown
    # again for the resident to check it (search finds titles typed in hiragana by it).
    readings: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def show_service_error(
        self, error: ServiceError, *, field_names: dict[str, str] | None = None
    ) -> None:
        """Attach a service's per-field messages to this form's fields (renamed through
        ``field_names`` where the form calls a field otherwise), the rest to the whole form."""
        for key, messages in error.fields.items():
            field = (field_names or {}).get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def _set_choices(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def full_clean(self) -> None:
        super().full_clean()
        self._propose_readings()
        self._forget_my_numbers()

    def _propose_readings(self) -> None:
        if not self.is_bound:
            return
        for reading, source in self.readings.items():
            if self.cleaned_data.get(reading) or reading in self.errors:
                continue
            proposal = reading_for(str(self.cleaned_data.get(source) or ""))
            if not proposal:
                self.add_error(reading, self.fields[reading].error_messages["required"])
                continue
            data = QueryDict(mutable=True)
            data.update(self.data)
            data[self.add_prefix(reading)] = proposal
            self.data = data
            self.add_error(
                reading,
                _(
                    "We filled in a reading from the name. Please check it, correct it if "
                    "needed, and send the form again."
                ),
            )

    def _forget_my_numbers(self) -> None:
        """Never send a My Number back to the browser, even into the field it was typed in.
        The cleaned data keeps it, so that the service can refuse it with its message."""
        if not self.is_bound:
            return
        data = QueryDict(mutable=True)
        data.update(self.data)
        for name in self.fields:
            value = data.get(name)
            if isinstance(value, str) and looks_like_my_number(value):
                data[name] = ""
        self.data = data


def card_input(**attrs: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            **attrs,
        }
    )


def pin_input() -> forms.PasswordInput:
    return forms.PasswordInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "class": "input-short"}
    )


class LoginForm(PageForm):
    card_id = forms.CharField(
        label=_("Card number"),
        max_length=200,
        strip=False,
        help_text=_("Hold your resident card to the reader, or type the number of your card."),
        widget=card_input(),
    )
    pin = forms.CharField(
        label=_("PIN (4 digits)"),
        max_length=20,
        strip=False,
        help_text=_("The 4-digit PIN of your resident card."),
        widget=pin_input(),
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CityDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input, read and shown in the city's time zone (whatever time zone
    is active), so that 10:00 typed by a lecturer is 10:00 in Tokyo."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)
    input_formats = [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(CITY_TIME_ZONE).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            naive = value
        else:
            for fmt in self.input_formats:
                try:
                    naive = datetime.strptime(value, fmt)
                    break
                except (TypeError, ValueError):
                    continue
            else:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_aware(naive):
            return naive
        return naive.replace(tzinfo=CITY_TIME_ZONE)


def checkbox(label: Any, help_text: Any = "") -> forms.BooleanField:
    return forms.BooleanField(
        label=label, required=False, help_text=help_text, template_name=CHECKBOX_TEMPLATE
    )
