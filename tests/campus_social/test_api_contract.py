"""The API keeps the promises of its OpenAPI description (Schemathesis, every check).

Schemathesis reads the live schema (``/api/schema/``) and sends each operation generated
requests — valid ones and deliberately broken ones — signed in as the demo lecturer in the demo
town, then checks every answer against the description: status codes, media types, headers, body
shapes, that broken input is refused, valid input accepted, and that signing out matters.

Bounded and derandomised so CI is stable: a fixed seed (``CONTRACT_SEED`` tries another), a few
examples per operation, no deadline.  ``CONTRACT_OPERATIONS`` (a regular expression over labels
such as ``POST /api/v1/offerings/``) runs only some operations.  Every request runs inside a
savepoint that is rolled back, so each one meets the same town whatever ran before it (and
SQLite and PostgreSQL see the same thing).
"""

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from io import BytesIO, StringIO
from typing import Any

import pytest
import schemathesis
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.validators import URLValidator
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, settings
from PIL import Image

from campus_social.identity.models import District, Resident
from communities.models import Circle, CircleEvent, CircleMember, Reply, Resource, Thread
from courses.models import Course, Enrolment, Lecturer, Offering, Session
from messaging.models import Message, Room

SEED = int(os.environ.get("CONTRACT_SEED", "20250520"))
MAX_EXAMPLES = 6
CSRF_TOKEN = "contracttestcsrftoken00000000000"  # a 32-character secret, sent as cookie and header
PERSONA = "lecturer"  # an organiser and a lecturer: most operations have something to answer


def _ids(rows: Any) -> list[int]:
    return sorted(set(rows)) or [0]


@pytest.fixture(scope="module")
def demo_town(module_db, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The demo town of ``make run``, shared by every operation and rolled back at the end
    (``module_db``)."""
    # Requests go through the real WSGI handler, which closes the database connection after each
    # one (and with it, on PostgreSQL, the module's transaction); Django's test client stops that
    # the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            for command in ("seed_demo", "seed_demo_courses", "seed_demo_circles"):
                call_command(command, stdout=StringIO(), stderr=StringIO())
            persona = Resident.objects.get(login_name=f"persona-{PERSONA}")
            client = Client()
            client.force_login(persona)
            town = {
                "persona": persona,
                "ids": {
                    **_demo_ids(persona),
                    "district": _district_slugs(),
                    "district_id": _district_ids(),
                },
                "session": client.cookies["sessionid"].value,
            }
        yield town
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _district_ids() -> list[Any]:
    return list(District.objects.order_by("slug").values_list("id", flat=True)[:3])


def _district_slugs() -> list[Any]:
    return list(District.objects.order_by("slug").values_list("slug", flat=True)[:3])


def _demo_ids(persona: Resident) -> dict[str, list[Any]]:
    """Ids of things the persona may touch, so that generated requests reach 2xx answers too."""
    circles = Circle.objects.filter(memberships__resident=persona)
    offerings = Offering.objects.filter(lecturers__resident=persona)
    rooms = Room.objects.filter(members__resident=persona)
    return {
        "circle_id": _ids(circles.values_list("id", flat=True)),
        "thread_id": _ids(Thread.objects.filter(circle__in=circles).values_list("id", flat=True)),
        "reply_id": _ids(
            Reply.objects.filter(thread__circle__in=circles).values_list("id", flat=True)
        ),
        "event_id": _ids(
            CircleEvent.objects.filter(circle__in=circles).values_list("id", flat=True)
        ),
        "resource_id": _ids(
            Resource.objects.filter(circle__in=circles).values_list("id", flat=True)
        ),
        "resident_id": _ids(
            CircleMember.objects.filter(circle__in=circles).values_list("resident_id", flat=True)
        ),
        "offering_id": _ids(
            list(offerings.values_list("id", flat=True))
            + list(Offering.objects.filter(status="published").values_list("id", flat=True))
        ),
        "session_id": _ids(
            Session.objects.filter(offering__in=offerings).values_list("id", flat=True)
        ),
        "enrolment_id": _ids(
            Enrolment.objects.filter(offering__in=offerings).values_list("id", flat=True)
        ),
        "lecturer_id": _ids(Lecturer.objects.values_list("id", flat=True)),
        "room_id": _ids(rooms.values_list("id", flat=True)),
        "seq": _ids(Message.objects.filter(room__in=rooms).values_list("seq", flat=True)),
        "course_id": _ids(
            Course.objects.filter(owner__resident=persona).values_list("id", flat=True)
        ),
    }


# Rules of valid input that a schema cannot state: they depend on stored rows, on another field
# or on the clock.  Each is listed with the operations it binds; before a request that should be
# valid is sent, it is brought within the rule (as path ids are aimed at the demo town), so that
# ``positive_data_acceptance`` still judges everything else.  Every other rule is in the
# description (docs/api.md: "The OpenAPI description is a contract").
Town = dict[str, list[Any]]
Repair = Callable[[dict[str, Any], schemathesis.Case, Town], None]


def _existing_district(body: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """``district`` names a district that exists (``district_id`` too, while it is accepted)."""
    if "district" in body or "district_id" not in body:
        body["district"] = town["district"][0]
    else:
        # Ids of a seeded table differ between runs on PostgreSQL (sequences are not rolled back).
        body["district_id"] = town["district_id"][0]


def _existing_district_filter(query: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """A ``district`` filter names a district that exists (or is left empty: no filter)."""
    if query.get("district"):
        query["district"] = town["district"][0]


def _a_course_of_mine(body: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """``course`` is a course of the signed-in lecturer (another one answers 404, as allowed)."""
    body["course"] = town["course_id"][0]


def _no_card_reader(body: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """``reader`` names an active card reader: none is registered in the demo town."""
    if "reader" in body:
        body["reader"] = None


def _enrolment_closes_after_it_opens(
    body: dict[str, Any], case: schemathesis.Case, town: Town
) -> None:
    """``enrolment_closes_at`` is after ``enrolment_opens_at``."""
    _later_than(body, "enrolment_opens_at", "enrolment_closes_at")


def _event_ends_after_it_starts_in_the_future(
    body: dict[str, Any], case: schemathesis.Case, town: Town
) -> None:
    """An event starts in the future and ends after it starts."""
    starts = _moment(body.get("starts_at"))
    if starts is not None and starts <= timezone.now():
        body["starts_at"] = (timezone.now() + timedelta(days=7)).isoformat()
    _later_than(body, "starts_at", "ends_at")


def _a_web_address_django_accepts(
    body: dict[str, Any], case: schemathesis.Case, town: Town
) -> None:
    """``url`` is an http(s) address Django's ``URLValidator`` accepts (a host with a known
    shape, and so on): JSON Schema's ``format: uri`` is far wider."""
    try:
        URLValidator(schemes=["http", "https"])(body.get("url"))
    except ValidationError:
        body["url"] = "https://example.org/"


def _a_message_to_reply_to(body: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """``reply_to`` is the seq of a message in the room."""
    if body.get("reply_to") is not None:
        body["reply_to"] = None


def _after_or_before_not_both(query: dict[str, Any], case: schemathesis.Case, town: Town) -> None:
    """``?after=`` and ``?before=`` are not given together."""
    if "after" in query and "before" in query:
        del query["before"]


def _a_picture_the_server_can_decode(
    body: dict[str, Any], case: schemathesis.Case, town: Town
) -> None:
    """A ``photo`` is a JPEG, PNG, WebP or GIF that decodes (``format: binary`` says only
    "bytes"), sent as multipart; a JSON body can carry no file, only ``null``.  A ``null`` one
    in multipart is left out: multipart has no null, and Schemathesis would send the word."""
    if "photo" not in body:
        return
    if not case.media_type.startswith("multipart/"):
        body["photo"] = None
    elif body["photo"] is None:
        del body["photo"]
    else:
        body["photo"] = _PNG


def _png() -> bytes:
    picture = BytesIO()
    Image.new("RGB", (2, 2), "white").save(picture, "PNG")
    return picture.getvalue()


_PNG = _png()


def _moment(value: Any) -> datetime | None:
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _later_than(body: dict[str, Any], first: str, then: str) -> None:
    start, end = _moment(body.get(first)), _moment(body.get(then))
    if start is None or end is None or start < end:
        return
    try:
        body[then] = (start + timedelta(hours=1)).isoformat()
    except OverflowError:  # the last hour a datetime holds: move the start back instead
        body[first] = (end - timedelta(hours=1)).isoformat()


_STATE_RULES: dict[str, tuple[str, list[Repair]]] = {
    "POST /api/v1/offerings/": (
        "body",
        [
            _a_course_of_mine,
            _existing_district,
            _no_card_reader,
            _enrolment_closes_after_it_opens,
        ],
    ),
    "PATCH /api/v1/offerings/{offering_id}/": (
        "body",
        [_existing_district, _no_card_reader, _enrolment_closes_after_it_opens],
    ),
    "POST /api/v1/circles/": ("body", [_existing_district]),
    "PATCH /api/v1/circles/{circle_id}/": ("body", [_existing_district]),
    "POST /api/v1/circles/{circle_id}/events/": (
        "body",
        [_event_ends_after_it_starts_in_the_future],
    ),
    "PATCH /api/v1/circles/{circle_id}/events/{event_id}/": (
        "body",
        [_event_ends_after_it_starts_in_the_future],
    ),
    "POST /api/v1/circles/{circle_id}/resources/": ("body", [_a_web_address_django_accepts]),
    "POST /api/v1/lecturers/apply/": ("body", [_a_picture_the_server_can_decode]),
    "POST /api/v1/rooms/{room_id}/messages/": ("body", [_a_message_to_reply_to]),
    "GET /api/v1/rooms/{room_id}/messages/": ("query", [_after_or_before_not_both]),
    "GET /api/v1/search/": ("query", [_existing_district_filter]),
}


def _keep_state_rules(case: schemathesis.Case, town: Town) -> None:
    """Brings a request meant to be valid within the rules ``_STATE_RULES`` lists for it; a
    request meant to be invalid is sent as drawn."""
    where, repairs = _STATE_RULES.get(case.operation.label, ("body", []))
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    values = case.body if where == "body" else case.query
    if isinstance(values, dict):
        for repair in repairs:
            repair(values, case, town)


def _aim_at_the_demo_town(case: schemathesis.Case, ids: dict[str, list[int]]) -> None:
    """Swaps most generated ids for ones of the demo town, so that 2xx answers are checked too.

    Schemathesis draws ids at random, which nearly always answer 404.  Three draws in four are
    mapped onto something the persona may touch; the rest, and every deliberately malformed id
    (not an integer), stay as drawn.
    """
    for name, value in (case.path_parameters or {}).items():
        if name in ids and isinstance(value, int) and not isinstance(value, bool) and value % 4:
            case.path_parameters[name] = ids[name][value % len(ids[name])]


schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    WSGIHandler(),
    headers={"Accept": "application/json"},
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    ),
)
if os.environ.get("CONTRACT_OPERATIONS"):
    schema = schema.include(name_regex=os.environ["CONTRACT_OPERATIONS"])


# Schemathesis builds some requests (its coverage phase) while pytest collects, before the demo
# town and its session exist: they carry this stand-in, swapped for the session when sent.
SESSION_STAND_IN = "demo-town-session"


@schema.auth()
class DemoSession:
    """Signs every request in as the persona, as a browser would: the session cookie, and the
    CSRF cookie with its header for writes.  Schemathesis also sends requests without it (and
    with a made-up session) to check that the API refuses them."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return SESSION_STAND_IN

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.cookies = {**(case.cookies or {}), "sessionid": data, "csrftoken": CSRF_TOKEN}
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}


@schema.parametrize()
# The database fixture is shared by a test's examples on purpose: each request runs in a savepoint
# that is rolled back, so no example sees another's writes.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_promises_of_the_openapi_description(case, demo_town, db):
    _aim_at_the_demo_town(case, demo_town["ids"])
    _keep_state_rules(case, demo_town["ids"])
    if (case.cookies or {}).get("sessionid") == SESSION_STAND_IN:
        case.cookies["sessionid"] = demo_town["session"]
    with transaction.atomic():
        try:
            # Every check of Schemathesis raises on a broken promise; a server error is one.
            response = case.call_and_validate()
            assert response.status_code < 500
        finally:
            transaction.set_rollback(True)
