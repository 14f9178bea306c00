"""The search page: one box for courses, circles, lecturers and programs, with the kinds as tabs,
the facets as links with their counts, highlighted results, pages, and other words to try when
nothing matched.  Public, like the course catalogue: what a visitor finds is what they may see
(``campus_social.search.services`` applies the viewer's access keys)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campus_social.common.errors import RateLimited
from campus_social.common.ratelimit import caller_key
from campus_social.identity.models import Resident
from campus_social.search import labels, services
from campus_social.search.backends import SearchUnavailable
from campus_social.search.documents import SearchResults
from frontend.search.forms import SearchForm

RESULTS_PER_PAGE = 20
# The tabs' order: what residents look for most first; kinds registered later go last.
TAB_ORDER = ("offering", "lecturer", "circle", "program")


def _link(query: QueryDict, **changes: str | None) -> str:
    """This page's address with some parameters changed (``None`` takes one out); any change
    starts again from the first page."""
    params = query.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value:
            params[name] = value
    return f"?{params.urlencode()}" if params else "?"


def _tabs(query: QueryDict, chosen: str) -> list[dict[str, Any]]:
    known = labels.known_values("kind") or frozenset()
    ordered = sorted(known, key=lambda k: (TAB_ORDER.index(k) if k in TAB_ORDER else 99, k))
    kinds = labels.value_labels("kind", ordered)
    tabs = [{"label": _("Everything"), "url": _link(query, type=None), "current": not chosen}]
    for kind, label in kinds.items():
        tabs.append({"label": label, "url": _link(query, type=kind), "current": kind == chosen})
    return tabs


def _facets(query: QueryDict, results: SearchResults, chosen: dict[str, str]) -> list[Any]:
    """The facets beside the results (the kind is the tabs): each value links to the results
    narrowed to it, or, when chosen, back to all of them."""
    facets = []
    for facet in labels.labelled(results.facets):
        if facet.name == "type":
            continue
        values = [
            {
                "label": value.label,
                "count": value.count,
                "chosen": chosen.get(facet.name) == value.value,
                "url": _link(
                    query,
                    **{facet.name: None if chosen.get(facet.name) == value.value else value.value},
                ),
            }
            for value in facet.values
        ]
        facets.append({"name": facet.name, "heading": facet.heading, "values": values})
    return facets


def _pages(results: SearchResults) -> Page:
    # Only the count is paginated here (the search answered this page already): the Paginator
    # gives the pagination include its page numbers.
    return Paginator(range(results.total), results.page_size).get_page(results.page)


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "results": None, "asked": form.is_bound}
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = form.filters()
        viewer = request.user if isinstance(request.user, Resident) else None
        context["tabs"] = _tabs(request.GET, data["type"])
        context["chosen"] = chosen
        asking = {
            "text": data["q"],
            "viewer": viewer,
            "kinds": [data["type"]] if data["type"] else [],
            "filters": chosen,
            "page_size": RESULTS_PER_PAGE,
            "client": caller_key(request),
        }
        try:
            results = services.search(**asking, page=data["page"] or 1)
            if not results.hits and results.total:
                # A page past the last (an old link): the last page, as the catalogue does.
                last = _pages(results).paginator.num_pages
                results = services.search(**asking, page=last)
        except (SearchUnavailable, RateLimited) as unavailable:
            context["unavailable"] = unavailable.message
            context["unavailable_title"] = (
                _("Too many searches")
                if isinstance(unavailable, RateLimited)
                else _("Search is not working right now")
            )
            status = unavailable.status
        else:
            context["results"] = results
            kind_labels = labels.value_labels("kind", {hit.kind for hit in results.hits})
            context["hits"] = [
                {
                    "kind_label": kind_labels[hit.kind],
                    "url": hit.url,
                    "title_html": hit.title_html,
                    "snippet_html": hit.snippet_html,
                }
                for hit in results.hits
            ]
            context["page"] = _pages(results)
            context["facets"] = _facets(request.GET, results, chosen)
            context["suggestion_links"] = [
                {"text": text, "url": _link(QueryDict(), q=text)} for text in results.suggestions
            ]
            context["clear_url"] = _link(request.GET, **dict.fromkeys(labels.FILTERS))
    elif form.is_bound:
        status = 400
    return render(request, "frontend/search/search.html", context, status=status)
