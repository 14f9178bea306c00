"""Responses that the API and the pages give alike: an event's ``.ics``, a shared file, the
circle's picture.  The caller has already read the object through a selector that checked the
acting resident; nothing here checks again."""

from collections.abc import Iterable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from campus_social.common import ics
from communities.models import Circle, CircleEvent, Resource, SessionPhoto

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_event(request: HttpRequest, event: CircleEvent) -> ics.CalendarEvent:
    return ics.CalendarEvent(
        uid=f"circle-event-{event.pk}",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=f"{event.title} ({event.circle.name})",
        location=event.place,
        description=event.description,
        url=request.build_absolute_uri(f"/circles/{event.circle_id}/events/{event.pk}/"),
        cancelled=event.cancelled_at is not None,
    )


def events_ics(request: HttpRequest, events: Iterable[CircleEvent], *, name: str) -> HttpResponse:
    """An iCalendar file of circle events (each with its ``circle`` loaded), to download."""
    body = ics.calendar((_calendar_event(request, event) for event in events), name=name)
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="circle-events.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def resource_file(resource: Resource) -> FileResponse:
    """A shared file: pictures shown inline, documents always downloaded, with the content type
    the upload check decided (never the sender's), under a neutral file name."""
    if not resource.file:
        raise Http404
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    is_picture = resource.kind == Resource.Kind.PICTURE
    response = FileResponse(
        handle,
        content_type=resource.content_type or "application/octet-stream",
        as_attachment=not is_picture,
        filename=f"resource-{resource.pk}.{resource.extension or 'bin'}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def circle_picture(circle: Circle) -> FileResponse:
    if not circle.picture:
        raise Http404
    try:
        handle = circle.picture.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "image/png" if circle.picture.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


def session_photo(photo: SessionPhoto) -> FileResponse:
    """A program session's photo, with the type of the stored file (``clean_image`` stores a
    JPEG, or a PNG with transparency).  Never cached: who may see it changes the moment a
    guardian withdraws consent."""
    if not photo.image:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "image/png" if photo.image.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
