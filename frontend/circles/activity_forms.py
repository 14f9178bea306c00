"""The forms of what a circle does together: discussions, meetings (events) and shared
resources.  Like every page form they check only the shape of the input; the circle services
own the rules and their messages (``PageForm.show_service_error``).  The field names are the
services' own, so that a service's per-field message lands next to its field.

A meeting's times are typed in ``<input type="datetime-local">`` and read as the city's time
(``CityDateTimeField``).
"""

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from campus_social.common.ids import DB_INT_MAX
from communities import uploads
from communities.values import RsvpAnswer
from frontend.forms import CityDateTimeField, PageForm

TITLE_MAX_LENGTH = 200
POST_MAX_LENGTH = 10000
EVENT_DESCRIPTION_MAX_LENGTH = 5000
URL_MAX_LENGTH = 500

# What the file input offers to choose (the server decides by the content, not by this).
ACCEPTED_FILES = ",".join(
    [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        ".pdf",
        ".txt",
        ".docx",
        ".xlsx",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
    ]
)


def _title(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        # Spaces only pass here; the service refuses them in its own words.
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH}),
    )


def _text(label: Any, *, max_length: int, rows: int = 6, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


# --- Discussions ----------------------------------------------------------------------------------


class ThreadForm(PageForm):
    title = _title(
        pgettext_lazy("circle", "Title"), gettext_lazy("What the discussion is about, in a line.")
    )
    body = _text(gettext_lazy("Your text"), max_length=POST_MAX_LENGTH)


class ReplyForm(PageForm):
    body = _text(gettext_lazy("Your reply"), max_length=POST_MAX_LENGTH, rows=4)


# --- Meetings -------------------------------------------------------------------------------------


class EventForm(PageForm):
    title = _title(
        pgettext_lazy("circle", "Title"), gettext_lazy("For example: Writing in the park.")
    )
    description = _text(
        gettext_lazy("What you will do"),
        max_length=EVENT_DESCRIPTION_MAX_LENGTH,
        rows=4,
        required=False,
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        strip=False,
        help_text=gettext_lazy("The building and the room, for example: Central library, room 3."),
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH}),
    )
    starts_at = CityDateTimeField(label=gettext_lazy("Starts"))
    ends_at = CityDateTimeField(label=gettext_lazy("Ends"))


class RsvpForm(PageForm):
    """One person's answer.  A guardian gets one form for each child of theirs in the circle,
    each with ids of its own (``auto_id``) and the child's id in ``resident``."""

    answer = forms.ChoiceField(
        label=gettext_lazy("Will you come?"),
        choices=RsvpAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one of the answers.")},
    )
    resident = forms.IntegerField(
        required=False, min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, person_id: int, label: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"rsvp-{person_id}-%s")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("resident", person_id)
        if label:
            self.fields["answer"].label = label


# --- Shared resources -----------------------------------------------------------------------------


class LinkForm(PageForm):
    title = _title(
        pgettext_lazy("circle", "Title"), gettext_lazy("What the page is, in a few words.")
    )
    # Only the shape here: the service accepts http:// and https:// addresses.
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        strip=False,
        help_text=gettext_lazy("It starts with https:// or http://."),
        widget=forms.URLInput(attrs={"maxlength": URL_MAX_LENGTH}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)


class FileForm(PageForm):
    title = _title(
        pgettext_lazy("circle", "Title"), gettext_lazy("What the file is, in a few words.")
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        error_messages={"required": gettext_lazy("Choose a file.")},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "file-%s")
        super().__init__(*args, **kwargs)
        # Read now, not at import: the limits are the upload checker's.
        self.fields["file"].help_text = _(
            "A picture (JPEG, PNG, WebP or GIF) of at most %(picture_size)s, or a document "
            "(PDF, text, Word, Excel, PowerPoint or OpenDocument) of at most %(document_size)s. "
            "The place where a photo was taken and other hidden details are removed. If the page "
            "shows an error, choose the file again."
        ) % {
            "picture_size": filesizeformat(uploads.PICTURE_MAX_BYTES),
            "document_size": filesizeformat(uploads.DOCUMENT_MAX_BYTES),
        }
