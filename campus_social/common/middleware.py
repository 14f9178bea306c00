"""Request middleware shared by every page and API route."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


class ContentSecurityPolicyMiddleware:
    """Adds the site's Content-Security-Policy unless a view has set its own."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class LanguageMiddleware:
    """Chooses Japanese or English for each request.

    Pages are Japanese unless the resident chose English (the language cookie), whatever the
    browser says: the town campus speaks Japanese first.  API clients may also ask through
    ``Accept-Language``, since they have no page to click.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    @staticmethod
    def _choose(request: HttpRequest) -> str:
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        if request.path.startswith("/api/"):
            accepted = translation.get_language_from_request(request)
            if accepted in supported:
                return accepted
        return settings.LANGUAGE_CODE


class RequestBodyLimitMiddleware:
    """Refuses API bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413 before anything reads them.

    Django enforces that limit only when ``request.body`` is read; DRF's parsers read the stream
    directly, so without this a client could make the server parse any amount of JSON.  File
    uploads (multipart) have their own per-field limits and pass through.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_multipart = request.content_type == "multipart/form-data"
        if limit is not None and not is_multipart and self._length(request) > limit:
            return JsonResponse(
                {
                    "code": "too_large",
                    "detail": _("The request is too large. Please send less at once."),
                },
                status=413,
            )
        return self.get_response(request)

    @staticmethod
    def _length(request: HttpRequest) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0


# The widest integer a database column holds (a 64-bit signed bigint).
_LARGEST_ID = 2**63 - 1


class PathIdRangeMiddleware:
    """Answers 404 for an ``<int:…>`` in the path no database column can hold.

    Such an id can name nothing, and SQLite cannot even compare one (``OverflowError``, a 500);
    checked here once for every route, API and pages alike, rather than in each lookup.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: object,
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not -_LARGEST_ID <= value <= _LARGEST_ID:
                raise Http404
