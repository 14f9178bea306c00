from django.http import HttpRequest

TEXT_SIZE_COOKIE = "text_size"


def site(request: HttpRequest) -> dict[str, object]:
    """Page-wide settings every template needs: the large-text mode."""
    return {"large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large"}
