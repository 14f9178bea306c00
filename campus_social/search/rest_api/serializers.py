"""The search API's input and output.  Input serializers check only shape (and that a chosen
facet value exists); ``campus_social.search.services`` owns what is found."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campus_social.identity import selectors as identity_selectors
from campus_social.search import labels
from campus_social.search.documents import COUNT_CAP
from campus_social.search.services import PAGE_SIZE_MAX


class QueryTextField(serializers.CharField):
    """What a resident typed.  Nothing in it is refused: the search reads only letters, digits
    and Japanese characters from it (a pasted tab or a stray NUL still finds things) and cuts
    what is too long."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_blank=True, default="", **kwargs)
        # DRF refuses a NUL outright; the search reads it as a space, like any control character.
        self.validators = []


class KindListField(serializers.ListField):
    """``?type=offering&type=circle`` or ``?type=offering,circle``: either way a list."""

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = [data]
        parts = [part.strip() for item in data for part in str(item).split(",")]
        kinds = list(dict.fromkeys(part for part in parts if part))
        known = labels.known_values("kind") or frozenset()
        unknown = [kind for kind in kinds if kind not in known]
        if unknown:
            # One plain message, not DRF's list of per-item errors.
            raise serializers.ValidationError(
                _("There is nothing to search called “%(kind)s”. Choose one of: %(kinds)s.")
                % {"kind": unknown[0], "kinds": ", ".join(sorted(known))}
            )
        return kinds


def _choice(facet: str, help_text: str) -> serializers.Field:
    values = labels.known_values(facet)
    if values is None:
        return serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text=help_text
        )
    return serializers.ChoiceField(
        choices=sorted(values), required=False, allow_blank=True, help_text=help_text
    )


class SearchInput(serializers.Serializer):
    q = QueryTextField(
        help_text="The words to find, in kanji, kana or romaji (long text is cut to 100 "
        "characters). Empty lists everything the caller may find."
    )
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=COUNT_CAP)
    page_size = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        help_text=f"How many results per page (1–{PAGE_SIZE_MAX}; a larger size gets "
        f"{PAGE_SIZE_MAX}).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds and facet values are what the apps registered in ``AppConfig.ready()``.
        kinds = sorted(labels.known_values("kind") or ())
        self.fields["type"] = KindListField(
            child=serializers.ChoiceField(choices=kinds),
            required=False,
            default=list,
            help_text="Only these kinds of things (repeat the parameter, or separate kinds by "
            "commas). All kinds when not given.",
        )
        self.fields["category"] = _choice("category", "A course subject.")
        self.fields["district"] = serializers.SlugField(
            required=False, allow_blank=True, help_text="A district's code (``slug``)."
        )
        self.fields["audience"] = _choice("audience", "Who it is for.")
        self.fields["weekday"] = _choice("weekday", "Meets on this day (1 = Monday … 7 = Sunday).")
        self.fields["free"] = _choice("free", "``yes``: free of charge; ``no``: with a fee.")
        self.fields["credit"] = _choice(
            "credit", "``yes``: earns university credit; ``no``: does not."
        )

    def validate_district(self, value: str) -> str:
        if value and not identity_selectors.district_list().filter(slug=value).exists():
            raise serializers.ValidationError(_("There is no district with this code."))
        return value

    def validate_page_size(self, value: int) -> int:
        return min(value, PAGE_SIZE_MAX)

    def search_filters(self) -> dict[str, str]:
        """The chosen facet values, keyed as ``services.search`` names the facets."""
        data = self.validated_data
        return {facet: data[facet] for facet in labels.FILTERS if data.get(facet)}


class SuggestInput(serializers.Serializer):
    q = QueryTextField(help_text="What has been typed so far.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = sorted(labels.known_values("kind") or ())
        self.fields["type"] = KindListField(
            child=serializers.ChoiceField(choices=kinds),
            required=False,
            default=list,
            help_text="Only titles of these kinds (repeat, or separate by commas).",
        )


class HitOutput(serializers.Serializer):
    type = serializers.CharField(source="kind", help_text="The kind: ``offering``, ``circle`` …")
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the thing found.")
    title_html = serializers.CharField(
        help_text="The title, HTML-escaped, with what matched in ``<mark>``."
    )
    snippet_html = serializers.CharField(
        help_text="A stretch of the description around the match, escaped, matches in ``<mark>``."
    )


class FacetValueOutput(serializers.Serializer):
    value = serializers.CharField(help_text="Pass it back as the filter of the same name.")
    # DRF takes declared fields off the class, so this does not replace Field.label; the stubs
    # cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class SearchOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text=f"How many match, counted up to {COUNT_CAP}.")
    count_capped = serializers.BooleanField(
        help_text=f"True when at least {COUNT_CAP} match (``count`` is then {COUNT_CAP})."
    )
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitOutput(many=True)
    facets = serializers.DictField(
        child=FacetValueOutput(many=True),
        help_text="For each filter (``type``, ``category``, ``district``, ``audience``, "
        "``weekday``, ``free``, ``credit``), its values among the matches with their counts.",
    )
    suggestions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Other words to try, given when nothing matched.",
    )


class SuggestOutput(serializers.Serializer):
    suggestions = serializers.ListField(
        child=serializers.CharField(), help_text="Titles that start like what was typed."
    )
