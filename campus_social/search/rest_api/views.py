"""``GET /api/v1/search/`` and its typeahead.  Public on purpose: the course catalogue is public,
so an anonymous caller finds what is public; a signed-in resident also finds what their access
keys open (their invite-only circles, programs for them).  Nothing here decides who may find
what: ``services.search`` asks each kind's source for the viewer's keys."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from campus_social.common.ratelimit import caller_key
from campus_social.common.schema import ERROR
from campus_social.identity.models import Resident
from campus_social.search import labels, services
from campus_social.search.documents import SearchResults
from campus_social.search.rest_api import serializers as s


def _viewer(request: Request) -> Resident | None:
    return request.user if isinstance(request.user, Resident) else None


def _page_link(request: Request, page: int) -> str:
    url = request.build_absolute_uri()
    return remove_query_param(url, "page") if page == 1 else replace_query_param(url, "page", page)


def _answer(request: Request, results: SearchResults) -> dict[str, Any]:
    shown_until = results.page * results.page_size
    return {
        "count": results.total,
        "count_capped": results.total_capped,
        "page": results.page,
        "page_size": results.page_size,
        "next": _page_link(request, results.page + 1) if shown_until < results.total else None,
        "previous": _page_link(request, results.page - 1) if results.page > 1 else None,
        "results": results.hits,
        "facets": {
            facet.name: [
                {"value": v.value, "label": v.label, "count": v.count} for v in facet.values
            ]
            for facet in labels.labelled(results.facets)
        },
        "suggestions": results.suggestions,
    }


class SearchApi(APIView):
    """Courses, circles, lecturers and programs matching ``q``, best first, with facet counts
    and, when nothing matched, other words to try.  ``503`` when the search engine is down."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[s.SearchInput],
        responses={200: s.SearchOutput, 404: ERROR, 429: ERROR, 503: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = s.SearchInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        results = services.search(
            text=data["q"],
            viewer=_viewer(request),
            kinds=data["type"],
            filters=query.search_filters(),
            page=data["page"],
            page_size=data["page_size"],
            client=caller_key(request),
        )
        # As every list route: a page past the last answers 404.
        if results.page > 1 and not results.hits:
            raise NotFound
        return Response(s.SearchOutput(_answer(request, results)).data)


class SuggestApi(APIView):
    """Typeahead: up to 8 titles the caller may find that start like ``q`` (in kana or romaji
    too)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[s.SuggestInput], responses={200: s.SuggestOutput, 429: ERROR, 503: ERROR}
    )
    def get(self, request: Request) -> Response:
        query = s.SuggestInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        suggestions = services.suggest(
            text=query.validated_data["q"],
            viewer=_viewer(request),
            kinds=query.validated_data["type"],
            client=caller_key(request),
        )
        return Response(s.SuggestOutput({"suggestions": suggestions}).data)
