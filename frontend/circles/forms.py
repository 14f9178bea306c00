"""The circle pages' forms.  Like every page form they check only the shape of the input; the
circle services own the rules and their messages (``PageForm.show_service_error``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campus_social.common.ids import DB_INT_MAX
from campus_social.identity import selectors as identity_selectors
from campus_social.identity.models import Resident
from communities.values import CircleVisibility, Topic
from frontend.forms import Choices, PageForm, checkbox

if TYPE_CHECKING:
    from communities.models import Circle

# The services name the district ``district_id`` and the successor ``successor_id``.
CIRCLE_FIELD_NAMES = {"district_id": "district"}
SUCCESSOR_FIELD_NAMES = {"successor_id": "successor"}


# --- The directory --------------------------------------------------------------------------------

ACTIVE_WITHIN: Choices = [
    ("", _("Any time")),
    ("30", _("In the last 30 days")),
    ("90", _("In the last 90 days")),
]


class CircleFilterForm(PageForm):
    q = forms.CharField(
        label=_("Name or words"),
        required=False,
        max_length=100,
        help_text=_("Part of the circle's name or description, in kanji or in kana."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=())
    district = forms.ChoiceField(label=_("District"), required=False, choices=())
    active = forms.ChoiceField(
        label=_("Met or talked"),
        required=False,
        choices=ACTIVE_WITHIN,
        help_text=_("Find circles that are alive: they met, or wrote to each other, lately."),
    )
    for_children = checkbox(_("Only circles open to children"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("topic", [("", _("Any topic")), *Topic.choices])
        self._set_choices(
            "district",
            [("", _("Any district"))]
            + [(d.slug, d.name) for d in identity_selectors.district_list()],
        )

    def active_within_days(self) -> int | None:
        value = self.cleaned_data.get("active")
        return int(value) if value else None


# --- A circle's details -------------------------------------------------------------------------


class CircleForm(PageForm):
    readings = {"name_kana": "name"}

    name = forms.CharField(label=_("Name of the circle"), max_length=120)
    name_kana = forms.CharField(
        label=pgettext_lazy("circle", "Reading of the name (kana)"),
        max_length=240,
        required=False,
        help_text=_("So that residents typing in hiragana find the circle."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        help_text=_("What the circle does, and where and how often it meets."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    district = forms.TypedChoiceField(
        label=pgettext_lazy("circle", "Home district"), coerce=int, choices=()
    )
    visibility = forms.ChoiceField(
        label=_("Who may join"),
        choices=CircleVisibility.choices,
        initial=CircleVisibility.OPEN,
        help_text=_("An invite-only circle does not appear in the list of circles."),
        widget=forms.RadioSelect,
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        help_text=_("Choose one or more."),
        error_messages={"required": _("Choose at least one topic.")},
        widget=forms.CheckboxSelectMultiple,
    )
    for_children = checkbox(
        _("Open to children (with a guardian)"),
        _(
            "Children join only through a guardian. The organiser needs a current vetting check "
            "by the city."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(
            "district",
            [("", "—")] + [(str(d.pk), d.name) for d in identity_selectors.district_list()],
        )

    @classmethod
    def initial_for(cls, circle: Circle) -> dict[str, Any]:
        return {
            "name": circle.name,
            "name_kana": circle.name_kana,
            "description": circle.description,
            "district": circle.district_id,
            "visibility": circle.visibility,
            "topics": [entry.topic for entry in circle.topics.all()],
            "for_children": circle.for_children,
        }

    def service_values(self) -> dict[str, Any]:
        """The cleaned values under the names ``circle_create``/``circle_update`` take."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "name_kana": data["name_kana"],
            "description": data["description"],
            "district_id": data["district"],
            "visibility": data["visibility"],
            "topics": list(data["topics"]),
            "for_children": data["for_children"],
        }


class PictureForm(PageForm):
    picture = forms.FileField(
        label=_("Picture of the circle"),
        help_text=_(
            "A JPEG, PNG, WebP or GIF picture of at most 5 MB. Its location data is removed."
        ),
        error_messages={"required": _("Choose a picture.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )


class CircleCloseForm(PageForm):
    confirm = checkbox(
        _("Yes, close this circle"),
        _(
            "Members can still read everything, but nobody can join, post, plan a meeting or "
            "chat any more. This cannot be undone."
        ),
    )

    def clean_confirm(self) -> bool:
        if not self.cleaned_data.get("confirm"):
            raise forms.ValidationError(_("Tick the box to confirm."))
        return True


# --- Membership -----------------------------------------------------------------------------------


class SuccessorForm(PageForm):
    """Who organises the circle next: a select of the other adult members (given at render
    time; the service checks the choice)."""

    successor = forms.IntegerField(
        label=_("New organiser"), min_value=1, max_value=DB_INT_MAX, widget=forms.Select
    )

    def __init__(
        self,
        *args: Any,
        members: list[Resident] | None = None,
        label: Any = None,
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["successor"]
        field.required = required
        if label is not None:
            field.label = label
        widget = field.widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "—")] + [
            (str(member.pk), member.display_name) for member in members or []
        ]


class InviteForm(PageForm):
    resident_number = forms.IntegerField(
        label=_("Resident number"),
        min_value=1,
        max_value=DB_INT_MAX,
        help_text=_("Ask the person for it: they find it on their “My page”."),
        widget=forms.NumberInput(attrs={"autocomplete": "off", "class": "input-short"}),
    )
