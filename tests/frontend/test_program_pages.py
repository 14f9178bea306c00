"""The participants' program pages without a browser: who gets each page, what each form does,
each refusal shown on the page, and what a volunteer never sees of a child."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.formats import date_format

from campus_social.identity import services as identity_services
from communities import services
from communities.models import (
    ProgramChild,
    ProgramConsent,
    ProgramVolunteer,
    SessionReflection,
    VolunteerOffer,
)
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import (
    Running,
    consented_child,
    running_program,
    senior_with_offer,
    volunteer_in,
)
from tests.factories import (
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    ResidentFactory,
    SeniorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _in_year(running: Running, child, year: int) -> None:
    identity_services.school_pupil_add(
        actor=running.coordinator,
        school_id=running.program.school_id,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=year,
        class_name="2組",
    )


def _begun(running: Running) -> None:
    running.session.starts_at = timezone.now() - timedelta(hours=3)
    running.session.ends_at = timezone.now() - timedelta(hours=1)
    running.session.save()


def _invited(running: Running, *, vetted: bool = True):
    offer = senior_with_offer()
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    if not vetted:
        offer.resident.vettings.all().delete()
    return offer.resident


# --- Who gets the pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/programs/",
        "/programs/1/",
        "/programs/1/consent/",
        "/program-sessions/1/",
        "/program-photos/1/image",
        "/me/volunteering/",
        "/me/children/programs/",
    ],
)
def test_the_pages_send_the_anonymous_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/programs/1/answer/",
        "/programs/1/consent/withdraw/",
        "/program-sessions/1/reflection/",
        "/me/volunteering/withdraw/",
    ],
)
def test_the_forms_send_the_anonymous_to_sign_in(client, path):
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_list_shows_published_programs_with_furigana(signed_in_page):
    running = running_program()
    response = signed_in_page(ResidentFactory()).get("/programs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<ruby>むかしあそびの会<rp>(</rp><rt>むかしあそびのかい</rt>" in body
    assert running.program.school.name in body
    assert running.program.venue in body


def test_a_draft_program_is_not_found_by_a_resident(signed_in_page):
    running = running_program()
    running.program.status = "draft"
    running.program.save()
    resident = signed_in_page(ResidentFactory())
    assert resident.get(f"/programs/{running.program.pk}/").status_code == 404
    assert "むかしあそび" not in resident.get("/programs/").content.decode()


def test_a_child_not_in_the_program_gets_404(signed_in_page):
    running = running_program()
    assert signed_in_page(ChildFactory()).get(f"/programs/{running.program.pk}/").status_code == 404


# --- The program page ---------------------------------------------------------------------------


def test_a_volunteer_sees_a_child_by_given_name_and_school_year_only(signed_in_page):
    running = running_program()
    link = consented_child(running)
    _in_year(running, link.child, 4)
    district = DistrictFactory(name="北区")
    link.child.district = district
    link.child.save()
    volunteer = volunteer_in(running)

    body = signed_in_page(volunteer).get(f"/programs/{running.program.pk}/").content.decode()

    assert f"{link.child.given_name} (Grade 4)" in body
    assert link.child.name not in body
    # The birth date as any page would write it (a bare year would also match a random token).
    for language in ("ja", "en"):
        with translation.override(language):
            assert date_format(link.child.birth_date, "DATE_FORMAT") not in body
    assert link.child.birth_date.isoformat() not in body
    assert "2組" not in body
    assert "北区" not in body
    assert link.guardian.name not in body


def test_the_coordinator_and_the_guardian_see_the_child_in_full(signed_in_page):
    running = running_program()
    link = consented_child(running)
    for viewer in (running.coordinator, link.guardian):
        body = signed_in_page(viewer).get(f"/programs/{running.program.pk}/").content.decode()
        assert link.child.name in body
    coordinator_page = signed_in_page(running.coordinator).get(f"/programs/{running.program.pk}/")
    assert f"/programs/{running.program.pk}/manage/" in coordinator_page.content.decode()


def test_a_member_sees_the_program_room_as_a_chat_panel(signed_in_page):
    running = running_program()
    volunteer = volunteer_in(running)
    body = signed_in_page(volunteer).get(f"/programs/{running.program.pk}/").content.decode()
    assert "data-chat-panel" in body
    outsider = signed_in_page(ResidentFactory()).get(f"/programs/{running.program.pk}/")
    assert "data-chat-panel" not in outsider.content.decode()


def test_a_child_taking_part_sees_the_page_in_simple_words(signed_in_page):
    running = running_program()
    link = consented_child(running)
    body = signed_in_page(link.child).get(f"/programs/{running.program.pk}/").content.decode()
    assert "What we do" in body
    assert "When we meet" in body
    assert "<rt>むかしあそびのかい</rt>" in body


def test_an_invited_senior_accepts_on_the_program_page(signed_in_page):
    running = running_program()
    senior = _invited(running)
    page = signed_in_page(senior)
    shown = page.get(f"/programs/{running.program.pk}/").content.decode()
    assert "Accept the invitation" in shown

    response = page.post(f"/programs/{running.program.pk}/answer/", {"answer": "accept"})

    assert response.status_code == 302
    assert response["Location"] == f"/programs/{running.program.pk}/"
    assert ProgramVolunteer.objects.get(resident=senior).status == "accepted"
    assert "You take part in this program now" in page.get(response["Location"]).content.decode()


def test_a_senior_without_vetting_is_told_why_accepting_is_refused(signed_in_page):
    running = running_program()
    senior = _invited(running, vetted=False)

    response = signed_in_page(senior).post(
        f"/programs/{running.program.pk}/answer/", {"answer": "accept"}
    )

    assert response.status_code == 403
    assert "current vetting record" in response.content.decode()
    assert ProgramVolunteer.objects.get(resident=senior).status == "invited"


def test_answering_without_an_invitation_is_not_found(signed_in_page):
    running = running_program()
    response = signed_in_page(SeniorFactory()).post(
        f"/programs/{running.program.pk}/answer/", {"answer": "decline"}
    )
    assert response.status_code == 404


def test_a_senior_declines_from_the_volunteering_page(signed_in_page):
    running = running_program()
    senior = _invited(running)
    response = signed_in_page(senior).post(
        f"/programs/{running.program.pk}/answer/", {"answer": "decline", "back": "volunteering"}
    )
    assert response["Location"] == "/me/volunteering/"
    assert ProgramVolunteer.objects.get(resident=senior).status == "declined"


# --- Consent ------------------------------------------------------------------------------------


def test_a_guardian_with_a_child_of_the_right_age_is_offered_consent(signed_in_page):
    running = running_program()
    link = GuardianLinkFactory()
    _in_year(running, link.child, 4)
    page = signed_in_page(link.guardian)

    program_page = page.get(f"/programs/{running.program.pk}/").content.decode()
    consent_page = page.get(f"/programs/{running.program.pk}/consent/").content.decode()

    assert f"/programs/{running.program.pk}/consent/" in program_page
    assert "What is recorded" in consent_page
    assert "Attendance at each session" in consent_page
    assert running.program.description in consent_page
    assert link.child.display_name in consent_page


def test_a_child_out_of_the_grade_range_is_not_offered(signed_in_page):
    running = running_program()
    link = GuardianLinkFactory()
    _in_year(running, link.child, 1)
    body = signed_in_page(link.guardian).get(f"/programs/{running.program.pk}/").content.decode()
    assert f"/programs/{running.program.pk}/consent/" not in body


def test_a_guardian_consents_without_photos_and_signs_the_child_up(signed_in_page):
    running = running_program()
    link = GuardianLinkFactory()
    page = signed_in_page(link.guardian)

    response = page.post(
        f"/programs/{running.program.pk}/consent/",
        {"child": link.child_id, "photos": "no", "sign_up": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/children/programs/"
    consent = ProgramConsent.objects.get(child=link.child)
    assert consent.photos_allowed is False
    assert ProgramChild.objects.filter(child=link.child, left_at__isnull=True).exists()
    mine = page.get("/me/children/programs/").content.decode()
    assert "your child is signed up" in mine
    assert "Not allowed" in mine


def test_consent_without_a_photo_answer_is_refused_beside_the_field(signed_in_page):
    running = running_program()
    link = GuardianLinkFactory()
    response = signed_in_page(link.guardian).post(
        f"/programs/{running.program.pk}/consent/", {"child": link.child_id}
    )
    assert response.status_code == 400
    assert "Please say whether photos may be taken." in response.content.decode()
    assert not ProgramConsent.objects.exists()


def test_signing_up_a_child_of_another_school_year_is_refused_on_the_page(signed_in_page):
    running = running_program()
    link = GuardianLinkFactory()
    _in_year(running, link.child, 1)
    response = signed_in_page(link.guardian).post(
        f"/programs/{running.program.pk}/consent/",
        {"child": link.child_id, "photos": "yes", "sign_up": "on"},
    )
    assert response.status_code == 400
    assert "This program is for school years 3 to 6." in response.content.decode()
    assert not ProgramConsent.objects.exists()


def test_consenting_twice_is_refused_on_the_page(signed_in_page):
    running = running_program()
    link = consented_child(running)
    response = signed_in_page(link.guardian).post(
        f"/programs/{running.program.pk}/consent/", {"child": link.child_id, "photos": "yes"}
    )
    assert response.status_code == 409
    assert "You have consented for this child already." in response.content.decode()


def test_consent_for_a_child_not_mine_cannot_be_given(signed_in_page):
    running = running_program()
    other = GuardianLinkFactory()
    response = signed_in_page(GuardianLinkFactory().guardian).post(
        f"/programs/{running.program.pk}/consent/", {"child": other.child_id, "photos": "yes"}
    )
    assert response.status_code == 400  # not among the choices
    assert not ProgramConsent.objects.exists()


def test_a_guardian_withdraws_consent_with_effect_at_once(signed_in_page):
    running = running_program()
    link = consented_child(running)
    page = signed_in_page(link.guardian)

    response = page.post(
        f"/programs/{running.program.pk}/consent/withdraw/", {"child": link.child_id}
    )

    assert response["Location"] == "/me/children/programs/"
    assert ProgramConsent.objects.get(child=link.child).withdrawn_at is not None
    assert not ProgramChild.objects.filter(child=link.child, left_at__isnull=True).exists()
    assert (
        "Consent is withdrawn, with effect now"
        in page.get("/me/children/programs/").content.decode()
    )


def test_withdrawing_for_another_residents_child_is_not_found(signed_in_page):
    running = running_program()
    link = consented_child(running)
    response = signed_in_page(GuardianLinkFactory().guardian).post(
        f"/programs/{running.program.pk}/consent/withdraw/", {"child": link.child_id}
    )
    assert response.status_code == 404
    assert ProgramConsent.objects.get(child=link.child).withdrawn_at is None


# --- A session's page ---------------------------------------------------------------------------


def test_a_session_page_is_not_found_by_those_not_taking_part(signed_in_page):
    running = running_program()
    path = f"/program-sessions/{running.session.pk}/"
    for outsider in (ResidentFactory(), GuardianLinkFactory().guardian):
        assert signed_in_page(outsider).get(path).status_code == 404


def test_those_taking_part_see_the_allowed_photos_and_the_image(signed_in_page, media):
    running = running_program()
    allowed = consented_child(running, photos=True)
    photo = services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
        child_ids=[allowed.child_id],
    )
    volunteer = volunteer_in(running)
    image = f"/program-photos/{photo.pk}/image"

    body = signed_in_page(volunteer).get(f"/program-sessions/{running.session.pk}/").content
    served = signed_in_page(allowed.guardian).get(image)

    assert image in body.decode()
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "no-store" in served["Cache-Control"]
    assert signed_in_page(ResidentFactory()).get(image).status_code == 404
    services.consent_withdraw(
        actor=allowed.guardian, program_id=running.program.pk, child_id=allowed.child_id
    )
    assert signed_in_page(volunteer).get(image).status_code == 200  # untagged by the withdrawal


def test_a_child_writes_a_short_reflection(signed_in_page):
    running = running_program()
    link = consented_child(running)
    _begun(running)
    page = signed_in_page(link.child)

    shown = page.get(f"/program-sessions/{running.session.pk}/").content.decode()
    response = page.post(
        f"/program-sessions/{running.session.pk}/reflection/",
        {"author": link.child_id, "text": "こまをまわせた！"},
    )

    assert 'maxlength="200"' in shown
    assert response.status_code == 302
    assert SessionReflection.objects.get(author=link.child).text == "こまをまわせた！"
    after = page.get(response["Location"]).content.decode()
    assert "こまをまわせた！</p>" in after  # among everyone's words
    assert "こまをまわせた！</textarea>" in after  # back in the box, to change
    assert "Your words are saved." in after


def test_a_childs_reflection_that_is_too_long_is_refused_beside_the_field(signed_in_page):
    running = running_program()
    link = consented_child(running)
    _begun(running)
    response = signed_in_page(link.child).post(
        f"/program-sessions/{running.session.pk}/reflection/",
        {"author": link.child_id, "text": "あ" * 201},
    )
    assert response.status_code == 400
    assert not SessionReflection.objects.exists()


def test_a_reflection_before_the_session_is_refused_on_the_page(signed_in_page):
    running = running_program()
    volunteer = volunteer_in(running)
    response = signed_in_page(volunteer).post(
        f"/program-sessions/{running.session.pk}/reflection/",
        {"author": volunteer.pk, "text": "Looking forward to it."},
    )
    assert response.status_code == 400
    assert "Reflections are written after the session." in response.content.decode()


def test_a_guardian_writes_for_their_young_child(signed_in_page):
    running = running_program()
    link = consented_child(running)
    _begun(running)
    page = signed_in_page(link.guardian)
    shown = page.get(f"/program-sessions/{running.session.pk}/").content.decode()

    response = page.post(
        f"/program-sessions/{running.session.pk}/reflection/",
        {"author": link.child_id, "text": "けん玉がたのしかったそうです"},
    )

    assert f"You write for {link.child.given_name}" in shown

    assert response.status_code == 302
    reflection = SessionReflection.objects.get(author=link.child)
    assert reflection.written_by == link.guardian
    seen = signed_in_page(volunteer_in(running)).get(response["Location"]).content.decode()
    assert "written by a guardian" in seen
    assert link.child.name not in seen


def test_a_guardian_cannot_write_for_a_child_not_in_the_program(signed_in_page):
    running = running_program()
    link = consented_child(running)
    other = GuardianLinkFactory(guardian=link.guardian)
    _begun(running)
    response = signed_in_page(link.guardian).post(
        f"/program-sessions/{running.session.pk}/reflection/",
        {"author": other.child_id, "text": "x"},
    )
    assert response.status_code == 400
    assert not SessionReflection.objects.exists()


# --- The senior's page --------------------------------------------------------------------------


def test_a_senior_saves_an_offer_with_availability(signed_in_page):
    senior = SeniorFactory()
    district = DistrictFactory()
    page = signed_in_page(senior)

    response = page.post(
        "/me/volunteering/",
        {
            "skills": "Origami and shogi.",
            "topics": ["arts"],
            "districts": [district.pk],
            "availability": ["tue-afternoon", "sat-morning"],
        },
    )

    assert response.status_code == 302
    offer = VolunteerOffer.objects.get(resident=senior, withdrawn_at__isnull=True)
    assert offer.availability == ["sat-morning", "tue-afternoon"]
    assert list(offer.districts.all()) == [district]
    body = page.get("/me/volunteering/").content.decode()
    assert 'value="tue-afternoon" id="slot-tue-afternoon" checked' in body
    assert "Your offer is saved." in body


def test_an_offer_without_skills_is_refused_beside_the_field(signed_in_page):
    response = signed_in_page(SeniorFactory()).post("/me/volunteering/", {"skills": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not VolunteerOffer.objects.exists()


def test_a_younger_resident_sees_why_they_cannot_offer(signed_in_page):
    page = signed_in_page(ResidentFactory())
    assert "aged 65 and over" in page.get("/me/volunteering/").content.decode()
    response = page.post("/me/volunteering/", {"skills": "Chess"})
    assert response.status_code == 403
    assert not VolunteerOffer.objects.exists()


def test_a_senior_withdraws_the_offer(signed_in_page):
    offer = senior_with_offer()
    page = signed_in_page(offer.resident)
    response = page.post("/me/volunteering/withdraw/")
    assert response["Location"] == "/me/volunteering/"
    offer.refresh_from_db()
    assert offer.withdrawn_at is not None
    assert "Your offer is withdrawn." in page.get("/me/volunteering/").content.decode()


def test_the_senior_page_lists_invitations_and_programs_with_coming_sessions(signed_in_page):
    running = running_program()
    volunteer = volunteer_in(running)
    other = running_program(title="おりがみ教室", title_kana="おりがみきょうしつ")
    services.volunteer_invite(
        actor=other.coordinator, program_id=other.program.pk, resident_id=volunteer.pk
    )
    body = signed_in_page(volunteer).get("/me/volunteering/").content.decode()
    assert "Invitations" in body
    assert "おりがみ教室" in body
    assert f"/program-sessions/{running.session.pk}/" in body


# --- The guardian's page ------------------------------------------------------------------------


def test_the_guardian_page_shows_each_childs_programs(signed_in_page):
    running = running_program()
    link = consented_child(running, photos=True)
    body = signed_in_page(link.guardian).get("/me/children/programs/").content.decode()
    assert link.child.display_name in body
    assert "むかしあそびの会" in body
    assert f"/program-sessions/{running.session.pk}/" in body
    assert "Withdraw consent" in body
    assert "Allowed" in body
    assert (
        "むかしあそびの会"
        not in signed_in_page(ResidentFactory()).get("/me/children/programs/").content.decode()
    )


def test_my_page_links_to_the_programs_pages(signed_in_page):
    senior = SeniorFactory()
    GuardianLinkFactory(guardian=senior)
    body = signed_in_page(senior).get("/me/").content.decode()
    assert 'href="/programs/"' in body
    assert 'href="/me/volunteering/"' in body
    assert 'href="/me/children/programs/"' in body
