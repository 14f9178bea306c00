"""Lecturer photos are served by a view that checks who asks: the lecturer, city staff, and —
once approved — everyone signed in.  The storage path is never handed out."""

import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from campus_social.audit.models import AuditEvent
from courses import services
from courses.models import Lecturer
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

APPLICATION = {
    "display_name": "田中 先生",
    "name_kana": "たなか せんせい",
    "profile": "元教員です。",
    "skills": "算数",
    "teaching_wishes": "子ども向けの算数",
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos land in a throwaway folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(data, format="PNG")
    data.seek(0)
    data.name = "me.png"
    return data


def _image_size(response) -> tuple[int, int]:
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).size


@pytest.fixture
def applicant_with_photo(signed_in):
    """An applicant who sent a photo: the applicant, their signed-in client, the application."""
    applicant = ResidentFactory()
    client = signed_in(applicant)
    response = client.post(
        "/api/v1/lecturers/apply/", {**APPLICATION, "photo": _png()}, format="multipart"
    )
    assert response.status_code == 201
    return applicant, client, response.json()


def test_the_photo_address_an_applicant_is_given_answers_them_the_image(applicant_with_photo):
    _applicant, client, application = applicant_with_photo

    mine = client.get("/api/v1/me/lecturer/").json()
    response = client.get(application["photo"])

    assert mine["photo"] == application["photo"]
    assert "/media/" not in application["photo"]
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert _image_size(response) == (40, 30)


def test_an_applicants_photo_is_not_found_for_other_residents_nor_answered_to_anonymous_callers(
    signed_in, applicant_with_photo
):
    _applicant, _client, application = applicant_with_photo

    assert signed_in(ResidentFactory()).get(application["photo"]).status_code == 404
    assert APIClient().get(application["photo"]).status_code in (401, 403)


def test_city_staff_see_an_applicants_photo_and_the_look_is_audited(
    staff_api, city_staff, applicant_with_photo
):
    _applicant, _client, application = applicant_with_photo

    queue = staff_api.get("/api/v1/staff/lecturers/pending/").json()["results"]
    response = staff_api.get(queue[0]["photo"])

    assert queue[0]["photo"] == application["photo"]
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        actor_id=city_staff.pk, action="lecturer.photo_viewed", target_id=str(application["id"])
    ).exists()


def test_once_approved_the_photo_is_shown_with_their_offerings_to_everyone_signed_in(
    city_staff, signed_in, applicant_with_photo
):
    applicant, _client, application = applicant_with_photo
    services.lecturer_decide(actor=city_staff, lecturer_id=application["id"], approve=True)
    offering = OfferingFactory(course=CourseFactory(owner=Lecturer.objects.get(resident=applicant)))
    anyone = signed_in(ResidentFactory())

    listed = anyone.get("/api/v1/offerings/").json()["results"]
    (item,) = [o for o in listed if o["id"] == offering.pk]
    response = anyone.get(item["lecturers"][0]["photo"])

    assert item["lecturers"][0]["photo"] == application["photo"]
    assert response.status_code == 200
    assert _image_size(response) == (40, 30)


def test_a_declined_applicants_photo_is_theirs_again_only(
    city_staff, signed_in, applicant_with_photo
):
    _applicant, client, application = applicant_with_photo
    services.lecturer_decide(
        actor=city_staff, lecturer_id=application["id"], approve=False, reason="書類不足"
    )

    assert client.get(application["photo"]).status_code == 200
    assert signed_in(ResidentFactory()).get(application["photo"]).status_code == 404


def test_a_lecturer_without_a_photo_has_no_photo_address_and_the_route_answers_404(signed_in):
    lecturer = LecturerFactory()

    mine = signed_in(lecturer.resident).get("/api/v1/me/lecturer/").json()
    response = signed_in(lecturer.resident).get(f"/api/v1/lecturers/{lecturer.pk}/photo/")

    assert mine["photo"] is None
    assert response.status_code == 404
    assert signed_in(lecturer.resident).get("/api/v1/lecturers/999999/photo/").status_code == 404
