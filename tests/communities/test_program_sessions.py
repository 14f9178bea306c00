"""What happens at a session: attendance, reflections and photos — and the safeguarding rules
on them, tried one by one: photos only of children whose guardians allowed them, untagged on
withdrawal; no direct room between a volunteer and a child of the program; what a volunteer
sees of a child."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Forbidden, Invalid, NotFound
from communities import program_selectors as selectors
from communities import services
from communities.models import SessionAttendance, SessionPhoto, SessionPhotoTag, SessionReflection
from messaging import services as messaging
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import consented_child, running_program, volunteer_in
from tests.factories import ChildFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")


def begun(running):
    """The session moved to an hour ago (reflections are written afterwards)."""
    running.session.starts_at = timezone.now() - timedelta(hours=1)
    running.session.ends_at = timezone.now()
    running.session.save()
    return running.session


def test_the_coordinator_records_attendance_for_children_and_volunteers():
    running = running_program()
    link = consented_child(running)
    senior = volunteer_in(running)

    for resident, present in ((link.child, True), (senior, False), (senior, True)):
        services.attendance_record(
            actor=running.coordinator,
            session_id=running.session.pk,
            resident_id=resident.pk,
            present=present,
        )

    assert dict(SessionAttendance.objects.values_list("resident_id", "present")) == {
        link.child_id: True,
        senior.pk: True,
    }


def test_attendance_is_only_for_those_on_the_roster_and_only_by_the_coordinator():
    running = running_program()
    link = consented_child(running)
    with pytest.raises(NotFound):
        services.attendance_record(
            actor=running.coordinator,
            session_id=running.session.pk,
            resident_id=ChildFactory().pk,
            present=True,
        )
    with pytest.raises(Forbidden):
        services.attendance_record(
            actor=link.guardian,
            session_id=running.session.pk,
            resident_id=link.child_id,
            present=True,
        )
    assert not SessionAttendance.objects.exists()


def test_a_child_writes_a_short_reflection_and_a_guardian_may_write_for_them():
    running = running_program()
    link = consented_child(running)
    session = begun(running)

    services.reflection_write(actor=link.child, session_id=session.pk, text_value="たのしかった")
    services.reflection_write(
        actor=link.guardian,
        session_id=session.pk,
        text_value="こまをまわせた",
        child_id=link.child_id,
    )

    reflection = SessionReflection.objects.get()
    assert (reflection.author, reflection.written_by, reflection.text) == (
        link.child,
        link.guardian,
        "こまをまわせた",
    )
    with pytest.raises(Invalid):
        services.reflection_write(actor=link.child, session_id=session.pk, text_value="あ" * 201)


def test_reflections_come_after_the_session_and_from_participants_only():
    running = running_program()
    link = consented_child(running)
    with pytest.raises(Invalid):
        services.reflection_write(
            actor=link.child, session_id=running.session.pk, text_value="まだ"
        )
    begun(running)
    with pytest.raises(Forbidden):
        services.reflection_write(
            actor=ResidentFactory(), session_id=running.session.pk, text_value="I was not there"
        )
    assert not SessionReflection.objects.exists()


def test_a_photo_is_re_encoded_without_its_location_and_tagged(media):
    running = running_program()
    link = consented_child(running, photos=True)

    stored = services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=photo(),
        child_ids=[link.child_id],
    )

    with Image.open(io.BytesIO(stored.image.read())) as image:
        assert not image.getexif()
    assert "IMG_0001" not in stored.image.name
    assert list(SessionPhotoTag.objects.values_list("child_id", flat=True)) == [link.child_id]


def test_a_photo_of_a_child_whose_guardian_refused_photos_is_refused_and_audited(media):
    running = running_program()
    allowed = consented_child(running, photos=True)
    refused = consented_child(running, photos=False)

    with pytest.raises(Forbidden) as refusal:
        services.photo_add(
            actor=running.coordinator,
            session_id=running.session.pk,
            upload=photo(),
            child_ids=[allowed.child_id, refused.child_id],
        )

    assert refusal.value.code == "photo_not_allowed"
    assert not SessionPhoto.objects.exists()
    assert not list(media.rglob("*.jpg"))
    assert AuditEvent.objects.filter(action="program.photo_refused").exists()


def test_a_photo_of_a_child_not_in_the_program_is_refused(media):
    running = running_program()
    with pytest.raises(Forbidden):
        services.photo_add(
            actor=running.coordinator,
            session_id=running.session.pk,
            upload=photo(),
            child_ids=[ChildFactory().pk],
        )
    assert not SessionPhoto.objects.exists()


def test_withdrawing_consent_untags_the_child_and_no_new_photo_may_show_them(media):
    running = running_program()
    link = consented_child(running, photos=True)
    services.photo_add(
        actor=running.coordinator,
        session_id=running.session.pk,
        upload=photo(),
        child_ids=[link.child_id],
    )

    services.consent_withdraw(
        actor=link.guardian, program_id=running.program.pk, child_id=link.child_id
    )

    assert not SessionPhotoTag.objects.exists()
    with pytest.raises(Forbidden):
        services.photo_add(
            actor=running.coordinator,
            session_id=running.session.pk,
            upload=photo(),
            child_ids=[link.child_id],
        )


def test_a_volunteer_cannot_open_a_direct_room_with_a_child_of_the_program():
    running = running_program()
    link = consented_child(running)
    senior = volunteer_in(running)

    with pytest.raises(NotFound):
        messaging.direct_room_open(resident=senior, other_id=link.child_id)
    with pytest.raises(Forbidden):
        messaging.direct_room_open(resident=link.child, other_id=senior.pk)


def test_a_volunteer_sees_a_child_by_given_name_and_grade_only():
    running = running_program()
    link = consented_child(running)
    senior = volunteer_in(running)

    seen_by_senior = selectors.program_roster(program=running.program, actor=senior).children
    seen_by_coordinator = selectors.program_roster(
        program=running.program, actor=running.coordinator
    ).children
    seen_by_guardian = selectors.program_roster(program=running.program, actor=link.guardian)

    assert seen_by_senior == [{"id": link.child_id, "name": link.child.given_name, "grade": None}]
    assert seen_by_coordinator[0]["birth_date"] == link.child.birth_date
    assert seen_by_coordinator[0]["full_name"] == link.child.name
    assert seen_by_guardian.children[0]["full_name"] == link.child.name
