"""The programs API: every route refuses the anonymous, another's private object answers 404,
every list asks a fixed number of queries, and what a volunteer sees of a child is the given
name and school year only."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from communities import services
from communities.models import ProgramChild, ProgramConsent, SessionPhoto, VolunteerOffer
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import (
    consented_child,
    coordinator_of,
    program_values,
    running_program,
    school,
    senior_with_offer,
    volunteer_in,
)
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    SeniorFactory,
    VettingRecordFactory,
)

pytestmark = pytest.mark.django_db

PROGRAM = "/api/v1/programs/1/"
SESSION = "/api/v1/program-sessions/1/"


def url(running, rest: str = "") -> str:
    return f"/api/v1/programs/{running.program.pk}/{rest}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/programs/"),
        ("post", "/api/v1/programs/"),
        ("get", "/api/v1/programs/volunteering/"),
        ("get", "/api/v1/programs/my-children/"),
        ("get", "/api/v1/volunteer-offer/"),
        ("put", "/api/v1/volunteer-offer/"),
        ("delete", "/api/v1/volunteer-offer/"),
        ("get", PROGRAM),
        ("patch", PROGRAM),
        ("post", PROGRAM + "status/"),
        ("get", PROGRAM + "sessions/"),
        ("post", PROGRAM + "sessions/"),
        ("get", PROGRAM + "roster/"),
        ("get", PROGRAM + "matches/"),
        ("post", PROGRAM + "volunteers/"),
        ("delete", PROGRAM + "volunteers/1/"),
        ("post", PROGRAM + "answer/"),
        ("get", PROGRAM + "consents/"),
        ("post", PROGRAM + "consents/"),
        ("post", PROGRAM + "consents/withdraw/"),
        ("post", PROGRAM + "children/"),
        ("delete", PROGRAM + "children/1/"),
        ("post", SESSION + "cancel/"),
        ("get", SESSION + "attendance/"),
        ("post", SESSION + "attendance/"),
        ("post", SESSION + "reflection/"),
        ("post", SESSION + "photos/"),
        ("delete", "/api/v1/program-photos/1/"),
    ],
)
def test_every_program_route_refuses_the_anonymous(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401


def test_a_coordinator_creates_publishes_and_adds_a_session_through_the_api(signed_in):
    organisation = school()
    coordinator = coordinator_of(organisation)
    api = signed_in(coordinator)

    created = api.post(
        "/api/v1/programs/",
        {**program_values(), "school_id": organisation.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    program_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    published = api.post(
        f"/api/v1/programs/{program_id}/status/", {"status": "published"}, format="json"
    )
    starts = timezone.now() + timedelta(days=3)
    session = api.post(
        f"/api/v1/programs/{program_id}/sessions/",
        {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()},
        format="json",
    )

    assert published.json()["status"] == "published"
    assert session.status_code == 201
    assert api.get(f"/api/v1/programs/{program_id}/sessions/").json()[0]["cancelled"] is False


def test_a_coordinator_sets_the_schools_card_reader_through_the_api(signed_in):
    running = running_program()
    reader, _key = reader_device_register(
        actor=OPERATOR, name="多目的室", organisation_slug=running.program.school.slug
    )
    api = signed_in(running.coordinator)

    chosen = api.patch(url(running), {"reader_id": reader.pk}, format="json")
    other = api.patch(url(running), {"reader_id": reader.pk + 1000}, format="json")

    assert chosen.json()["reader_id"] == reader.pk
    assert other.status_code == 400
    assert "reader_id" in other.json()["fields"]
    assert api.get(url(running)).json()["reader_id"] == reader.pk


def test_a_draft_answers_404_to_others(signed_in):
    organisation = school()
    coordinator = coordinator_of(organisation)
    draft = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values()
    )
    api = signed_in(ResidentFactory())
    for rest in ("", "roster/", "sessions/", "consents/", "matches/"):
        assert api.get(f"/api/v1/programs/{draft.pk}/{rest}").status_code == 404


def test_coordinators_routes_refuse_others_who_see_the_program(signed_in):
    running = running_program()
    api = signed_in(ResidentFactory())

    assert api.get(url(running, "matches/")).status_code == 403
    assert api.get(url(running, "consents/")).status_code == 403
    assert api.patch(url(running), {"title": "x"}, format="json").status_code == 403
    assert api.get(f"/api/v1/program-sessions/{running.session.pk}/attendance/").status_code == 403


def test_another_guardians_consent_cannot_be_withdrawn_and_answers_404(signed_in):
    running = running_program()
    link = consented_child(running)
    stranger = signed_in(ResidentFactory())

    answer = stranger.post(
        url(running, "consents/withdraw/"), {"child_id": link.child_id}, format="json"
    )

    assert answer.status_code == 404
    assert ProgramConsent.objects.get().withdrawn_at is None
    assert AuditEvent.objects.filter(action="program.acting_refused").exists()


def test_a_guardian_consents_signs_up_and_withdraws_through_the_api(signed_in):
    running = running_program()
    link = GuardianLinkFactory()
    api = signed_in(link.guardian)

    given = api.post(
        url(running, "consents/"),
        {"child_id": link.child_id, "photos_allowed": False, "sign_up": True},
        format="json",
    )
    assert given.status_code == 201
    assert given.json()["activities"] == running.program.description
    mine = api.get("/api/v1/programs/my-children/").json()
    assert [(row["program"]["id"], row["taking_part"]) for row in mine] == [
        (running.program.pk, True)
    ]

    withdrawn = api.post(
        url(running, "consents/withdraw/"), {"child_id": link.child_id}, format="json"
    )
    assert withdrawn.status_code == 200
    assert ProgramChild.objects.get().left_at is not None


def test_adding_a_child_without_consent_answers_409_with_the_code(signed_in):
    running = running_program()
    api = signed_in(running.coordinator)

    answer = api.post(url(running, "children/"), {"child_id": ChildFactory().pk}, format="json")

    assert answer.status_code == 409
    assert answer.json()["code"] == "consent_required"
    assert not ProgramChild.objects.exists()


def test_inviting_an_unvetted_senior_answers_403_vetting_required(signed_in):
    running = running_program()
    offer = senior_with_offer(vetted=False)

    answer = signed_in(running.coordinator).post(
        url(running, "volunteers/"), {"resident_id": offer.resident_id}, format="json"
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "vetting_required"


def test_a_senior_publishes_an_offer_and_answers_an_invitation(signed_in):
    running = running_program()
    senior = SeniorFactory()
    VettingRecordFactory(resident=senior)
    api = signed_in(senior)

    put = api.put(
        "/api/v1/volunteer-offer/",
        {"skills": "Shogi", "topics": ["history"], "district_ids": [], "availability": []},
        format="json",
    )
    assert put.status_code == 200
    signed_in(running.coordinator).post(
        url(running, "volunteers/"), {"resident_id": senior.pk}, format="json"
    )
    answer = api.post(url(running, "answer/"), {"accept": True}, format="json")

    assert answer.json()["status"] == "accepted"
    assert api.get("/api/v1/programs/volunteering/").json()["results"][0]["status"] == "accepted"
    assert api.delete("/api/v1/volunteer-offer/").status_code == 204
    assert not VolunteerOffer.objects.filter(withdrawn_at__isnull=True).exists()


def test_a_volunteer_sees_a_child_by_given_name_and_grade_only_through_the_api(signed_in):
    running = running_program()
    link = consented_child(running)
    senior = volunteer_in(running)

    seen_by_senior = signed_in(senior).get(url(running, "roster/")).json()["children"]
    seen_by_coordinator = signed_in(running.coordinator).get(url(running, "roster/")).json()
    seen_by_other_guardian = signed_in(GuardianLinkFactory().guardian).get(url(running, "roster/"))

    assert seen_by_senior == [{"id": link.child_id, "name": link.child.given_name, "grade": None}]
    assert link.child.name not in str(seen_by_senior)
    assert seen_by_coordinator["children"][0]["full_name"] == link.child.name
    assert seen_by_coordinator["children"][0]["birth_date"] == link.child.birth_date.isoformat()
    assert "birth_date" not in seen_by_other_guardian.json()["children"][0]


def test_attendance_and_a_reflection_through_the_api(signed_in):
    running = running_program()
    link = consented_child(running)
    coordinator = signed_in(running.coordinator)

    marked = coordinator.post(
        f"/api/v1/program-sessions/{running.session.pk}/attendance/",
        {"resident_id": link.child_id, "present": True},
        format="json",
    )
    listed = coordinator.get(f"/api/v1/program-sessions/{running.session.pk}/attendance/")
    running.session.starts_at = timezone.now() - timedelta(hours=2)
    running.session.save()
    written = signed_in(link.child).post(
        f"/api/v1/program-sessions/{running.session.pk}/reflection/",
        {"text": "たのしかった"},
        format="json",
    )

    assert marked.status_code == 200
    assert listed.json() == [marked.json()]
    assert written.status_code == 200
    assert written.json()["text"] == "たのしかった"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_coordinator_adds_a_tagged_photo_and_one_of_a_refused_child_is_refused(
    signed_in, media
):
    running = running_program()
    allowed = consented_child(running, photos=True)
    refused = consented_child(running, photos=False)
    api = signed_in(running.coordinator)
    path = f"/api/v1/program-sessions/{running.session.pk}/photos/"

    added = api.post(
        path,
        {"file": SimpleUploadedFile("a.jpg", jpeg_with_gps()), "child_ids": f"{allowed.child_id}"},
        format="multipart",
    )
    refusal = api.post(
        path,
        {
            "file": SimpleUploadedFile("b.jpg", jpeg_with_gps()),
            "child_ids": f"{allowed.child_id},{refused.child_id}",
        },
        format="multipart",
    )

    assert added.status_code == 201, added.json()
    assert added.json()["child_ids"] == [allowed.child_id]
    assert refusal.status_code == 403
    assert refusal.json()["code"] == "photo_not_allowed"
    assert SessionPhoto.objects.count() == 1


def test_a_photo_is_removed_by_the_coordinator_only(signed_in, media):
    running = running_program()
    link = consented_child(running, photos=True)
    photo = services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
        child_ids=[link.child_id],
    )
    path = f"/api/v1/program-photos/{photo.pk}/"

    assert signed_in(ChildFactory()).delete(path).status_code == 404
    assert signed_in(link.guardian).delete(path).status_code == 403
    assert signed_in(running.coordinator).delete(path).status_code == 204
    assert not SessionPhoto.objects.exists()


# --- Lists ask a fixed number of queries -------------------------------------------------------


def test_the_program_list_asks_a_fixed_number_of_queries(signed_in, django_assert_num_queries):
    running_program()
    api = signed_in(ResidentFactory())
    with django_assert_num_queries(5) as before:
        api.get("/api/v1/programs/")
    for _ in range(3):
        running_program()
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(api.get("/api/v1/programs/").json()["results"]) == 4


@pytest.mark.parametrize(
    "rest", ["roster/", "consents/", "matches/", "sessions/"], ids=lambda r: r.strip("/")
)
def test_each_programs_list_asks_a_fixed_number_of_queries(
    signed_in, django_assert_num_queries, rest
):
    running = running_program()
    consented_child(running)
    volunteer_in(running)
    api = signed_in(running.coordinator)
    with CaptureQueriesContext(connection) as before:
        api.get(url(running, rest))

    for _ in range(3):
        consented_child(running)
        volunteer_in(running)
        start = timezone.now() + timedelta(days=8)
        services.session_add(
            actor=running.coordinator,
            program_id=running.program.pk,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )

    with django_assert_num_queries(len(before.captured_queries)):
        assert api.get(url(running, rest)).status_code == 200


def test_my_lists_ask_a_fixed_number_of_queries(signed_in, django_assert_num_queries):
    link = consented_child(running_program())
    guardian = signed_in(link.guardian)
    senior = volunteer_in(running_program())
    volunteer = signed_in(senior)
    with CaptureQueriesContext(connection) as children_before:
        guardian.get("/api/v1/programs/my-children/")
    with CaptureQueriesContext(connection) as volunteering_before:
        volunteer.get("/api/v1/programs/volunteering/")

    for _ in range(3):
        other = running_program()
        services.consent_give(
            actor=link.guardian,
            program_id=other.program.pk,
            child_id=link.child_id,
            photos_allowed=True,
            sign_up=True,
        )
        services.volunteer_invite(
            actor=other.coordinator, program_id=other.program.pk, resident_id=senior.pk
        )

    with django_assert_num_queries(len(children_before.captured_queries)):
        assert len(guardian.get("/api/v1/programs/my-children/").json()) == 4
    with django_assert_num_queries(len(volunteering_before.captured_queries)):
        assert volunteer.get("/api/v1/programs/volunteering/").json()["count"] == 4
