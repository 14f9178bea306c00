"""The participants' program pages' forms: shape only.  The services in
``communities.services`` own every rule and its message (who may consent, the school year, the
reflection's length, who may offer to volunteer)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus_social.identity import selectors as identity_selectors
from campus_social.identity.models import Resident
from communities.values import AVAILABILITY_SLOTS, Topic
from frontend.forms import PageForm, checkbox

# The services name some fields otherwise than the forms do.
OFFER_FIELD_NAMES = {"district_ids": "districts"}
CONSENT_FIELD_NAMES = {"photos_allowed": "photos", "child_id": "child"}
CHILD_REFLECTION_LIMIT = 200
ADULT_REFLECTION_LIMIT = 1000


def _child_choices(children: list[Resident]) -> list[tuple[str, Any]]:
    return [(str(child.pk), child.display_name) for child in children]


class AnswerForm(PageForm):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class ConsentForm(PageForm):
    child = forms.TypedChoiceField(
        label=_("Which child"), coerce=int, choices=(), widget=forms.RadioSelect
    )
    photos = forms.TypedChoiceField(
        label=_("Photos"),
        coerce=lambda value: value == "yes",
        choices=[
            ("yes", _("Photos in which my child is shown may be taken and shown")),
            ("no", _("No photos of my child")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether photos may be taken.")},
        help_text=_(
            "Only those taking part see the photos. You can change your mind: withdrawing hides "
            "them at once."
        ),
    )
    sign_up = checkbox(
        _("Sign my child up for the program now"),
        _("Otherwise the coordinator adds your child later."),
    )

    def __init__(self, *args: Any, children: list[Resident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("child", _child_choices(children))
        if len(children) == 1:
            self.fields["child"].initial = children[0].pk


class ChildForm(PageForm):
    child = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReflectionForm(PageForm):
    author = forms.TypedChoiceField(
        label=_("Who is writing"), coerce=int, choices=(), widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What did you do and how was it?"),
        max_length=ADULT_REFLECTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, authors: list[Resident], actor: Resident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            (str(author.pk), _("Myself") if author.pk == actor.pk else author.display_name)
            for author in authors
        ]
        self._set_choices("author", choices)
        if len(authors) == 1:
            # Nothing to choose: the one author goes as a hidden value.
            self.fields["author"].widget = forms.HiddenInput()
            self.fields["author"].initial = authors[0].pk
        only_children = bool(authors) and all(author.is_child for author in authors)
        limit = CHILD_REFLECTION_LIMIT if only_children else ADULT_REFLECTION_LIMIT
        text = self.fields["text"]
        assert isinstance(text, forms.CharField)
        text.max_length = limit
        text.widget.attrs["maxlength"] = str(limit)
        if actor.is_child:
            text.label = _("What did you do? How was it?")
            text.help_text = _("Up to %(limit)d characters. A few words are enough.") % {
                "limit": limit
            }
        else:
            text.help_text = _(
                "Up to %(limit)d characters (a child's reflection: up to %(child)d)."
            ) % {"limit": limit, "child": CHILD_REFLECTION_LIMIT}


def _slot_choices() -> list[tuple[str, str]]:
    return [(slot, slot) for slot in AVAILABILITY_SLOTS]


class VolunteerOfferForm(PageForm):
    skills = forms.CharField(
        label=_("What I can share"),
        max_length=2000,
        help_text=_("Skills, stories, games, crafts: in a few sentences."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.TypedMultipleChoiceField(
        label=_("Districts I can reach"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When I can come"), choices=_slot_choices, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(
            "districts",
            [(str(d.pk), d.name) for d in identity_selectors.district_list()],
        )

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "skills": data["skills"],
            "topics": list(data["topics"]),
            "district_ids": list(data["districts"]),
            "availability": list(data["availability"]),
        }
