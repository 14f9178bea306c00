from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from campus_social.identity import selectors

TEXT_SIZE_COOKIE = "text_size"


def site(request: HttpRequest) -> dict[str, object]:
    """Page-wide settings every template needs: the large-text mode, and whether the signed-in
    resident is city staff (looked up only when a template asks)."""
    user = getattr(request, "user", None)
    return {
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "is_city_staff": SimpleLazyObject(lambda: selectors.resident_is_city_staff(user)),
    }
