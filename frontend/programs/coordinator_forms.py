"""The coordinators' program forms: shape only.  The program services own the rules and their
messages (``PageForm.show_service_error``); the field names are the services' own
(``district_id`` is shown as ``district``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campus_social.identity import selectors as identity_selectors
from campus_social.identity.selectors import grade_label
from communities.values import Topic
from frontend.forms import Choices, CityDateTimeField, PageForm, checkbox, date_input

# The service's field names that the form calls otherwise.
FIELD_NAMES = {"district_id": "district", "school_id": "school", "reader_id": "reader"}


def _grades() -> Choices:
    return [("", "—"), *((str(year), grade_label(year)) for year in range(1, 13))]


class ProgramForm(PageForm):
    """A program's details; with ``schools`` it also asks which school (a new program)."""

    school = forms.TypedChoiceField(label=_("School"), coerce=int, choices=())
    readings = {"title_kana": "title"}

    title = forms.CharField(label=pgettext_lazy("program", "Title"), max_length=200)
    title_kana = forms.CharField(
        label=pgettext_lazy("program", "Reading of the title (kana)"),
        max_length=400,
        required=False,
        help_text=_("So that residents typing in hiragana find the program."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=())
    description = forms.CharField(
        label=_("What the children will do"),
        max_length=5000,
        help_text=_("Guardians read this when they consent; it is stored with their consent."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    grade_min = forms.TypedChoiceField(label=_("Lowest school year"), coerce=int, choices=())
    grade_max = forms.TypedChoiceField(label=_("Highest school year"), coerce=int, choices=())
    starts_on = forms.DateField(label=_("Term starts"), widget=date_input())
    ends_on = forms.DateField(label=_("Term ends"), widget=date_input())
    venue = forms.CharField(
        label=_("Venue"),
        max_length=200,
        help_text=_("The building and the room, for example: the school's multipurpose room."),
    )
    district = forms.TypedChoiceField(label=_("District of the venue"), coerce=int, choices=())
    seniors_needed = forms.IntegerField(label=_("Seniors needed"), min_value=1, max_value=200)
    children_needed = forms.IntegerField(label=_("Children needed"), min_value=1, max_value=200)
    reader = forms.TypedChoiceField(
        label=_("Card reader at the venue"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        help_text=_("Volunteers tap their resident card here to check in to a session."),
    )

    def __init__(
        self,
        *args: Any,
        schools: list[tuple[int, str]] | None = None,
        readers: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # A new program chooses its school first: its reader is set once it exists.
        if readers is None:
            del self.fields["reader"]
        else:
            self._set_choices(
                "reader", [("", _("None")), *((str(pk), name) for pk, name in readers)]
            )
        if schools is None:
            del self.fields["school"]
        else:
            self._set_choices("school", [("", "—"), *((str(pk), name) for pk, name in schools)])
            if len(schools) == 1 and not self.is_bound:
                self.initial.setdefault("school", schools[0][0])
        self._set_choices("theme", [("", "—"), *Topic.choices])
        self._set_choices("grade_min", _grades())
        self._set_choices("grade_max", _grades())
        self._set_choices(
            "district",
            [("", "—"), *((str(d.pk), d.name) for d in identity_selectors.district_list())],
        )

    def service_values(self) -> dict[str, Any]:
        """The cleaned values under the names ``program_create`` / ``program_update`` take."""
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("school", "district", "reader")
        }
        values["district_id"] = self.cleaned_data["district"]
        if "reader" in self.fields:
            values["reader_id"] = self.cleaned_data["reader"]
        for name in ("starts_on", "ends_on"):
            values[name] = values[name].isoformat()
        return values


class ProgramCancelForm(PageForm):
    confirm = checkbox(
        _("Yes, cancel this program"),
        _(
            "Nobody can join any more, and the sessions to come do not take place. This cannot be "
            "undone."
        ),
    )

    def clean_confirm(self) -> bool:
        if not self.cleaned_data.get("confirm"):
            raise forms.ValidationError(_("Tick the box to confirm."))
        return True


class ProgramSessionForm(PageForm):
    starts_at = CityDateTimeField(label=_("Starts"))
    ends_at = CityDateTimeField(label=_("Ends"))


class _AnyChildIds(forms.TypedMultipleChoiceField):
    """The children ticked, as ids.  Any id is taken: whether a child may be in a photo is the
    service's rule (``photo_add``), and its refusal is what the page shows."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and value.isdigit() and 0 < len(value) < 19


class PhotoForm(PageForm):
    """A photo of a session and the children in it (only those whose consent allows photos are
    offered: ``children``)."""

    file = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG or PNG picture of at most 8 MB. Its location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    child_ids = _AnyChildIds(
        label=_("Children in the photo"),
        coerce=int,
        required=False,
        choices=(),
        help_text=_("Only children whose guardian allowed photos are listed."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, children: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer(children or [])

    def offer(self, children: list[tuple[int, str]]) -> "PhotoForm":
        """The children the page offers to tag (those whose consent allows photos)."""
        self._set_choices("child_ids", [(str(pk), name) for pk, name in children])
        return self
