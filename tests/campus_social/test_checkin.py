"""Card check-in for any kind of session: the core asks every registered handler.

Two kinds are registered here: courses' own (``offering``, registered by ``CoursesConfig``) and a
visit kind this module registers for its tests only — as programs would register theirs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campus_social.checkin import registry
from campus_social.checkin.registry import CheckIn
from campus_social.checkin.services import card_check_in
from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from courses.models import Attendance, Enrolment
from tests.courses.factories import OfferingFactory
from tests.factories import CardFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@dataclass
class Visit:
    """A session of the test-only kind: where it runs, who takes part, who tapped in."""

    pk: int
    reader_id: int
    members: set[int]
    checked_in: list[int] = field(default_factory=list)


class VisitCheckIn:
    kind = "visit"

    def __init__(self) -> None:
        self.visits: list[Visit] = []

    def sessions_running(self, *, reader, now):
        return [visit for visit in self.visits if visit.reader_id == reader.pk]

    def takes_part(self, *, session, resident):
        return resident.pk in session.members

    def record(self, *, session, resident):
        if resident.pk not in session.checked_in:
            session.checked_in.append(resident.pk)
        return CheckIn(kind=self.kind, session_id=session.pk, resident=resident)


@pytest.fixture
def visits():
    handler = VisitCheckIn()
    registry.checkin_handler_register(handler)
    yield handler
    registry.checkin_handler_unregister("visit")


@pytest.fixture
def reader_and_key():
    OrganisationFactory(slug="honmachi-kominkan", name="本町公民館")
    return reader_device_register(
        actor=OPERATOR, name="本町公民館 和室", organisation_slug="honmachi-kominkan"
    )


@pytest.fixture
def reader(reader_and_key):
    return reader_and_key[0]


def running_offering(reader):
    offering = OfferingFactory(sessions=[timezone.now() - timedelta(minutes=10)])
    offering.reader = reader
    offering.save(update_fields=["reader"])
    return offering


def carded(card_id="CARD00000001"):
    return CardFactory(card_id=card_id).resident


def test_courses_registers_its_handler_when_the_app_starts():
    assert "offering" in [handler.kind for handler in registry.checkin_handlers()]


def test_a_tap_checks_the_holder_in_to_the_other_kinds_session_they_take_part_in(reader, visits):
    running_offering(reader)  # a course session runs here too, but she is not enrolled in it
    resident = carded()
    visit = Visit(pk=7, reader_id=reader.pk, members={resident.pk})
    visits.visits.append(visit)

    check_in = card_check_in(reader=reader, card_id="CARD00000001")

    assert (check_in.kind, check_in.session_id, check_in.resident) == ("visit", 7, resident)
    assert visit.checked_in == [resident.pk]
    assert not Attendance.objects.exists()


def test_a_tap_checks_an_enrolled_learner_in_to_the_course_session_beside_another_kind(
    reader, visits
):
    offering = running_offering(reader)
    resident = carded()
    Enrolment.objects.create(offering=offering, resident=resident, status="enrolled")
    visit = Visit(pk=7, reader_id=reader.pk, members=set())
    visits.visits.append(visit)

    check_in = card_check_in(reader=reader, card_id="CARD00000001")

    session = offering.sessions.get()
    assert (check_in.kind, check_in.session_id, check_in.extra_ids) == (
        "offering",
        session.pk,
        {"offering": offering.pk},
    )
    assert Attendance.objects.filter(session=session, resident=resident, method="card").exists()
    assert visit.checked_in == []


def test_a_tap_where_no_kind_runs_anything_is_a_conflict(reader, visits):
    carded()
    visits.visits.append(Visit(pk=7, reader_id=reader.pk + 1000, members=set()))  # elsewhere

    with pytest.raises(Conflict) as refused:
        card_check_in(reader=reader, card_id="CARD00000001")

    assert refused.value.code == "no_session"


def test_a_holder_in_none_of_the_sessions_running_is_refused_and_nothing_recorded(reader, visits):
    running_offering(reader)
    carded()
    visit = Visit(pk=7, reader_id=reader.pk, members=set())
    visits.visits.append(visit)

    with pytest.raises(Forbidden) as refused:
        card_check_in(reader=reader, card_id="CARD00000001")

    assert refused.value.code == "not_enrolled"
    assert (visit.checked_in, Attendance.objects.count()) == ([], 0)


def test_an_unknown_card_is_not_found_before_any_handler_is_asked(reader, visits):
    visit = Visit(pk=7, reader_id=reader.pk, members=set())
    visits.visits.append(visit)

    with pytest.raises(NotFound) as refused:
        card_check_in(reader=reader, card_id="CARD99999999")

    assert refused.value.code == "unknown_card"


def test_registering_a_kind_again_replaces_it(visits):
    again = VisitCheckIn()
    registry.checkin_handler_register(again)

    kinds = [handler.kind for handler in registry.checkin_handlers()]
    assert kinds.count("visit") == 1
    assert again in registry.checkin_handlers()


def test_the_readers_route_answers_another_kinds_tap_with_its_kind_and_no_offering(
    reader_and_key, visits
):
    reader, key = reader_and_key
    resident = carded()
    visits.visits.append(Visit(pk=7, reader_id=reader.pk, members={resident.pk}))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {key}")

    response = client.post("/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "session": 7,
        "kind": "visit",
        "display_name": resident.display_name,
    }


def test_the_readers_route_answers_403_not_enrolled_for_someone_in_nothing_running(
    reader_and_key, visits
):
    reader, key = reader_and_key
    carded()
    visits.visits.append(Visit(pk=7, reader_id=reader.pk, members=set()))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {key}")

    response = client.post("/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
