"""Applying to teach, the city's decision on it, and vetting for teaching children."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from campus_social.safeguarding.models import VettingRecord
from courses import selectors, services
from courses.models import Lecturer
from tests.courses.factories import LecturerFactory
from tests.factories import ChildFactory, ResidentFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos land in a throwaway folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path


def apply(resident, **changes):
    values = {
        "display_name": "中村 美穂",
        "name_kana": "なかむら みほ",
        "profile": "書道教室を二十年開いています。",
        "skills": "書道、ペン字",
        "teaching_wishes": "大人のための書道入門",
    }
    return services.lecturer_apply(resident=resident, **(values | changes))


def photo_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Campus Camera"
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 41.0, 22.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.1)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("home.jpg", out.getvalue(), content_type="image/jpeg")


def pending_lecturer() -> Lecturer:
    return LecturerFactory(status=Lecturer.Status.PENDING)


# --- Applying -----------------------------------------------------------------------------


def test_an_adult_applies_to_teach_and_waits_for_review(city_staff):
    resident = ResidentFactory()

    lecturer = apply(resident, wants_to_teach_children=True)

    assert lecturer.resident == resident
    assert lecturer.status == Lecturer.Status.PENDING
    assert lecturer.wants_to_teach_children
    assert lecturer.display_name == "中村 美穂"
    assert list(selectors.lecturer_review_queue(actor=city_staff)) == [lecturer]


def test_a_child_cannot_apply_to_teach():
    with pytest.raises(Forbidden):
        apply(ChildFactory())
    assert not Lecturer.objects.exists()


def test_a_missing_field_refuses_the_application():
    with pytest.raises(Invalid) as refused:
        apply(ResidentFactory(), profile="  ")
    assert "profile" in refused.value.fields
    assert not Lecturer.objects.exists()


def test_applying_twice_is_a_conflict():
    resident = ResidentFactory()
    apply(resident)

    with pytest.raises(Conflict) as refused:
        apply(resident, display_name="別の名前")

    assert refused.value.status == 409
    assert refused.value.code == "already_applied"
    assert Lecturer.objects.get().display_name == "中村 美穂"


def test_a_declined_applicant_may_apply_again_and_is_reviewed_afresh(city_staff):
    lecturer = pending_lecturer()
    services.lecturer_decide(
        actor=city_staff, lecturer_id=lecturer.pk, approve=False, reason="経歴をもう少し詳しく"
    )

    again = apply(lecturer.resident, profile="書道師範の資格があります。")

    assert again.pk == lecturer.pk
    assert again.status == Lecturer.Status.PENDING
    assert again.decline_reason == ""
    assert again.decided_at is None
    assert again.profile == "書道師範の資格があります。"


def test_the_photo_is_kept_without_its_gps_position():
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original.read())).getexif().get_ifd(GPS_IFD)
    original.seek(0)

    lecturer = apply(ResidentFactory(), photo=original)

    with lecturer.photo.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(GPS_IFD)
    assert len(image.getexif()) == 0
    assert "home" not in lecturer.photo.name  # the sender's file name is not kept either


def test_a_text_file_is_refused_as_a_photo():
    text = SimpleUploadedFile("photo.jpg", b"not a picture at all", content_type="image/jpeg")

    with pytest.raises(Invalid) as refused:
        apply(ResidentFactory(), photo=text)

    assert "photo" in refused.value.fields
    assert not Lecturer.objects.exists()


# --- Deciding -----------------------------------------------------------------------------


def test_only_city_staff_decide_on_an_application():
    lecturer = pending_lecturer()

    for outsider in (ResidentFactory(), lecturer.resident):
        with pytest.raises(Forbidden):
            services.lecturer_decide(actor=outsider, lecturer_id=lecturer.pk, approve=True)
    lecturer.refresh_from_db()
    assert lecturer.status == Lecturer.Status.PENDING


def test_approving_tells_the_applicant_after_the_commit_and_is_audited(
    django_capture_on_commit_callbacks, city_staff
):
    lecturer = pending_lecturer()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.lecturer_decide(actor=city_staff, lecturer_id=lecturer.pk, approve=True)

    assert callbacks  # the push to the applicant's open pages waits for the commit
    lecturer.refresh_from_db()
    assert lecturer.is_approved
    assert lecturer.decided_by == city_staff
    notification = Notification.objects.get(resident=lecturer.resident)
    assert notification.kind == "courses.lecturer_decision"
    assert notification.url == "/teach/"
    assert AuditEvent.objects.filter(
        action="lecturer.approved", actor_id=city_staff.pk, target_id=str(lecturer.pk)
    ).exists()


def test_declining_needs_a_reason_which_the_applicant_is_told(
    django_capture_on_commit_callbacks, city_staff
):
    lecturer = pending_lecturer()

    with pytest.raises(Invalid) as refused:
        services.lecturer_decide(
            actor=city_staff, lecturer_id=lecturer.pk, approve=False, reason=" "
        )
    assert "reason" in refused.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        services.lecturer_decide(
            actor=city_staff, lecturer_id=lecturer.pk, approve=False, reason="定員に達しました"
        )

    lecturer.refresh_from_db()
    assert lecturer.status == Lecturer.Status.DECLINED
    assert lecturer.decline_reason == "定員に達しました"
    assert "定員に達しました" in Notification.objects.get(resident=lecturer.resident).title
    assert AuditEvent.objects.filter(
        action="lecturer.declined", target_id=str(lecturer.pk)
    ).exists()


def test_an_application_is_decided_only_once(city_staff):
    lecturer = pending_lecturer()
    services.lecturer_decide(actor=city_staff, lecturer_id=lecturer.pk, approve=True)

    with pytest.raises(Conflict):
        services.lecturer_decide(
            actor=city_staff, lecturer_id=lecturer.pk, approve=False, reason="x"
        )
    with pytest.raises(NotFound):
        services.lecturer_decide(actor=city_staff, lecturer_id=lecturer.pk + 1000, approve=True)


# --- Vetting ------------------------------------------------------------------------------


def test_city_staff_record_a_vetting_and_it_is_audited(city_staff):
    lecturer = LecturerFactory()
    today = timezone.localdate()

    record = services.vetting_record_add(
        actor=city_staff,
        lecturer_id=lecturer.pk,
        checked_on=today,
        expires_on=today + timedelta(days=365),
        note="研修受講済み",
    )

    assert record.checked_by == city_staff
    assert record.is_current(today)
    assert AuditEvent.objects.filter(action="lecturer.vetted", target_id=str(lecturer.pk)).exists()


def test_only_city_staff_record_a_vetting():
    lecturer = LecturerFactory()
    today = timezone.localdate()

    with pytest.raises(Forbidden):
        services.vetting_record_add(
            actor=lecturer.resident,
            lecturer_id=lecturer.pk,
            checked_on=today,
            expires_on=today + timedelta(days=365),
        )
    assert not VettingRecord.objects.exists()


@pytest.mark.parametrize(
    ("checked_in_days", "expires_in_days", "field"),
    [
        (0, 0, "expires_on"),  # ends the day it was checked
        (-10, -20, "expires_on"),  # ends before it was checked
        (1, 365, "checked_on"),  # checked tomorrow
    ],
)
def test_a_vetting_with_impossible_dates_is_refused(
    checked_in_days, expires_in_days, field, city_staff
):
    lecturer = LecturerFactory()
    today = timezone.localdate()

    with pytest.raises(Invalid) as refused:
        services.vetting_record_add(
            actor=city_staff,
            lecturer_id=lecturer.pk,
            checked_on=today + timedelta(days=checked_in_days),
            expires_on=today + timedelta(days=expires_in_days),
        )

    assert field in refused.value.fields
    assert not VettingRecord.objects.exists()


def test_vetting_an_unknown_lecturer_is_not_found(city_staff):
    today = timezone.localdate()
    with pytest.raises(NotFound):
        services.vetting_record_add(
            actor=city_staff, lecturer_id=999_999, checked_on=today, expires_on=today + timedelta(1)
        )
