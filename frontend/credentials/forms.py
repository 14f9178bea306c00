from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.credentials.signing import MAX_TOKEN_CHARS
from frontend.forms import PageForm


class CredentialVerifyForm(PageForm):
    credential = forms.CharField(
        label=pgettext_lazy("credential", "Credential"),
        max_length=MAX_TOKEN_CHARS,
        help_text=_(
            "Paste the credential as you received it: a long line of letters and digits "
            "beginning with eyJ."
        ),
        widget=forms.Textarea(
            attrs={"rows": 8, "spellcheck": "false", "autocapitalize": "off", "autocomplete": "off"}
        ),
    )
