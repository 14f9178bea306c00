"""A session's photos and reflections through the API: only those taking part see them
(everyone else 404), a photo only while every child in it still has a consent allowing photos,
a child author by given name and school year only, and a fixed number of queries per list."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campus_social.identity import services as identity_services
from communities import services
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import (
    Running,
    consented_child,
    running_program,
    volunteer_in,
)
from tests.factories import GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _photo(running: Running, *child_ids: int):
    return services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
        child_ids=list(child_ids),
    )


def _begun(running: Running) -> None:
    running.session.starts_at = timezone.now() - timedelta(hours=3)
    running.session.ends_at = timezone.now() - timedelta(hours=1)
    running.session.save()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/program-sessions/1/photos/",
        "/api/v1/program-sessions/1/reflections/",
        "/api/v1/program-photos/1/",
    ],
)
def test_the_anonymous_are_refused(api_client, path):
    assert api_client.get(path).status_code in (401, 403)


def test_those_taking_part_see_the_photos_and_everyone_else_gets_404(signed_in, media):
    running = running_program()
    link = consented_child(running, photos=True)
    volunteer = volunteer_in(running)
    photo = _photo(running, link.child_id)
    other_parent = GuardianLinkFactory()  # a guardian whose child is not in the program
    path = f"/api/v1/program-sessions/{running.session.pk}/photos/"

    for who in (running.coordinator, volunteer, link.child, link.guardian):
        answer = signed_in(who).get(path)
        assert answer.status_code == 200, who
        assert [row["id"] for row in answer.json()] == [photo.pk]
        assert answer.json()[0]["image"] == f"/api/v1/program-photos/{photo.pk}/"
    for who in (ResidentFactory(), other_parent.guardian, other_parent.child):
        assert signed_in(who).get(path).status_code == 404
        assert signed_in(who).get(f"/api/v1/program-photos/{photo.pk}/").status_code == 404


def test_the_image_is_served_uncached_to_those_taking_part(signed_in, media):
    running = running_program()
    link = consented_child(running, photos=True)
    photo = _photo(running, link.child_id)

    answer = signed_in(link.guardian).get(f"/api/v1/program-photos/{photo.pk}/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert "no-store" in answer["Cache-Control"]
    assert b"".join(answer.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_is_hidden_once_a_child_in_it_no_longer_has_photo_consent(signed_in, media):
    running = running_program()
    first = consented_child(running, photos=True)
    second = consented_child(running, photos=True)
    shown = _photo(running, first.child_id)
    hidden = _photo(running, first.child_id, second.child_id)
    untagged = _photo(running)
    # The second child's consent is withdrawn and given again without photos: the tag stays
    # on a photo only if the withdrawal kept it, so the check must not rely on the untagging.
    services.consent_withdraw(
        actor=second.guardian, program_id=running.program.pk, child_id=second.child_id
    )
    from communities.models import SessionPhotoTag

    SessionPhotoTag.objects.create(photo=hidden, child_id=second.child_id)
    services.consent_give(
        actor=second.guardian,
        program_id=running.program.pk,
        child_id=second.child_id,
        photos_allowed=False,
        sign_up=True,
    )
    api = signed_in(first.guardian)

    listed = api.get(f"/api/v1/program-sessions/{running.session.pk}/photos/")

    assert [row["id"] for row in listed.json()] == [shown.pk, untagged.pk]
    assert api.get(f"/api/v1/program-photos/{hidden.pk}/").status_code == 404


def test_a_guardian_who_withdrew_no_longer_sees_the_photos(signed_in, media):
    running = running_program()
    link = consented_child(running, photos=True)
    _photo(running, link.child_id)
    services.consent_withdraw(
        actor=link.guardian, program_id=running.program.pk, child_id=link.child_id
    )

    answer = signed_in(link.guardian).get(f"/api/v1/program-sessions/{running.session.pk}/photos/")

    assert answer.status_code == 404


def test_reflections_show_a_child_by_given_name_and_school_year_only(signed_in):
    running = running_program()
    link = consented_child(running)
    identity_services.school_pupil_add(
        actor=running.coordinator,
        school_id=running.program.school_id,
        child_id=link.child_id,
        birth_date=link.child.birth_date,
        school_year=4,
    )
    volunteer = volunteer_in(running)
    _begun(running)
    services.reflection_write(
        actor=link.guardian,
        session_id=running.session.pk,
        text_value="こまがまわった",
        child_id=link.child_id,
    )
    services.reflection_write(
        actor=volunteer, session_id=running.session.pk, text_value="Lovely to teach koma."
    )
    path = f"/api/v1/program-sessions/{running.session.pk}/reflections/"

    seen_by_volunteer = signed_in(volunteer).get(path)
    seen_by_guardian = signed_in(link.guardian).get(path)

    assert seen_by_volunteer.status_code == 200
    child_row, senior_row = seen_by_volunteer.json()
    assert child_row["author"] == {"id": link.child_id, "name": link.child.given_name, "grade": 4}
    assert child_row["by_guardian"] is True
    assert child_row["text"] == "こまがまわった"
    assert senior_row["author"]["name"] == volunteer.name
    assert link.child.birth_date.isoformat() not in seen_by_volunteer.content.decode()
    assert seen_by_guardian.json()[0]["author"]["full_name"] == link.child.name
    assert signed_in(ResidentFactory()).get(path).status_code == 404


def test_the_photo_list_asks_a_fixed_number_of_queries(signed_in, media, django_assert_num_queries):
    running = running_program()
    link = consented_child(running, photos=True)
    _photo(running, link.child_id)
    api = signed_in(link.guardian)
    path = f"/api/v1/program-sessions/{running.session.pk}/photos/"
    with django_assert_num_queries(8) as before:
        api.get(path)
    for _ in range(4):
        _photo(running, link.child_id, consented_child(running, photos=True).child_id)
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(api.get(path).json()) == 5


def test_the_reflection_list_asks_a_fixed_number_of_queries(signed_in, django_assert_num_queries):
    running = running_program()
    volunteer = volunteer_in(running)
    _begun(running)
    services.reflection_write(actor=volunteer, session_id=running.session.pk, text_value="Good.")
    first = consented_child(running).child
    services.reflection_write(actor=first, session_id=running.session.pk, text_value="楽しい")
    api = signed_in(volunteer)
    path = f"/api/v1/program-sessions/{running.session.pk}/reflections/"
    with django_assert_num_queries(11) as before:
        api.get(path)
    for _ in range(3):
        child = consented_child(running).child
        services.reflection_write(actor=child, session_id=running.session.pk, text_value="楽しい")
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(api.get(path).json()) == 5
