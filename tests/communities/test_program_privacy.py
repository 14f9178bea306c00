"""What others learn of a child in a program, tried from every route a participant may open:
a volunteer, another child's guardian and another child — through the API and the pages —
see a child by given name and school year (a photo without the names of those in it), never
the full name, birth date, class, district or guardian, while the program's
coordinator and the child's own guardian see the record.  The program room (messaging) tells
the same: a child by given name, the guardian as a reader who cannot write."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.formats import date_format

from campus_social.identity import services as identity_services
from communities import services
from messaging import services as rooms
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import (
    Running,
    consented_child,
    running_program,
    volunteer_in,
)
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


def _api_routes(running: Running) -> list[str]:
    program = f"/api/v1/programs/{running.program.pk}/"
    session = f"/api/v1/program-sessions/{running.session.pk}/"
    room = f"/api/v1/rooms/{running.program.room_id}/"
    return [
        "/api/v1/programs/",
        program,
        program + "sessions/",
        program + "roster/",
        "/api/v1/programs/volunteering/",
        "/api/v1/programs/my-children/",
        session + "photos/",
        session + "reflections/",
        room,
        room + "messages/",
    ]


def _pages(running: Running) -> list[str]:
    return [
        "/programs/",
        f"/programs/{running.program.pk}/",
        f"/program-sessions/{running.session.pk}/",
        "/me/volunteering/",
        "/me/children/programs/",
        f"/me/messages/{running.program.room_id}/",
    ]


@pytest.fixture
def scene():
    """A running program with a child whose record has everything that must not show, a
    volunteer, and another family taking part; the session has been held and the child wrote
    about it."""
    running = running_program()
    link = consented_child(running)
    child = link.child
    child.district = DistrictFactory(name="秘密町")
    # A birth date of her own, so that nobody's other child shares it.
    child.birth_date = child.birth_date - timedelta(days=400)
    child.save(update_fields=["district", "birth_date"])
    identity_services.school_pupil_add(
        actor=running.coordinator,
        school_id=running.program.school_id,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=4,
        class_name="ひみつ組",
    )
    other = consented_child(running)
    volunteer = volunteer_in(running)
    running.session.starts_at = timezone.now() - timedelta(hours=1)
    running.session.save(update_fields=["starts_at"])
    services.reflection_write(
        actor=link.guardian, session_id=running.session.pk, text_value="こま", child_id=child.pk
    )
    services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=SimpleUploadedFile("koma.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        child_ids=[child.pk],
    )
    rooms.message_send(
        room_id=running.program.room_id,
        author=child,
        client_id="7b6f3b9e-6c1f-4a0e-9a51-1c2a3b4c5d6e",
        body="こんにちは",
    )
    return running, link, other, volunteer


def _secrets(link, *, on_pages: bool) -> list[str]:
    """What must not show.  A page may list every district of the town (a volunteer's offer
    form does), so the child's district is looked for in the API's answers only; a page shows
    dates as words, so the birth date is looked for in both languages' formats too."""
    child = link.child
    secrets = [child.name, child.birth_date.isoformat(), "ひみつ組", link.guardian.name]
    if on_pages:
        for language in ("ja", "en"):
            with translation.override(language):
                secrets.append(date_format(child.birth_date, "DATE_FORMAT"))
    else:
        secrets.append("秘密町")
    return secrets


def _sweep(client, routes: list[str]) -> str:
    """Every answer the participant gets from the routes, as one text (404s included: they
    must not leak either)."""
    return "\n".join(client.get(route).content.decode() for route in routes)


@pytest.mark.parametrize("who", ["volunteer", "other_guardian", "other_child"])
def test_participants_see_a_child_only_by_given_name_and_school_year(who, scene, signed_in):
    running, link, other, volunteer = scene
    viewer = {"volunteer": volunteer, "other_guardian": other.guardian, "other_child": other.child}[
        who
    ]

    client = signed_in(viewer)
    api = _sweep(client, _api_routes(running))
    pages = _sweep(client, _pages(running))

    assert link.child.given_name in api
    assert link.child.given_name in pages
    for secret in _secrets(link, on_pages=False):
        assert secret not in api, f"{who} saw {secret!r} in the API"
    for secret in _secrets(link, on_pages=True):
        assert secret not in pages, f"{who} saw {secret!r} on a page"


def test_the_coordinator_and_the_childs_guardian_see_the_record(scene, signed_in):
    running, link, _other, _volunteer = scene
    roster = f"/api/v1/programs/{running.program.pk}/roster/"

    for viewer in (running.coordinator, link.guardian):
        card = next(
            card
            for card in signed_in(viewer).get(roster).json()["children"]
            if card["id"] == link.child_id
        )
        assert card["full_name"] == link.child.name
        assert card["birth_date"] == link.child.birth_date.isoformat()


def test_a_guardian_reads_the_program_room_but_cannot_write_there(scene, signed_in):
    running, link, _other, _volunteer = scene

    response = signed_in(link.guardian).post(
        f"/api/v1/rooms/{running.program.room_id}/messages/",
        {"client_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "body": "見ています"},
        format="json",
    )

    assert response.status_code == 403
