"""The wrappers every signed-in page goes through, so that each refusal looks the same."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from campus_social.audit.services import audit_permission_denied
from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity import selectors
from frontend.views import forbidden

View = Callable[..., HttpResponse]


def resident_page(view: View) -> View:
    """Signed-in residents only.  A service's ``NotFound`` (someone else's object) becomes the
    404 page; a ``Forbidden`` the 403 page with its message, audited.  These pages show
    personal data, so no cache may keep them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except Forbidden as error:
            audit_permission_denied(request=request)
            return forbidden(request, error.message)

    return login_required(never_cache(wrapper))


def staff_page(view: View) -> View:
    """A ``resident_page`` for city staff only: everyone else gets the (audited) 403 page."""

    @wraps(view)
    def staff_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        selectors.require_city_staff(request.user)
        return view(request, *args, **kwargs)

    return resident_page(staff_only)
