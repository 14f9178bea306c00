"""What residents read for the facets and their values, in their language, for the API and the
search page alike.

A facet value is an opaque string the app that indexes it defines (``documents.FACETS``), so the
words for it come from that app too: an app hands in its choices from ``AppConfig.ready()``
(``register_labels("category", Category.choices)``), as the core imports no app.  The kinds are
named by their sources, districts by their row, and the weekdays, "free" and "credit" here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from campus_social.identity import selectors as identity_selectors
from campus_social.search import registry
from campus_social.search.documents import FACETS, FacetValue

# The facets as a query string names them: ``kind`` is ``type`` outside (``?type=circle``).
PARAMETER = {"kind": "type"}
# The facets a search page or the API narrows by, besides the kind (named as in ``FACETS``).
FILTERS = ("category", "district", "audience", "weekday", "free", "credit")

_HEADINGS: dict[str, Promise] = {
    "kind": gettext_lazy("Type"),
    "category": gettext_lazy("Subject"),
    "district": gettext_lazy("District"),
    "audience": gettext_lazy("For"),
    "weekday": gettext_lazy("Day of the week"),
    "free": gettext_lazy("Fee"),
    "credit": gettext_lazy("University credit"),
}

_BUILT_IN: dict[str, dict[str, Promise]] = {
    "weekday": {
        "1": gettext_lazy("Monday"),
        "2": gettext_lazy("Tuesday"),
        "3": gettext_lazy("Wednesday"),
        "4": gettext_lazy("Thursday"),
        "5": gettext_lazy("Friday"),
        "6": gettext_lazy("Saturday"),
        "7": gettext_lazy("Sunday"),
    },
    "free": {"yes": gettext_lazy("Free"), "no": gettext_lazy("With a fee")},
    "credit": {
        "yes": gettext_lazy("Earns university credit"),
        "no": gettext_lazy("No university credit"),
    },
}

_registered: dict[str, dict[str, str | Promise]] = {}


def register_labels(facet: str, choices: Iterable[tuple[str, str | Promise]]) -> None:
    """Name an app's values of ``facet`` (lazy translations, read in each viewer's language).
    Several apps may name values of one facet; a value named twice keeps its first name."""
    named = _registered.setdefault(facet, {})
    for value, label in choices:
        named.setdefault(value, label)


def heading(facet: str) -> str:
    return str(_HEADINGS.get(facet, facet))


def known_values(facet: str) -> frozenset[str] | None:
    """The values a filter on ``facet`` may take, or None when any value may be asked for
    (districts: the page or API checks the slug itself)."""
    if facet == "kind":
        return frozenset(registry.sources())
    if facet in _BUILT_IN:
        return frozenset(_BUILT_IN[facet])
    if facet in _registered:
        return frozenset(_registered[facet])
    return None


def value_labels(facet: str, values: Iterable[str]) -> dict[str, str]:
    """Each value's label in the current language; a value nobody named is shown as it is."""
    wanted = list(values)
    if facet == "kind":
        sources = registry.sources()
        return {v: sources[v].label() if v in sources else v for v in wanted}
    if facet == "district":
        names = dict(
            identity_selectors.district_list().filter(slug__in=wanted).values_list("slug", "name")
        )
        return {v: names.get(v, v) for v in wanted}
    named: Mapping[str, str | Promise] = _BUILT_IN.get(facet) or _registered.get(facet, {})
    return {v: str(named[v]) if v in named else v for v in wanted}


@dataclass(frozen=True)
class LabelledValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class LabelledFacet:
    name: str  # as the query string names it ("type", "category", …)
    heading: str
    values: list[LabelledValue]


def labelled(facets: Mapping[str, list[FacetValue]]) -> list[LabelledFacet]:
    """The facet counts of a search, labelled, in ``FACETS`` order, leaving out empty facets.
    Values keep the backend's order (most found first); one query for district names."""
    out = []
    for facet in FACETS:
        counted = facets.get(facet) or []
        if not counted:
            continue
        labels = value_labels(facet, [fv.value for fv in counted])
        out.append(
            LabelledFacet(
                name=PARAMETER.get(facet, facet),
                heading=heading(facet),
                values=[LabelledValue(fv.value, labels[fv.value], fv.count) for fv in counted],
            )
        )
    return out
