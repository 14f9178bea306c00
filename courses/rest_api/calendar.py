"""Calendar feeds.  ``/calendar/<token>.ics`` is a plain Django view at the root, with no login:
calendar apps subscribe to an address and cannot sign in, so the secret token in it is the
credential.  An unknown or revoked token answers 404, and nothing of the feed is cached."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campus_social.common import ics
from courses import selectors, services
from courses.models import Offering, Session

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _event(request: HttpRequest, session: Session) -> ics.CalendarEvent:
    offering = session.offering
    return ics.CalendarEvent(
        uid=f"session-{session.pk}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=offering.course.title,
        location=offering.venue,
        url=request.build_absolute_uri(f"/courses/offerings/{offering.pk}/"),
        cancelled=session.cancelled_at is not None or offering.status == Offering.Status.CANCELLED,
    )


def _ics_response(body: str, *, cache_control: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    response["Cache-Control"] = cache_control
    return response


@require_safe
def resident_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The sessions of everything the token's resident is enrolled in."""
    resident = services.calendar_feed_owner(token=token)
    if resident is None:
        raise Http404
    sessions = selectors.resident_sessions(resident=resident)
    with translation.override(resident.language):
        body = ics.calendar(
            (_event(request, session) for session in sessions),
            name=_("My town campus sessions"),
        )
    return _ics_response(body, cache_control="private, no-store")


def offering_calendar(request: HttpRequest, offering: Offering) -> HttpResponse:
    """A published offering's sessions (``offering`` from ``selectors.offering_get_public``,
    its sessions prefetched, which sets each session's ``offering``)."""
    body = ics.calendar(
        (_event(request, session) for session in offering.sessions.all()),
        name=offering.course.title,
    )
    return _ics_response(body, cache_control="public, max-age=300")


app_name = "calendar"

urlpatterns = [path("calendar/<slug:token>.ics", resident_feed, name="feed")]
