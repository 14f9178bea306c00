"""The message pages' forms (shape only: the services own the rules and their messages)."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from campus_social.common.ids import DB_INT_MAX
from frontend.forms import PageForm
from messaging.values import BODY_MAX_LENGTH

REPORT_REASON_MAX_LENGTH = 500


class MessageSendForm(PageForm):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        # Blank text (spaces only) passes here and the service refuses it in the same words.
        error_messages={"required": gettext_lazy("Please write a message.")},
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_LENGTH}),
    )
    # Made fresh for each rendering of the page, so that a form sent twice (a double click, a
    # reload of the answer) stores one message.
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    reply_to = forms.IntegerField(
        required=False, min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, room_id: int, **kwargs: Any) -> None:
        # Ids of their own, so that two rooms' chats can share a page.
        kwargs.setdefault("auto_id", f"chat-{room_id}-%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())


class SeqForm(PageForm):
    seq = forms.IntegerField(min_value=0, max_value=DB_INT_MAX, widget=forms.HiddenInput)


class ReportForm(SeqForm):
    reason = forms.CharField(
        label=gettext_lazy("What is wrong with this message?"),
        required=False,  # the service asks for the reason in its own words
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REPORT_REASON_MAX_LENGTH}),
    )


class ModerateForm(PageForm):
    action = forms.ChoiceField(
        choices=[
            ("hide", gettext_lazy("Hide")),
            ("remove", gettext_lazy("Remove for good")),
            ("dismiss", gettext_lazy("Dismiss the reports")),
        ]
    )
    reason = forms.CharField(required=False)
