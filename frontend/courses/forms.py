"""The course pages' forms.  Like every page form they check only the shape of the input; the
course services own the rules and their messages (``PageForm.show_service_error``).

Dates and times are typed in ``<input type="datetime-local">``, which sends no time zone: they
are read as the city's time (``frontend.forms.CityDateTimeField``), and shown back in it.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campus_social.common.ids import DB_INT_MAX
from campus_social.identity import selectors as identity_selectors
from courses.values import Audience, Category, Level
from frontend.forms import Choices, CityDateTimeField, PageForm, checkbox, date_input

if TYPE_CHECKING:
    from courses.models import Course


def _choices_with_any(choices: Choices, any_label: Any) -> Choices:
    return [("", any_label), *choices]


def _district_choices() -> Choices:
    return [(d.slug, d.name) for d in identity_selectors.district_list()]


# --- The catalogue ------------------------------------------------------------------------------

WEEKDAYS: Choices = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class CatalogueFilterForm(PageForm):
    q = forms.CharField(
        label=_("Course or lecturer"),
        required=False,
        max_length=100,
        help_text=_(
            "Words of the title or the description, or the lecturer's name — in kanji, kana "
            "or romaji."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(label=_("Subject"), required=False, choices=())
    district = forms.ChoiceField(label=_("District"), required=False, choices=())
    audience = forms.ChoiceField(label=_("For"), required=False, choices=())
    starts_from = forms.DateField(
        label=_("Starting on or after"), required=False, widget=date_input()
    )
    starts_until = forms.DateField(
        label=_("Starting on or before"), required=False, widget=date_input()
    )
    weekday = forms.ChoiceField(label=_("Day of the week"), required=False, choices=())
    free = checkbox(_("Free courses only"))
    credit = checkbox(_("Only courses that earn university credit"))
    # A lecturer's courses (search links a lecturer here): kept as the filters change.
    lecturer = forms.IntegerField(
        required=False, min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("category", _choices_with_any(Category.choices, _("Any subject")))
        self._set_choices("district", _choices_with_any(_district_choices(), _("Any district")))
        # Not "Anyone": in Japanese that is どなたでも, the same words as the audience "Everyone".
        self._set_choices("audience", _choices_with_any(Audience.choices, _("Any audience")))
        self._set_choices("weekday", _choices_with_any(WEEKDAYS, _("Any day")))


# --- Taking part ----------------------------------------------------------------------------------


class SurveyForm(PageForm):
    rating = forms.TypedChoiceField(
        label=_("How was the course?"),
        help_text=_("5 is the best."),
        coerce=int,
        choices=[
            ("5", _("5 — very good")),
            ("4", _("4 — good")),
            ("3", _("3 — all right")),
            ("2", _("2 — not so good")),
            ("1", _("1 — poor")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell the lecturer"),
        required=False,
        help_text=_("Your answer does not show your name."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )


# --- Teaching ---------------------------------------------------------------------------------------


class LecturerApplyForm(PageForm):
    readings = {"name_kana": "display_name"}

    display_name = forms.CharField(
        label=_("Your name as a lecturer"),
        max_length=100,
        help_text=_("Learners see this name."),
    )
    name_kana = forms.CharField(
        label=_("Reading of the name (kana)"),
        max_length=200,
        required=False,
        help_text=_("Left empty, a reading is proposed for you to check."),
    )
    profile = forms.CharField(
        label=_("About you"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    skills = forms.CharField(
        label=_("Your skills"),
        max_length=500,
        help_text=_("For example: calligraphy, 30 years; licensed cook."),
    )
    teaching_wishes = forms.CharField(
        label=_("What you want to teach"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.FileField(
        label=_("Your photo"),
        required=False,
        help_text=_(
            "A JPEG or PNG picture of at most 5 MB. Its location data is removed. If the page "
            "shows an error, choose the photo again."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    wants_to_teach_children = checkbox(
        _("I want to teach children too"),
        _("City staff check lecturers before they teach children."),
    )


class CourseForm(PageForm):
    readings = {"title_kana": "title"}

    title = forms.CharField(label=_("Title"), max_length=200)
    title_kana = forms.CharField(
        label=_("Reading of the title (kana)"),
        max_length=400,
        required=False,
        help_text=_("So that learners typing in hiragana find the course."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        help_text=_("What learners will do, and what to bring."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(label=_("Subject"), choices=())
    level = forms.ChoiceField(label=_("Level"), choices=())
    audience = forms.ChoiceField(label=_("For"), choices=())
    language = forms.ChoiceField(
        label=_("Language of the course"), choices=settings.LANGUAGES, initial="ja"
    )
    class_hours = forms.IntegerField(
        label=_("Class hours"),
        required=False,
        min_value=0,
        max_value=1000,
        initial=0,
        help_text=_("Whole hours in class. Universities count 45 hours of study as one credit."),
    )
    self_study_hours = forms.IntegerField(
        label=_("Self-study hours"),
        required=False,
        min_value=0,
        max_value=1000,
        initial=0,
        help_text=_("Whole hours of study at home that the course asks for."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("category", [("", "—"), *Category.choices])
        self._set_choices("level", [("", "—"), *Level.choices])
        self._set_choices("audience", [("", "—"), *Audience.choices])

    def clean_class_hours(self) -> int:
        return self.cleaned_data.get("class_hours") or 0

    def clean_self_study_hours(self) -> int:
        return self.cleaned_data.get("self_study_hours") or 0


class OfferingForm(PageForm):
    """An offering's details; with ``courses`` it also asks which course (a new offering)."""

    course = forms.TypedChoiceField(label=_("Course"), coerce=int, choices=())
    term = forms.CharField(
        label=_("Term"),
        required=False,
        max_length=50,
        help_text=_("For example: Spring 2026."),
    )
    venue = forms.CharField(
        label=_("Venue"),
        max_length=200,
        help_text=_("The building and the room, for example: Central community centre, room 2."),
    )
    district = forms.ChoiceField(label=_("District of the venue"), choices=())
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)
    fee_yen = forms.IntegerField(
        label=_("Fee (yen)"),
        min_value=0,
        initial=0,
        help_text=_("0 for a free course."),
    )
    enrolment_opens_at = CityDateTimeField(label=_("Enrolment opens"))
    enrolment_closes_at = CityDateTimeField(label=_("Enrolment closes"))
    requires_approval = checkbox(
        _("I approve each enrolment myself"),
        _("Learners then wait for your answer instead of being enrolled at once."),
    )
    bears_credit = checkbox(_("The course earns university credit"))
    completion_percent = forms.IntegerField(
        label=_("Attendance needed to complete (%)"),
        min_value=1,
        max_value=100,
        initial=80,
    )

    def __init__(self, *args: Any, courses: "list[Course] | None" = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is None:
            del self.fields["course"]
        else:
            self._set_choices("course", [("", "—"), *((str(c.pk), c.title) for c in courses)])
        self._set_choices("district", [("", "—"), *_district_choices()])

    def service_values(self) -> dict[str, Any]:
        """The cleaned values under the names the offering services take."""
        return {name: value for name, value in self.cleaned_data.items() if name != "course"}


class SessionForm(PageForm):
    starts_at = CityDateTimeField(label=_("Starts"))
    ends_at = CityDateTimeField(label=_("Ends"))


class OfferingCancelForm(PageForm):
    confirm = checkbox(
        _("Yes, cancel this offering"),
        _("Everyone enrolled or waiting is told, and their enrolments end. This cannot be undone."),
    )

    def clean_confirm(self) -> bool:
        if not self.cleaned_data.get("confirm"):
            raise forms.ValidationError(_("Tick the box to confirm."))
        return True


class OfferingCopyForm(PageForm):
    shift_days = forms.IntegerField(
        label=_("Move the dates by (days)"),
        min_value=1,
        max_value=3650,
        initial=91,
        help_text=_("91 days is 13 weeks: the same weekdays, one term later."),
    )
    term = forms.CharField(label=_("Term of the copy"), required=False, max_length=50)
