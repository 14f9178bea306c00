"""The courses REST API: finding offerings, enrolling and waiting in line, teaching, card taps at
the venue, and calendar feeds."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from campus_social.search import services as search_services
from courses import services
from courses.models import Audience, Category, Enrolment, Lecturer, Offering, Session
from tests.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    LecturerFactory,
    OfferingFactory,
    VettingRecordFactory,
)
from tests.factories import (
    CardFactory,
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    OrganisationFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

OFFERING = "/api/v1/offerings/1/"
SESSION = "/api/v1/sessions/1/"


def teacher(offering):
    return offering.course.owner.resident


def enrol(offering, resident=None):
    resident = resident or ResidentFactory()
    services.enrolment_create(actor=resident, offering_id=offering.pk)
    return resident


def ended_offering(**fields):
    last_week = timezone.now() - timedelta(weeks=1)
    return OfferingFactory(
        sessions=[last_week - timedelta(weeks=1), last_week],
        enrolment_opens_at=last_week - timedelta(weeks=4),
        enrolment_closes_at=last_week - timedelta(weeks=2),
        **fields,
    )


def iso(moment) -> str:
    """As the API writes datetimes: ISO 8601 in the city's time zone."""
    return timezone.localtime(moment).isoformat()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/courses/"),
        ("post", "/api/v1/courses/"),
        ("get", "/api/v1/offerings/"),
        ("post", "/api/v1/offerings/"),
        ("get", OFFERING),
        ("patch", OFFERING),
        ("post", OFFERING + "enrolment/"),
        ("delete", OFFERING + "enrolment/"),
        ("post", OFFERING + "publish/"),
        ("post", OFFERING + "cancel/"),
        ("post", OFFERING + "copy/"),
        ("post", OFFERING + "sessions/"),
        ("get", OFFERING + "roster/"),
        ("get", OFFERING + "feedback/"),
        ("get", OFFERING + "completions/"),
        ("post", OFFERING + "completions/"),
        ("post", OFFERING + "survey/"),
        ("patch", SESSION),
        ("post", SESSION + "cancel/"),
        ("put", SESSION + "attendance/1/"),
        ("post", "/api/v1/enrolments/1/decision/"),
        ("get", "/api/v1/me/enrolments/"),
        ("get", "/api/v1/me/teaching/"),
        ("get", "/api/v1/me/lecturer/"),
        ("post", "/api/v1/me/calendar/"),
        ("delete", "/api/v1/me/calendar/"),
        ("post", "/api/v1/lecturers/apply/"),
        ("get", "/api/v1/staff/lecturers/pending/"),
        ("post", "/api/v1/staff/lecturers/1/decision/"),
        ("post", "/api/v1/staff/lecturers/1/vetting/"),
        ("post", "/api/v1/attendance/card/"),
    ],
)
def test_anonymous_callers_get_401_on_every_private_courses_route(api_client, method, path):
    OfferingFactory()

    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# --- Finding offerings -----------------------------------------------------------------------


def test_offerings_are_listed_with_their_course_lecturers_places_and_window(signed_in):
    offering = OfferingFactory(capacity=3, fee_yen=500, term="2025 春")
    enrol(offering)
    lecturer = offering.course.owner

    response = signed_in(ResidentFactory()).get("/api/v1/offerings/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["results"]
    course = offering.course
    assert item["course"] == {
        "id": course.pk,
        "title": course.title,
        "title_kana": course.title_kana,
        "category": "arts",
        "level": "beginner",
        "audience": "all",
    }
    assert item["lecturers"] == [
        {
            "id": lecturer.pk,
            "display_name": lecturer.display_name,
            "name_kana": lecturer.name_kana,
            "photo": None,
        }
    ]
    assert item["district"] == {"slug": offering.district.slug, "name": offering.district.name}
    assert (item["capacity"], item["enrolled"], item["places_left"]) == (3, 1, 2)
    assert (item["fee_yen"], item["term"], item["status"]) == (500, "2025 春", "published")
    assert item["enrolment_opens_at"] == iso(offering.enrolment_opens_at)
    assert item["first_session_at"] == iso(offering.first_session_at)
    assert item["last_session_ends_at"] == iso(offering.last_session_ends_at)
    assert (item["requires_approval"], item["bears_credit"]) == (False, False)


def test_offerings_are_filtered_by_category_district_audience_price_credit_and_words(signed_in):
    district = DistrictFactory(slug="aoba")
    wanted = OfferingFactory(
        course=CourseFactory(
            title="スマホ教室", title_kana="すまほきょうしつ", category=Category.COMPUTING
        ),
        district=district,
        bears_credit=True,
    )
    OfferingFactory(fee_yen=1000)
    search_services.rebuild()  # words are found through the search index
    client = signed_in(ResidentFactory())

    def found(**params):
        response = client.get("/api/v1/offerings/", params)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["results"]]

    assert found(category="computing") == [wanted.pk]
    assert found(district="aoba") == [wanted.pk]
    assert found(free="true", credit="true") == [wanted.pk]
    assert found(free="false") != [wanted.pk]
    assert found(q="すまほ") == [wanted.pk]
    assert found(q=wanted.course.owner.name_kana) == [wanted.pk]
    assert found(audience="children") == []


def test_offerings_are_filtered_by_the_day_of_their_first_session_and_the_weekday(signed_in):
    start = timezone.now() + timedelta(days=10)
    offering = OfferingFactory(sessions=[start, start + timedelta(weeks=1)])
    OfferingFactory()  # next week
    day = timezone.localtime(start).date()
    client = signed_in(ResidentFactory())

    def found(**params):
        return [item["id"] for item in client.get("/api/v1/offerings/", params).json()["results"]]

    assert found(**{"from": day.isoformat()}) == [offering.pk]
    assert found(**{"from": day.isoformat(), "until": day.isoformat()}) == [offering.pk]
    assert offering.pk in found(weekday=day.isoweekday())
    assert offering.pk not in found(weekday=day.isoweekday() % 7 + 1)


def test_the_enrolled_count_is_not_multiplied_by_the_sessions_or_lecturers_a_filter_matches(
    signed_in,
):
    start = timezone.now() + timedelta(days=10)
    offering = OfferingFactory(sessions=[start + timedelta(weeks=n) for n in range(3)])
    offering.lecturers.add(LecturerFactory(display_name="講師 補佐"))
    enrol(offering)
    search_services.rebuild()  # words are found through the search index
    client = signed_in(ResidentFactory())
    weekday = timezone.localtime(start).isoweekday()

    by_day = client.get("/api/v1/offerings/", {"weekday": weekday}).json()["results"]
    by_name = client.get("/api/v1/offerings/", {"q": "講師"}).json()["results"]

    assert [(item["id"], item["enrolled"]) for item in by_day] == [(offering.pk, 1)]
    assert [(item["id"], item["enrolled"]) for item in by_name] == [(offering.pk, 1)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"weekday": "8"}, "weekday"),
        ({"weekday": "monday"}, "weekday"),
        ({"from": "2025-13-01"}, "from"),
        ({"from": "2025-05-02", "until": "2025-05-01"}, "until"),
        ({"free": "maybe"}, "free"),
        ({"credit": "2"}, "credit"),
        ({"category": "astrology"}, "category"),
        ({"audience": "pets"}, "audience"),
        ({"district": "not a slug"}, "district"),
    ],
)
def test_a_bad_filter_value_answers_400_naming_the_filter(params, field, signed_in):
    response = signed_in(ResidentFactory()).get("/api/v1/offerings/", params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_an_offering_is_shown_with_its_sessions_and_a_draft_is_not_found(signed_in):
    offering = OfferingFactory()
    enrol(offering)
    (session,) = offering.sessions.all()
    draft = OfferingFactory(status=Offering.Status.DRAFT)
    client = signed_in(ResidentFactory())

    response = client.get(f"/api/v1/offerings/{offering.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["enrolled"], body["places_left"]) == (1, 2)
    assert body["description"] == offering.course.description
    assert body["sessions"] == [
        {
            "id": session.pk,
            "offering": offering.pk,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "cancelled_at": None,
        }
    ]
    assert client.get(f"/api/v1/offerings/{draft.pk}/").status_code == 404


def test_courses_are_listed_with_their_lecturer(signed_in):
    course = CourseFactory()

    response = signed_in(ResidentFactory()).get("/api/v1/courses/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == course.pk
    assert item["lecturer"]["display_name"] == course.owner.display_name


# --- Enrolling -------------------------------------------------------------------------------


def test_enrolling_answers_201_enrolled_and_once_full_waitlisted_with_a_position(signed_in):
    offering = OfferingFactory(capacity=1)
    url = f"/api/v1/offerings/{offering.pk}/enrolment/"
    first, second, third = ResidentFactory.create_batch(3)

    answers = [signed_in(r).post(url, format="json") for r in (first, second, third)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [(a.json()["status"], a.json()["position"]) for a in answers] == [
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert answers[0].json()["resident"] == {"id": first.pk, "display_name": first.display_name}
    assert answers[0].json()["offering"] == offering.pk


def test_an_offering_that_needs_approval_answers_pending_and_the_lecturer_decides(signed_in):
    offering = OfferingFactory(capacity=1, requires_approval=True)
    applicant, other = ResidentFactory.create_batch(2)
    url = f"/api/v1/offerings/{offering.pk}/enrolment/"
    pending = signed_in(applicant).post(url, format="json").json()
    also_pending = signed_in(other).post(url, format="json").json()
    lecturer = signed_in(teacher(offering))

    accepted = lecturer.post(
        f"/api/v1/enrolments/{pending['id']}/decision/", {"approve": True}, format="json"
    )
    full = lecturer.post(
        f"/api/v1/enrolments/{also_pending['id']}/decision/", {"approve": True}, format="json"
    )
    stranger = signed_in(LecturerFactory().resident).post(
        f"/api/v1/enrolments/{also_pending['id']}/decision/", {"approve": False}, format="json"
    )

    assert pending["status"] == "pending"
    assert (accepted.status_code, accepted.json()["status"]) == (200, "enrolled")
    assert (full.status_code, full.json()["code"]) == (409, "full")
    assert stranger.status_code == 404


def test_leaving_answers_the_cancelled_enrolment_and_promotes_the_first_in_line(signed_in):
    offering = OfferingFactory(capacity=1)
    first = enrol(offering)
    second = enrol(offering)
    url = f"/api/v1/offerings/{offering.pk}/enrolment/"

    response = signed_in(first).delete(url)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    mine = signed_in(second).get("/api/v1/me/enrolments/").json()["results"]
    assert [(e["status"], e["position"]) for e in mine] == [("enrolled", None)]
    assert signed_in(first).delete(url).status_code == 404


def test_enrolling_twice_answers_409_already_enrolled(signed_in):
    offering = OfferingFactory()
    client = signed_in(ResidentFactory())
    url = f"/api/v1/offerings/{offering.pk}/enrolment/"
    client.post(url, format="json")

    response = client.post(url, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_enrolled"
    assert offering.enrolments.count() == 1


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: OfferingFactory(status=Offering.Status.CANCELLED), "cancelled"),
        (
            lambda: OfferingFactory(enrolment_closes_at=timezone.now() - timedelta(minutes=1)),
            "closed",
        ),
        (
            lambda: OfferingFactory(enrolment_opens_at=timezone.now() + timedelta(days=1)),
            "not_open",
        ),
        (ended_offering, "ended"),
    ],
    ids=["cancelled", "closed", "not_open", "ended"],
)
def test_a_cancelled_closed_unopened_or_past_offering_answers_409_with_its_code(
    make, code, signed_in
):
    offering = make()

    response = signed_in(ResidentFactory()).post(
        f"/api/v1/offerings/{offering.pk}/enrolment/", format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_a_full_offering_puts_newcomers_on_the_waiting_list_rather_than_refusing(signed_in):
    offering = OfferingFactory(capacity=2)
    enrol(offering)
    enrol(offering)

    response = signed_in(ResidentFactory()).post(
        f"/api/v1/offerings/{offering.pk}/enrolment/", format="json"
    )

    assert (response.status_code, response.json()["status"]) == (201, "waitlisted")


def test_an_unknown_or_draft_offering_answers_404(signed_in):
    draft = OfferingFactory(status=Offering.Status.DRAFT)
    client = signed_in(ResidentFactory())

    for offering_id in (draft.pk, 9999):
        response = client.post(f"/api/v1/offerings/{offering_id}/enrolment/", format="json")
        assert response.status_code == 404


def test_a_guardian_enrols_their_child_and_sees_it_among_their_enrolments(signed_in):
    link = GuardianLinkFactory()
    guardian, child = link.guardian, link.child
    offering = OfferingFactory(course=CourseFactory(audience=Audience.CHILDREN))
    client = signed_in(guardian)
    url = f"/api/v1/offerings/{offering.pk}/enrolment/"

    response = client.post(url, {"resident": child.pk}, format="json")
    mine = client.get("/api/v1/me/enrolments/").json()["results"]
    someone_elses = client.post(url, {"resident": ChildFactory().pk}, format="json")
    left = client.delete(f"{url}?resident={child.pk}")

    assert response.status_code == 201
    assert response.json()["resident"] == {"id": child.pk, "display_name": child.given_name}
    assert [(e["resident"]["id"], e["offering"]["id"]) for e in mine] == [(child.pk, offering.pk)]
    assert someone_elses.status_code == 404
    assert (left.status_code, left.json()["status"]) == (200, "cancelled")


def test_a_child_cannot_enrol_alone(signed_in):
    offering = OfferingFactory(course=CourseFactory(audience=Audience.CHILDREN))

    response = signed_in(ChildFactory()).post(
        f"/api/v1/offerings/{offering.pk}/enrolment/", format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "guardian_required")


def test_my_enrolments_show_the_offering_and_my_place_in_line(signed_in):
    offering = OfferingFactory(capacity=1)
    enrol(offering)
    enrol(offering)
    me = enrol(offering)

    response = signed_in(me).get("/api/v1/me/enrolments/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert (item["status"], item["position"]) == ("waitlisted", 2)
    assert item["offering"]["id"] == offering.pk
    assert item["offering"]["title"] == offering.course.title
    assert item["offering"]["first_session_at"] == iso(offering.first_session_at)


# --- Applying to teach and staff review -------------------------------------------------------


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(data, format="PNG")
    data.seek(0)
    data.name = "me.png"
    return data


APPLICATION = {
    "display_name": "田中 先生",
    "name_kana": "たなか せんせい",
    "profile": "元教員です。",
    "skills": "算数",
    "teaching_wishes": "子ども向けの算数",
}


def test_a_resident_applies_to_teach_with_a_photo_as_multipart_and_sees_the_application(signed_in):
    resident = ResidentFactory()
    client = signed_in(resident)

    response = client.post(
        "/api/v1/lecturers/apply/",
        {**APPLICATION, "wants_to_teach_children": "true", "photo": _png()},
        format="multipart",
    )
    mine = client.get("/api/v1/me/lecturer/")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["wants_to_teach_children"]) == ("pending", True)
    assert body["photo"].startswith("http://testserver/")
    assert mine.json()["id"] == body["id"]


def test_an_application_can_be_sent_as_json_and_missing_fields_answer_400(signed_in):
    client = signed_in(ResidentFactory())

    bad = client.post("/api/v1/lecturers/apply/", {**APPLICATION, "profile": "  "}, format="json")
    good = client.post("/api/v1/lecturers/apply/", APPLICATION, format="json")
    again = client.post("/api/v1/lecturers/apply/", APPLICATION, format="json")

    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["profile"])
    assert (good.status_code, good.json()["photo"]) == (201, None)
    assert (again.status_code, again.json()["code"]) == (409, "already_applied")


def test_a_resident_who_never_applied_has_no_lecturer_profile(signed_in):
    response = signed_in(ResidentFactory()).get("/api/v1/me/lecturer/")

    assert response.status_code == 404


def test_city_staff_review_pending_applications_decide_and_record_vetting(staff_api):
    applicant = LecturerFactory(status=Lecturer.Status.PENDING)
    LecturerFactory()  # approved already

    pending = staff_api.get("/api/v1/staff/lecturers/pending/")
    declined_without_reason = staff_api.post(
        f"/api/v1/staff/lecturers/{applicant.pk}/decision/", {"approve": False}, format="json"
    )
    approved = staff_api.post(
        f"/api/v1/staff/lecturers/{applicant.pk}/decision/", {"approve": True}, format="json"
    )
    today = timezone.localdate()
    vetted = staff_api.post(
        f"/api/v1/staff/lecturers/{applicant.pk}/vetting/",
        {"checked_on": str(today), "expires_on": str(today + timedelta(days=365))},
        format="json",
    )

    assert [item["id"] for item in pending.json()["results"]] == [applicant.pk]
    assert pending.json()["results"][0]["resident"] == applicant.resident_id
    assert declined_without_reason.status_code == 400
    assert list(declined_without_reason.json()["fields"]) == ["reason"]
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert vetted.status_code == 201
    assert vetted.json()["lecturer"] == applicant.pk


def test_a_vetting_that_ends_before_it_starts_answers_400(staff_api):
    lecturer = LecturerFactory()
    today = timezone.localdate()

    response = staff_api.post(
        f"/api/v1/staff/lecturers/{lecturer.pk}/vetting/",
        {"checked_on": str(today), "expires_on": str(today - timedelta(days=1))},
        format="json",
    )

    assert (response.status_code, list(response.json()["fields"])) == (400, ["expires_on"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/staff/lecturers/pending/"),
        ("post", "/api/v1/staff/lecturers/1/decision/"),
        ("post", "/api/v1/staff/lecturers/1/vetting/"),
    ],
)
def test_staff_routes_answer_403_to_residents(method, path, signed_in):
    response = getattr(signed_in(ResidentFactory()), method)(path, {}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


# --- Teaching ----------------------------------------------------------------------------------


def _window(days_from_now=0):
    now = timezone.now() + timedelta(days=days_from_now)
    return {
        "enrolment_opens_at": iso(now),
        "enrolment_closes_at": iso(now + timedelta(days=14)),
    }


def test_a_lecturer_creates_a_course_and_an_offering_adds_a_session_and_publishes_it(signed_in):
    lecturer = LecturerFactory()
    DistrictFactory(slug="aoba")
    client = signed_in(lecturer.resident)

    course = client.post(
        "/api/v1/courses/",
        {
            "title": "やさしいスマホ教室",
            "title_kana": "やさしいすまほきょうしつ",
            "description": "電話のかけ方から。",
            "category": "computing",
            "level": "beginner",
            "audience": "seniors",
        },
        format="json",
    )
    draft = client.post(
        "/api/v1/offerings/",
        {
            "course": course.json()["id"],
            "venue": "青葉公民館",
            "district": "aoba",
            "capacity": 12,
            "fee_yen": 300,
            "term": "2025 春",
            **_window(),
        },
        format="json",
    )
    offering_id = draft.json()["id"]
    unpublishable = client.post(f"/api/v1/offerings/{offering_id}/publish/")
    starts = timezone.now() + timedelta(days=20)
    session = client.post(
        f"/api/v1/offerings/{offering_id}/sessions/",
        {"starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=2))},
        format="json",
    )
    published = client.post(f"/api/v1/offerings/{offering_id}/publish/")
    teaching = client.get("/api/v1/me/teaching/")

    assert course.status_code == 201
    assert (draft.status_code, draft.json()["status"], draft.json()["district"]) == (
        201,
        "draft",
        "aoba",
    )
    assert (unpublishable.status_code, unpublishable.json()["code"]) == (400, "no_sessions")
    assert session.status_code == 201
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert published.json()["first_session_at"] == iso(starts)
    (item,) = teaching.json()["results"]
    assert (item["id"], item["enrolled"], item["waiting"], item["pending"]) == (
        offering_id,
        0,
        0,
        0,
    )


def test_a_new_offering_without_its_required_fields_answers_400_naming_them(signed_in):
    course = CourseFactory()

    response = signed_in(teacher_of_course(course)).post(
        "/api/v1/offerings/", {"course": course.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {
        "capacity",
        "district",
        "enrolment_closes_at",
        "enrolment_opens_at",
        "venue",
    }


def teacher_of_course(course):
    return course.owner.resident


def test_a_resident_who_is_not_an_approved_lecturer_cannot_create_a_course(signed_in):
    response = signed_in(ResidentFactory()).post(
        "/api/v1/courses/",
        {
            "title": "x",
            "title_kana": "x",
            "description": "x",
            "category": "arts",
            "level": "beginner",
            "audience": "all",
        },
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_lecturer_changes_an_offerings_details(signed_in):
    offering = OfferingFactory(capacity=5)

    response = signed_in(teacher(offering)).patch(
        f"/api/v1/offerings/{offering.pk}/",
        {"venue": "第二会議室", "fee_yen": 800},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["venue"], response.json()["fee_yen"]) == ("第二会議室", 800)
    assert response.json()["capacity"] == 5


def test_moving_the_close_of_enrolment_before_its_opening_answers_400(signed_in):
    offering = OfferingFactory()

    response = signed_in(teacher(offering)).patch(
        f"/api/v1/offerings/{offering.pk}/",
        {"enrolment_closes_at": iso(offering.enrolment_opens_at - timedelta(days=1))},
        format="json",
    )

    assert response.status_code == 400
    assert "enrolment_closes_at" in response.json()["fields"]


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("patch", "", {"venue": "乗っ取り"}),
        ("post", "publish/", {}),
        ("post", "cancel/", {}),
        ("post", "copy/", {"shift_days": 7}),
        (
            "post",
            "sessions/",
            {"starts_at": "2030-01-07T10:00+09:00", "ends_at": "2030-01-07T12:00+09:00"},
        ),
        ("get", "roster/", None),
        ("get", "feedback/", None),
        ("get", "completions/", None),
        ("post", "completions/", {}),
    ],
)
def test_a_lecturer_managing_another_lecturers_offering_gets_404(
    method, suffix, payload, signed_in
):
    offering = OfferingFactory()
    other = LecturerFactory().resident

    response = getattr(signed_in(other), method)(
        f"/api/v1/offerings/{offering.pk}/{suffix}", payload, format="json"
    )

    assert response.status_code == 404
    offering.refresh_from_db()
    assert (offering.venue, offering.status) == ("中央公民館 和室", Offering.Status.PUBLISHED)


def test_another_lecturers_session_is_not_found(signed_in):
    offering = OfferingFactory()
    (session,) = offering.sessions.all()
    client = signed_in(LecturerFactory().resident)
    starts = session.starts_at + timedelta(days=1)
    times = {"starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=1))}

    moved = client.patch(f"/api/v1/sessions/{session.pk}/", times, format="json")
    cancelled = client.post(f"/api/v1/sessions/{session.pk}/cancel/")

    assert (moved.status_code, cancelled.status_code) == (404, 404)


def test_an_overlapping_session_answers_400_on_starts_at(signed_in):
    offering = OfferingFactory()
    (session,) = offering.sessions.all()
    starts = session.starts_at + timedelta(hours=1)

    response = signed_in(teacher(offering)).post(
        f"/api/v1/offerings/{offering.pk}/sessions/",
        {"starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=2))},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["starts_at"]


def test_a_session_that_ends_before_it_starts_answers_400_on_ends_at(signed_in):
    offering = OfferingFactory()
    (session,) = offering.sessions.all()
    starts = session.starts_at + timedelta(days=1)

    added = signed_in(teacher(offering)).post(
        f"/api/v1/offerings/{offering.pk}/sessions/",
        {"starts_at": iso(starts), "ends_at": iso(starts - timedelta(hours=1))},
        format="json",
    )
    moved = signed_in(teacher(offering)).patch(
        f"/api/v1/sessions/{session.pk}/",
        {"starts_at": iso(starts), "ends_at": iso(starts)},
        format="json",
    )

    assert (added.status_code, list(added.json()["fields"])) == (400, ["ends_at"])
    assert (moved.status_code, list(moved.json()["fields"])) == (400, ["ends_at"])


def test_a_session_is_moved_and_cancelled_and_the_schedule_follows(signed_in):
    start = timezone.now() + timedelta(days=7)
    offering = OfferingFactory(sessions=[start, start + timedelta(weeks=1)])
    first, second = offering.sessions.all()
    client = signed_in(teacher(offering))
    later = second.starts_at + timedelta(weeks=1)

    moved = client.patch(
        f"/api/v1/sessions/{second.pk}/",
        {"starts_at": iso(later), "ends_at": iso(later + timedelta(hours=2))},
        format="json",
    )
    cancelled = client.post(f"/api/v1/sessions/{first.pk}/cancel/")

    assert moved.json()["starts_at"] == iso(later)
    assert cancelled.json()["cancelled_at"] is not None
    offering.refresh_from_db()
    assert offering.first_session_at == later


def test_places_cannot_drop_below_those_already_enrolled(signed_in):
    offering = OfferingFactory(capacity=3)
    enrol(offering)
    enrol(offering)

    response = signed_in(teacher(offering)).patch(
        f"/api/v1/offerings/{offering.pk}/", {"capacity": 1}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["capacity"]
    offering.refresh_from_db()
    assert offering.capacity == 3


def test_an_offering_is_copied_for_a_new_term_and_cancelled(signed_in):
    offering = OfferingFactory()
    enrolled = enrol(offering)
    client = signed_in(teacher(offering))

    copied = client.post(
        f"/api/v1/offerings/{offering.pk}/copy/", {"shift_days": 91, "term": "夏"}, format="json"
    )
    cancelled = client.post(f"/api/v1/offerings/{offering.pk}/cancel/")

    assert copied.status_code == 201
    assert (copied.json()["status"], copied.json()["term"]) == ("draft", "夏")
    assert copied.json()["first_session_at"] == iso(offering.first_session_at + timedelta(91))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert Enrolment.objects.get(resident=enrolled).status == "cancelled"


def test_the_roster_shows_each_enrolment_and_attendance_per_session(signed_in):
    start = timezone.now() + timedelta(days=7)
    offering = OfferingFactory(capacity=1, sessions=[start, start + timedelta(weeks=1)])
    first, second = offering.sessions.all()
    learner = enrol(offering)
    waiting = enrol(offering)
    begun = timezone.now() - timedelta(hours=1)
    Session.objects.filter(pk=first.pk).update(starts_at=begun)  # attendance opens once begun
    client = signed_in(teacher(offering))
    early = client.put(
        f"/api/v1/sessions/{second.pk}/attendance/{learner.pk}/", {"present": True}, format="json"
    )
    assert (early.status_code, early.json()["code"]) == (409, "not_started")

    marked = client.put(
        f"/api/v1/sessions/{first.pk}/attendance/{learner.pk}/", {"present": True}, format="json"
    )
    not_enrolled = client.put(
        f"/api/v1/sessions/{first.pk}/attendance/{waiting.pk}/", {"present": True}, format="json"
    )
    roster = client.get(f"/api/v1/offerings/{offering.pk}/roster/")

    assert marked.json() == {"session": first.pk, "resident": learner.pk, "present": True}
    assert not_enrolled.status_code == 404
    body = roster.json()
    assert body["offering"] == offering.pk
    assert [s["id"] for s in body["sessions"]] == [first.pk, second.pk]
    assert [(e["resident"]["id"], e["status"], e["attendance"]) for e in body["enrolments"]] == [
        (
            learner.pk,
            "enrolled",
            [{"session": first.pk, "present": True}, {"session": second.pk, "present": False}],
        ),
        (
            waiting.pk,
            "waitlisted",
            [{"session": first.pk, "present": False}, {"session": second.pk, "present": False}],
        ),
    ]


def test_completions_answer_409_before_the_end_and_are_recorded_and_listed_after(signed_in):
    running = OfferingFactory()
    offering = ended_offering()
    learner = EnrolmentFactory(offering=offering).resident
    for session in offering.sessions.all():
        services.attendance_set(
            actor=teacher(offering), session_id=session.pk, resident_id=learner.pk, present=True
        )
    early = signed_in(teacher(running)).post(f"/api/v1/offerings/{running.pk}/completions/")
    client = signed_in(teacher(offering))

    recorded = client.post(f"/api/v1/offerings/{offering.pk}/completions/")
    listed = client.get(f"/api/v1/offerings/{offering.pk}/completions/")

    assert (early.status_code, early.json()["code"]) == (409, "not_ended")
    assert recorded.json() == {"offering": offering.pk, "completed": 1}
    ((completion),) = listed.json()
    assert completion["resident"] == {"id": learner.pk, "display_name": learner.display_name}
    assert (completion["sessions_attended"], completion["sessions_held"]) == (2, 2)


def test_participants_answer_the_survey_once_and_the_lecturer_reads_it_only_in_aggregate(signed_in):
    offering = ended_offering()
    learners = [EnrolmentFactory(offering=offering).resident for _n in range(3)]
    url = f"/api/v1/offerings/{offering.pk}/survey/"
    lecturer = signed_in(teacher(offering))

    withheld = lecturer.get(f"/api/v1/offerings/{offering.pk}/feedback/").json()
    out_of_range = signed_in(learners[0]).post(url, {"rating": 9}, format="json")
    answers = [
        signed_in(r).post(url, {"rating": 4, "comment": "良かった"}, format="json")
        for r in learners
    ]
    again = signed_in(learners[0]).post(url, {"rating": 1}, format="json")
    outsider = signed_in(ResidentFactory()).post(url, {"rating": 5}, format="json")
    summary = lecturer.get(f"/api/v1/offerings/{offering.pk}/feedback/").json()

    assert withheld == {
        "responses": 0,
        "average": None,
        "distribution": {},
        "comments": [],
        "withheld": True,
    }
    assert [a.status_code for a in answers] == [204, 204, 204]
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert (out_of_range.status_code, list(out_of_range.json()["fields"])) == (400, ["rating"])
    assert outsider.status_code == 404
    assert summary["withheld"] is False
    assert (summary["responses"], summary["average"]) == (3, 4.0)
    assert summary["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 3, "5": 0}


def test_an_offering_for_children_is_published_only_once_its_lecturer_is_vetted(signed_in):
    offering = OfferingFactory(
        status=Offering.Status.DRAFT, course=CourseFactory(audience=Audience.CHILDREN)
    )
    client = signed_in(teacher(offering))

    refused = client.post(f"/api/v1/offerings/{offering.pk}/publish/")
    VettingRecordFactory(lecturer=offering.course.owner)
    published = client.post(f"/api/v1/offerings/{offering.pk}/publish/")

    assert (refused.status_code, refused.json()["code"]) == (400, "vetting_required")
    assert published.json()["status"] == "published"


# --- Card taps at the venue ---------------------------------------------------------------------


@pytest.fixture
def reader_key():
    OrganisationFactory(slug="honmachi-kominkan", name="本町公民館")
    device, key = reader_device_register(
        actor=OPERATOR, name="本町公民館 和室", organisation_slug="honmachi-kominkan"
    )
    return device, key


def reader_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {key}")
    return client


def test_a_card_tap_with_no_session_running_answers_409_no_session(reader_key):
    _device, key = reader_key
    card = CardFactory(card_id="CARD00000001")
    enrol(OfferingFactory(), card.resident)

    response = reader_client(key).post(
        "/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "no_session")


def test_a_card_tap_at_the_venues_reader_checks_the_resident_in_and_greets_them(reader_key):
    device, key = reader_key
    offering = OfferingFactory(sessions=[timezone.now() - timedelta(minutes=10)])
    offering.reader = device
    offering.save(update_fields=["reader"])
    card = CardFactory(card_id="CARD00000001")
    enrol(offering, card.resident)
    (session,) = offering.sessions.all()

    response = reader_client(key).post(
        "/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json"
    )

    assert response.status_code == 201
    assert response.json() == {
        "session": session.pk,
        "kind": "offering",
        "offering": offering.pk,
        "display_name": card.resident.display_name,
    }
    assert session.attendances.filter(resident=card.resident, method="card").exists()


def test_a_card_tap_without_a_readers_key_is_refused(reader_key, signed_in):
    wrong = reader_client("nothing.here").post(
        "/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json"
    )
    signed_in_resident = signed_in(ResidentFactory()).post(
        "/api/v1/attendance/card/", {"card_id": "CARD00000001"}, format="json"
    )

    assert (wrong.status_code, signed_in_resident.status_code) == (401, 401)


def test_an_unknown_card_answers_404_unknown_card(reader_key):
    _device, key = reader_key

    response = reader_client(key).post(
        "/api/v1/attendance/card/", {"card_id": "CARD99999999"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "unknown_card")


# --- Calendars ------------------------------------------------------------------------------


def _calendar(text: str) -> list[dict[str, str]]:
    """The events of an iCalendar text, checking its frame: CRLF lines, folded at 75 octets,
    properly nested components."""
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 and "\n" not in line for line in physical)
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    events: list[dict[str, str]] = []
    inside = False
    for line in lines[1:-1]:
        name, _sep, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            assert not inside
            inside = True
            events.append({})
        elif line == "END:VEVENT":
            assert inside
            inside = False
        elif inside:
            events[-1][name] = value
    assert not inside
    return events


def test_my_calendar_feed_is_icalendar_with_the_sessions_i_am_enrolled_in(api_client, signed_in):
    start = timezone.now() + timedelta(days=3)
    mine = OfferingFactory(sessions=[start, start + timedelta(weeks=1)])
    OfferingFactory()  # not mine
    resident = enrol(mine)
    client = signed_in(resident)

    renewed = client.post("/api/v1/me/calendar/")
    url = renewed.json()["url"]
    feed = api_client.get(url)

    assert renewed.status_code == 201
    assert re.fullmatch(r"http://testserver/calendar/[\w-]{20,}\.ics", url)
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed["Cache-Control"] == "private, no-store"
    events = _calendar(feed.content.decode())
    sessions = list(mine.sessions.all())
    assert [e["UID"] for e in events] == [f"session-{s.pk}@campus-social" for s in sessions]
    assert {e["SUMMARY"] for e in events} == {mine.course.title}
    assert events[0]["DTSTART"] == sessions[0].starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert events[0]["STATUS"] == "CONFIRMED"


def test_a_renewed_feed_stops_the_old_address_and_a_revoked_one_stops_working(
    api_client, signed_in
):
    client = signed_in(ResidentFactory())
    old = client.post("/api/v1/me/calendar/").json()["url"]
    new = client.post("/api/v1/me/calendar/").json()["url"]

    assert api_client.get(old).status_code == 404
    assert api_client.get(new).status_code == 200

    assert client.delete("/api/v1/me/calendar/").status_code == 204
    assert api_client.get(new).status_code == 404


def test_an_unknown_feed_token_is_not_found(api_client):
    assert api_client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_published_offerings_calendar_is_public_and_a_drafts_is_not_found(api_client):
    offering = OfferingFactory()
    draft = OfferingFactory(status=Offering.Status.DRAFT)

    response = api_client.get(
        f"/api/v1/offerings/{offering.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
    )
    missing = api_client.get(
        f"/api/v1/offerings/{draft.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = _calendar(response.content.decode())
    assert event["SUMMARY"] == offering.course.title
    assert missing.status_code == 404


def test_a_cancelled_session_is_marked_cancelled_in_the_calendar(api_client):
    offering = OfferingFactory()
    (session,) = offering.sessions.all()
    Session.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())

    response = api_client.get(f"/api/v1/offerings/{offering.pk}/calendar.ics")

    (event,) = _calendar(response.content.decode())
    assert event["STATUS"] == "CANCELLED"


# --- Query budgets ------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 15])
def test_the_offering_list_costs_the_same_queries_however_many_offerings(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each offering's course, district, lecturers or enrolled count per
    row."""
    for _n in range(rows):
        offering = OfferingFactory()
        offering.lecturers.add(LecturerFactory())
        enrol(offering)
    client = signed_in(ResidentFactory())

    # session, resident, count, page, lecturers
    with django_assert_num_queries(5):
        response = client.get("/api/v1/offerings/", {"page_size": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 15])
def test_the_course_list_costs_the_same_queries_however_many_courses(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each course's lecturer per row."""
    CourseFactory.create_batch(rows)
    client = signed_in(ResidentFactory())

    # session, resident, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/courses/", {"page_size": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 15])
def test_my_enrolments_cost_the_same_queries_however_many_there_are(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each enrolment's offering, course, district or resident, or
    counting its place in line, per row."""
    link = GuardianLinkFactory()
    for n in range(rows):
        offering = OfferingFactory(capacity=1, course=CourseFactory(audience=Audience.ALL))
        enrol(offering)
        if n % 2:
            services.enrolment_create(
                actor=link.guardian, offering_id=offering.pk, resident_id=link.child.pk
            )
        else:
            enrol(offering, link.guardian)
    client = signed_in(link.guardian)

    # session, resident, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/me/enrolments/", {"page_size": 100})

    results = response.json()["results"]
    assert len(results) == rows
    assert {e["position"] for e in results} == {1}


@pytest.mark.parametrize("rows", [2, 15])
def test_my_teaching_costs_the_same_queries_however_many_offerings(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each offering's course or district, or counting its enrolments,
    per row."""
    lecturer = LecturerFactory()
    for _n in range(rows):
        offering = OfferingFactory(course=CourseFactory(owner=lecturer))
        enrol(offering)
    client = signed_in(lecturer.resident)

    # session, resident, city-staff check, count, page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/me/teaching/", {"page_size": 100})

    assert [item["enrolled"] for item in response.json()["results"]] == [1] * rows


@pytest.mark.parametrize("rows", [2, 15])
def test_the_roster_costs_the_same_queries_however_many_are_enrolled(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each enrolment's resident or attendance per row."""
    start = timezone.now() + timedelta(days=7)
    offering = OfferingFactory(capacity=rows, sessions=[start, start + timedelta(weeks=1)])
    first_session = offering.sessions.first()
    Session.objects.filter(pk=first_session.pk).update(starts_at=timezone.now())
    for _n in range(rows):
        learner = enrol(offering)
        services.attendance_set(
            actor=teacher(offering),
            session_id=first_session.pk,
            resident_id=learner.pk,
            present=True,
        )
    client = signed_in(teacher(offering))

    # session, resident, offering, city-staff check, lecturer check, enrolments, sessions,
    # attendance
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/offerings/{offering.pk}/roster/")

    assert len(response.json()["enrolments"]) == rows


@pytest.mark.parametrize("rows", [2, 15])
def test_the_pending_lecturers_cost_the_same_queries_however_many_applied(
    django_assert_num_queries, staff_api, rows
):
    """Guards against loading each applicant's resident per row."""
    LecturerFactory.create_batch(rows, status=Lecturer.Status.PENDING)

    # session, resident, city-staff check (permission), again (selector), count, page
    with django_assert_num_queries(6):
        response = staff_api.get("/api/v1/staff/lecturers/pending/", {"page_size": 100})

    assert len(response.json()["results"]) == rows
