"""The search page's form: the words and the kind (as tabs), and the facet values chosen (as
links).  Only shape is checked here; what is found is ``campus_social.search.services``'s."""

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus_social.search import labels
from frontend.forms import PageForm


class QueryField(forms.CharField):
    """What a resident typed, never refused: control characters become spaces and the search
    cuts what is too long (a pasted paragraph still finds things)."""

    def to_python(self, value: Any) -> str:
        text = "".join(
            " " if unicodedata.category(char) == "Cc" else char for char in str(value or "")
        )
        return " ".join(text.split())


class SearchForm(PageForm):
    q = QueryField(
        label=_("What are you looking for?"),
        required=False,
        help_text=_("A course, a circle or a lecturer — in kanji, kana or romaji."),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "data-typeahead": "search"}
        ),
    )
    type = forms.ChoiceField(required=False, choices=())
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(
            "type", [("", ""), *((k, k) for k in sorted(labels.known_values("kind") or ()))]
        )
        for facet in labels.FILTERS:
            values = labels.known_values(facet)
            if values is None:
                self.fields[facet] = forms.SlugField(required=False)
            else:
                self.fields[facet] = forms.ChoiceField(
                    required=False, choices=[("", ""), *((v, v) for v in sorted(values))]
                )

    def filters(self) -> dict[str, str]:
        return {
            facet: self.cleaned_data[facet]
            for facet in labels.FILTERS
            if self.cleaned_data.get(facet)
        }
