"""The coordinators' program pages through Django's test client: the dashboard, starting a
program, running it (details, status, sessions, volunteer matches and invitations, children and
consent) and a session's page (roster, attendance, photos).  For each form: the happy path, the
service's refusal shown on the page, another resident refused (403, or 404 for a draft they may
not know of), and anonymous visitors sent to sign in."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from campus_social.safeguarding.models import VettingRecord
from communities import services
from communities.models import (
    Program,
    ProgramChild,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
)
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
from tests.factories import OrganisationFactory, ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def running():
    return running_program()


def _url(name: str, **kwargs) -> str:
    return reverse(f"frontend:{name}", kwargs=kwargs)


def _page(response) -> str:
    return response.content.decode()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")


def _begun(session: ProgramSession) -> ProgramSession:
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.ends_at = timezone.now() + timedelta(hours=1)
    session.save()
    return session


# --- Who gets the pages ---------------------------------------------------------------------------


def _every_page(running) -> list[tuple[str, str]]:
    program_id = running.program.pk
    session_id = running.session.pk
    return [
        ("get", _url("program-dashboard")),
        ("get", _url("program-new")),
        ("get", _url("program-manage", program_id=program_id)),
        ("get", _url("program-edit", program_id=program_id)),
        ("post", _url("program-status", program_id=program_id)),
        ("post", _url("program-session-add", program_id=program_id)),
        ("post", _url("program-invite", program_id=program_id)),
        ("post", _url("program-volunteer-remove", program_id=program_id, resident_id=1)),
        ("post", _url("program-child-add", program_id=program_id)),
        ("post", _url("program-child-remove", program_id=program_id, child_id=1)),
        ("get", _url("program-session-manage", session_id=session_id)),
        ("post", _url("program-session-cancel", session_id=session_id)),
        ("post", _url("program-attendance", session_id=session_id)),
        ("post", _url("program-photo-add", session_id=session_id)),
        ("post", _url("program-photo-remove", photo_id=1)),
    ]


def test_every_coordinator_page_sends_anonymous_visitors_to_sign_in(running, client):
    for method, url in _every_page(running):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_another_resident_gets_403_on_a_published_program_and_404_on_a_draft(
    running, signed_in_page
):
    page = signed_in_page(ResidentFactory(language="en"))
    program_id = running.program.pk
    session_id = running.session.pk
    urls = [
        ("get", _url("program-manage", program_id=program_id), {}),
        ("get", _url("program-edit", program_id=program_id), {}),
        ("post", _url("program-status", program_id=program_id), {"to": "ended"}),
        ("get", _url("program-session-manage", session_id=session_id), {}),
        ("post", _url("program-session-cancel", session_id=session_id), {}),
        ("post", _url("program-attendance", session_id=session_id), {}),
    ]
    for method, url, data in urls:
        assert getattr(page, method)(url, data).status_code == 403, url

    draft = services.program_create(
        actor=running.coordinator,
        school_id=running.program.school_id,
        values=program_values(title="下書きの会"),
    )
    for url in (
        _url("program-manage", program_id=draft.pk),
        _url("program-edit", program_id=draft.pk),
    ):
        assert page.get(url).status_code == 404


def test_the_start_page_is_refused_to_a_resident_who_coordinates_no_school(signed_in_page):
    response = signed_in_page(ResidentFactory(language="en")).get(_url("program-new"))
    assert response.status_code == 403
    assert "Only a school&#x27;s coordinators start its programs." in _page(response)


# --- The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_each_program_with_its_figures(running, signed_in_page):
    volunteer_in(running)
    consented_child(running)
    withdrawn = consented_child(running)
    services.consent_withdraw(
        actor=withdrawn.guardian, program_id=running.program.pk, child_id=withdrawn.child_id
    )

    response = signed_in_page(running.coordinator).get(_url("program-dashboard"))

    html = _page(response)
    assert response.status_code == 200
    assert "むかしあそびの会" in html
    assert "1 of 3 taking part" in html  # seniors
    assert "1 of 12 taking part" in html  # children
    assert "1 current" in html
    assert "1 withdrawn" in html
    assert _url("program-session-manage", session_id=running.session.pk) in html
    assert "None held yet" in html
    assert _url("program-new") in html


def test_the_dashboard_says_so_when_i_coordinate_no_program(signed_in_page):
    coordinator = coordinator_of(school())

    html = _page(signed_in_page(coordinator).get(_url("program-dashboard")))

    assert "You coordinate no programs yet. Start one for your school." in html
    assert _url("program-new") in html


def test_the_dashboard_shows_the_attendance_of_the_last_session_held(running, signed_in_page):
    link = consented_child(running)
    volunteer = volunteer_in(running)
    session = _begun(running.session)
    services.attendance_record(
        actor=running.coordinator, session_id=session.pk, resident_id=link.child_id, present=True
    )
    services.attendance_record(
        actor=running.coordinator, session_id=session.pk, resident_id=volunteer.pk, present=False
    )

    html = _page(signed_in_page(running.coordinator).get(_url("program-dashboard")))

    assert "1 present of 2 recorded" in html
    assert "None planned" in html


def test_the_dashboard_costs_the_same_queries_for_one_program_or_many(signed_in_page):
    first = running_program()
    page = signed_in_page(first.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert page.get(_url("program-dashboard")).status_code == 200
        return len(context.captured_queries)

    page.get(_url("program-dashboard"))
    one = queries()
    for title in ("二つ目の会", "三つ目の会"):
        program = services.program_create(
            actor=first.coordinator,
            school_id=first.program.school_id,
            values=program_values(title=title),
        )
        services.session_add(
            actor=first.coordinator,
            program_id=program.pk,
            starts_at=timezone.now() + timedelta(days=3),
            ends_at=timezone.now() + timedelta(days=3, hours=1),
        )
        consented = running_program()  # another school's program: not on this dashboard
        consented_child(consented)
    assert queries() == one


# --- Starting and editing a program ---------------------------------------------------------------


def _form(**values) -> dict[str, object]:
    base = program_values()
    base["district"] = base.pop("district_id")
    base.update(values)
    return base


def test_a_coordinator_starts_a_program_for_their_school(signed_in_page):
    organisation = school()
    coordinator = coordinator_of(organisation)
    page = signed_in_page(coordinator)

    form = page.get(_url("program-new"))
    assert "みどり小学校" in _page(form)

    response = page.post(_url("program-new"), _form(school=organisation.pk))

    program = Program.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("program-manage", program_id=program.pk)
    assert program.status == "draft"
    assert list(program.coordinators.all()) == [coordinator]
    assert "saved as a draft" in _page(page.get(response["Location"]))


def test_starting_a_program_shows_the_services_message_beside_the_field(signed_in_page):
    organisation = school()
    page = signed_in_page(coordinator_of(organisation))
    today = timezone.localdate()

    response = page.post(
        _url("program-new"),
        _form(
            school=organisation.pk,
            starts_on=today.isoformat(),
            ends_on=(today - timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 400
    assert "The term cannot end before it starts." in _page(response)
    assert 'href="#id_ends_on"' in _page(response)
    assert not Program.objects.exists()


def test_a_coordinator_cannot_start_a_program_for_another_school(signed_in_page):
    mine, other = school(), school()
    page = signed_in_page(coordinator_of(mine))

    response = page.post(_url("program-new"), _form(school=other.pk))

    assert response.status_code == 400  # not a school offered on the form
    assert not Program.objects.exists()


def test_the_coordinator_edits_the_details(running, signed_in_page):
    page = signed_in_page(running.coordinator)
    url = _url("program-edit", program_id=running.program.pk)
    assert "むかしあそびの会" in _page(page.get(url))

    response = page.post(url, _form(title="こまとけん玉の会", district=running.program.district_id))

    assert response.status_code == 302
    running.program.refresh_from_db()
    assert running.program.title == "こまとけん玉の会"


def test_the_coordinator_chooses_the_schools_card_reader_on_the_edit_page(running, signed_in_page):
    school_reader, _key = reader_device_register(
        actor=OPERATOR, name="多目的室の読み取り機", organisation_slug=running.program.school.slug
    )
    elsewhere = OrganisationFactory()
    reader_device_register(
        actor=OPERATOR, name="よその読み取り機", organisation_slug=elsewhere.slug
    )
    page = signed_in_page(running.coordinator)
    url = _url("program-edit", program_id=running.program.pk)
    form_page = _page(page.get(url))
    assert "多目的室の読み取り機" in form_page
    assert "よその読み取り機" not in form_page

    response = page.post(
        url, _form(district=running.program.district_id, reader=school_reader.pk), follow=True
    )

    running.program.refresh_from_db()
    assert running.program.reader == school_reader
    assert "多目的室の読み取り機" in _page(response)  # shown on the manage page


def test_editing_shows_a_refusal_beside_the_field(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-edit", program_id=running.program.pk),
        _form(grade_min=5, grade_max=3, district=running.program.district_id),
    )

    assert response.status_code == 400
    assert "The highest school year cannot be below the lowest." in _page(response)
    running.program.refresh_from_db()
    assert running.program.grade_max == 6


# --- Running a program ----------------------------------------------------------------------------


def test_the_manage_page_shows_every_part_of_the_program(running, signed_in_page):
    link = consented_child(running)
    senior_with_offer(vetted=False)

    html = _page(
        signed_in_page(running.coordinator).get(
            _url("program-manage", program_id=running.program.pk)
        )
    )

    for heading in (
        "Details",
        "Sessions",
        "Volunteer matches",
        "Volunteers",
        "Children and consent",
    ):
        assert f">{heading}</h2>" in html
    assert link.child.name in html  # coordinators see the child in full
    assert "Consent current" in html
    assert "Photos allowed" in html
    assert "Not vetted" in html
    assert _url("message-room", room_id=running.program.room_id) in html
    assert _url("program-edit", program_id=running.program.pk) in html


def test_the_coordinator_publishes_a_draft(signed_in_page):
    organisation = school()
    coordinator = coordinator_of(organisation)
    program = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values()
    )

    response = signed_in_page(coordinator).post(
        _url("program-status", program_id=program.pk), {"to": "published"}
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == "published"


def test_a_move_the_status_does_not_allow_is_refused_on_the_page(signed_in_page):
    organisation = school()
    coordinator = coordinator_of(organisation)
    program = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values()
    )

    response = signed_in_page(coordinator).post(
        _url("program-status", program_id=program.pk), {"to": "ended"}
    )

    assert response.status_code == 409
    assert "This program cannot become “Ended” now." in _page(response)
    program.refresh_from_db()
    assert program.status == "draft"


def test_cancelling_needs_the_box_ticked(running, signed_in_page):
    page = signed_in_page(running.coordinator)
    url = _url("program-status", program_id=running.program.pk)

    unticked = page.post(url, {"to": "cancelled"})
    assert unticked.status_code == 400
    assert "Tick the box to confirm." in _page(unticked)
    running.program.refresh_from_db()
    assert running.program.status == "published"

    ticked = page.post(url, {"to": "cancelled", "confirm": "on"})
    assert ticked.status_code == 302
    running.program.refresh_from_db()
    assert running.program.status == "cancelled"


def test_the_coordinator_adds_a_session(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-session-add", program_id=running.program.pk),
        {"new-starts_at": _local(days=14, hour=14), "new-ends_at": _local(days=14, hour=16)},
    )

    assert response.status_code == 302
    assert running.program.sessions.count() == 2


def _local(*, days: int, hour: int) -> str:
    day = timezone.localdate() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def test_a_session_outside_the_term_is_refused_beside_the_field(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-session-add", program_id=running.program.pk),
        {"new-starts_at": _local(days=200, hour=14), "new-ends_at": _local(days=200, hour=16)},
    )

    assert response.status_code == 400
    assert "The session must fall within the program&#x27;s term." in _page(response)
    assert running.program.sessions.count() == 1


def test_another_resident_cannot_add_a_session(running, signed_in_page):
    response = signed_in_page(ResidentFactory()).post(
        _url("program-session-add", program_id=running.program.pk),
        {"new-starts_at": _local(days=14, hour=14), "new-ends_at": _local(days=14, hour=16)},
    )

    assert response.status_code == 403
    assert running.program.sessions.count() == 1


def test_the_coordinator_cancels_a_coming_session_and_one_begun_is_refused(running, signed_in_page):
    page = signed_in_page(running.coordinator)

    response = page.post(_url("program-session-cancel", session_id=running.session.pk))
    assert response.status_code == 302
    running.session.refresh_from_db()
    assert running.session.cancelled_at is not None

    begun = services.session_add(
        actor=running.coordinator,
        program_id=running.program.pk,
        starts_at=timezone.now() - timedelta(minutes=10),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    refused = page.post(_url("program-session-cancel", session_id=begun.pk), follow=True)
    assert "A session that has begun cannot be cancelled." in _page(refused)
    begun.refresh_from_db()
    assert begun.cancelled_at is None


def test_the_coordinator_invites_a_vetted_senior_from_the_matches(running, signed_in_page):
    offer = senior_with_offer()

    response = signed_in_page(running.coordinator).post(
        _url("program-invite", program_id=running.program.pk), {"resident": offer.resident_id}
    )

    assert response.status_code == 302
    assert ProgramVolunteer.objects.get(program=running.program).status == "invited"


def test_inviting_an_unvetted_senior_shows_the_refusal_and_stores_nothing(running, signed_in_page):
    offer = senior_with_offer(vetted=False)

    response = signed_in_page(running.coordinator).post(
        _url("program-invite", program_id=running.program.pk), {"resident": offer.resident_id}
    )

    html = _page(response)
    assert response.status_code == 403
    assert "Volunteer matches" in html  # the page, not the 403 page
    assert "A volunteer takes part only with a current vetting record" in html
    assert f'id="match-{offer.resident_id}"' in html
    assert not ProgramVolunteer.objects.exists()


def test_another_resident_cannot_invite(running, signed_in_page):
    offer = senior_with_offer()

    response = signed_in_page(ResidentFactory()).post(
        _url("program-invite", program_id=running.program.pk), {"resident": offer.resident_id}
    )

    assert response.status_code == 403
    assert not ProgramVolunteer.objects.exists()


def test_the_coordinator_takes_a_volunteer_off(running, signed_in_page):
    volunteer = volunteer_in(running)
    url = _url("program-volunteer-remove", program_id=running.program.pk, resident_id=volunteer.pk)

    assert signed_in_page(ResidentFactory()).post(url).status_code == 403
    response = signed_in_page(running.coordinator).post(url)

    assert response.status_code == 302
    assert ProgramVolunteer.objects.get(resident=volunteer).status == "removed"


def test_the_coordinator_adds_a_consented_child(running, signed_in_page):
    link = consented_child(running, sign_up=False)

    response = signed_in_page(running.coordinator).post(
        _url("program-child-add", program_id=running.program.pk), {"child": link.child_id}
    )

    assert response.status_code == 302
    assert ProgramChild.objects.filter(child=link.child, left_at__isnull=True).exists()


def test_adding_a_child_whose_consent_was_withdrawn_is_refused_on_the_page(running, signed_in_page):
    link = consented_child(running, sign_up=False)
    services.consent_withdraw(
        actor=link.guardian, program_id=running.program.pk, child_id=link.child_id
    )

    response = signed_in_page(running.coordinator).post(
        _url("program-child-add", program_id=running.program.pk), {"child": link.child_id}
    )

    html = _page(response)
    assert response.status_code == 409
    assert "A child takes part only with their guardian&#x27;s current consent." in html
    assert "Consent withdrawn" in html
    assert not ProgramChild.objects.exists()


def test_another_resident_cannot_add_or_remove_a_child(running, signed_in_page):
    link = consented_child(running, sign_up=False)
    page = signed_in_page(ResidentFactory())

    added = page.post(
        _url("program-child-add", program_id=running.program.pk), {"child": link.child_id}
    )
    removed = page.post(
        _url("program-child-remove", program_id=running.program.pk, child_id=link.child_id)
    )

    assert (added.status_code, removed.status_code) == (403, 403)
    assert not ProgramChild.objects.exists()


def test_the_coordinator_takes_a_child_off_and_the_consent_stays(running, signed_in_page):
    link = consented_child(running)

    response = signed_in_page(running.coordinator).post(
        _url("program-child-remove", program_id=running.program.pk, child_id=link.child_id)
    )

    assert response.status_code == 302
    assert not ProgramChild.objects.filter(left_at__isnull=True).exists()
    assert running.program.consents.get().withdrawn_at is None


# --- A session: roster, attendance, photos -------------------------------------------------------


def test_the_session_page_lists_children_and_only_volunteers_vetted_on_the_date(
    running, signed_in_page
):
    link = consented_child(running)
    vetted = volunteer_in(running)
    unvetted = volunteer_in(running)
    # Their vetting runs out the day before the session.
    VettingRecord.objects.filter(resident=unvetted).update(
        expires_on=timezone.localdate(running.session.starts_at) - timedelta(days=1)
    )

    html = _page(
        signed_in_page(running.coordinator).get(
            _url("program-session-manage", session_id=running.session.pk)
        )
    )

    assert link.child.name in html
    assert vetted.display_name in html
    assert f'value="{unvetted.pk}"' not in html


def test_the_coordinator_saves_attendance_and_card_taps_meanwhile_are_kept(running, signed_in_page):
    first = consented_child(running)
    second = consented_child(running)
    session = _begun(running.session)
    # A card tap after the page was shown: the second child came.
    services.attendance_record(
        actor=running.coordinator, session_id=session.pk, resident_id=second.child_id, present=True
    )

    response = signed_in_page(running.coordinator).post(
        _url("program-attendance", session_id=session.pk), {"present": [str(first.child_id)]}
    )

    assert response.status_code == 302
    present = dict(SessionAttendance.objects.values_list("resident_id", "present"))
    assert present == {first.child_id: True, second.child_id: True}


def test_attendance_for_someone_not_on_the_roster_is_refused_with_its_message(
    running, signed_in_page
):
    outsider = ResidentFactory()

    response = signed_in_page(running.coordinator).post(
        _url("program-attendance", session_id=running.session.pk),
        {"present": [str(outsider.pk)]},
        follow=True,
    )

    assert "This person is not on the session&#x27;s roster." in _page(response)
    assert not SessionAttendance.objects.exists()


def test_the_photo_form_offers_only_children_whose_consent_allows_photos(running, signed_in_page):
    allowed = consented_child(running, photos=True)
    refused = consented_child(running, photos=False)

    html = _page(
        signed_in_page(running.coordinator).get(
            _url("program-session-manage", session_id=running.session.pk)
        )
    )

    assert f'name="child_ids" value="{allowed.child_id}"' in html
    assert f'name="child_ids" value="{refused.child_id}"' not in html


def test_the_coordinator_adds_a_photo_tagged_with_a_photo_allowed_child(
    running, signed_in_page, media
):
    allowed = consented_child(running, photos=True)

    response = signed_in_page(running.coordinator).post(
        _url("program-photo-add", session_id=running.session.pk),
        {"file": _photo(), "child_ids": [str(allowed.child_id)]},
    )

    assert response.status_code == 302
    photo = SessionPhoto.objects.get()
    assert list(photo.tags.values_list("child_id", flat=True)) == [allowed.child_id]


def test_a_photo_tagging_a_child_without_photo_consent_is_refused_and_nothing_stored(
    running, signed_in_page, media
):
    refused = consented_child(running, photos=False)

    response = signed_in_page(running.coordinator).post(
        _url("program-photo-add", session_id=running.session.pk),
        {"file": _photo(), "child_ids": [str(refused.child_id)]},
    )

    assert response.status_code == 403
    assert "A photo may show only children whose guardian allowed photos" in _page(response)
    assert "Roster and attendance" in _page(response)  # the page, not the 403 page
    assert not SessionPhoto.objects.exists()


def test_a_photo_without_a_file_is_refused_beside_the_field(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-photo-add", session_id=running.session.pk), {}
    )

    assert response.status_code == 400
    assert 'href="#id_file"' in _page(response)


def test_another_resident_cannot_add_or_remove_photos(running, signed_in_page, media):
    allowed = consented_child(running, photos=True)
    photo = services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=_photo(),
        child_ids=[allowed.child_id],
    )
    page = signed_in_page(ResidentFactory())

    added = page.post(
        _url("program-photo-add", session_id=running.session.pk),
        {"file": _photo(), "child_ids": [str(allowed.child_id)]},
    )
    removed = page.post(_url("program-photo-remove", photo_id=photo.pk))

    assert (added.status_code, removed.status_code) == (403, 403)
    assert SessionPhoto.objects.count() == 1


def test_the_coordinator_removes_a_photo_and_goes_back_to_the_session(
    running, signed_in_page, media
):
    allowed = consented_child(running, photos=True)
    photo = services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=_photo(),
        child_ids=[allowed.child_id],
    )
    back = _url("program-session-manage", session_id=running.session.pk)

    response = signed_in_page(running.coordinator).post(
        _url("program-photo-remove", photo_id=photo.pk), {"next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == back
    assert not SessionPhoto.objects.exists()


# --- More refusals, and city staff ---------------------------------------------------------------


def test_a_resident_who_coordinates_no_school_cannot_post_a_new_program(signed_in_page):
    organisation = school()

    response = signed_in_page(ResidentFactory()).post(
        _url("program-new"), _form(school=organisation.pk)
    )

    assert response.status_code == 403
    assert not Program.objects.exists()


def test_another_resident_cannot_post_the_edit_form(running, signed_in_page):
    response = signed_in_page(ResidentFactory()).post(
        _url("program-edit", program_id=running.program.pk),
        _form(title="乗っ取り", district=running.program.district_id),
    )

    assert response.status_code == 403
    running.program.refresh_from_db()
    assert running.program.title == "むかしあそびの会"


def test_the_coordinator_ends_a_published_program(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-status", program_id=running.program.pk), {"to": "ended"}, follow=True
    )

    assert "The program has ended. Its record stays." in _page(response)
    running.program.refresh_from_db()
    assert running.program.status == "ended"
    assert "Volunteer matches" not in _page(response)  # nobody joins an ended program


def test_removing_a_volunteer_or_child_not_taking_part_is_404(running, signed_in_page):
    offer = senior_with_offer()
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=False)
    waiting = consented_child(running, sign_up=False)
    page = signed_in_page(running.coordinator)

    volunteer = page.post(
        _url(
            "program-volunteer-remove",
            program_id=running.program.pk,
            resident_id=offer.resident_id,
        )
    )
    child = page.post(
        _url("program-child-remove", program_id=running.program.pk, child_id=waiting.child_id)
    )

    assert (volunteer.status_code, child.status_code) == (404, 404)


def test_removing_an_unknown_photo_is_404(running, signed_in_page):
    response = signed_in_page(running.coordinator).post(
        _url("program-photo-remove", photo_id=999999)
    )
    assert response.status_code == 404


def test_city_staff_may_run_a_program_they_do_not_coordinate(running, signed_in_page):
    link = consented_child(running)

    page = signed_in_page(make_city_staff(language="en"))
    manage = page.get(_url("program-manage", program_id=running.program.pk))
    session = page.get(_url("program-session-manage", session_id=running.session.pk))

    assert (manage.status_code, session.status_code) == (200, 200)
    assert link.child.name in _page(manage)


def test_a_cancelled_session_offers_nothing_to_record(running, signed_in_page):
    consented_child(running)
    services.session_cancel(actor=running.coordinator, session_id=running.session.pk)

    html = _page(
        signed_in_page(running.coordinator).get(
            _url("program-session-manage", session_id=running.session.pk)
        )
    )

    assert "This session was cancelled: nothing can be recorded for it." in html
    assert "Save attendance" not in html
    assert "Add the photo" not in html
