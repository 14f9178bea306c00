"""The course pages through Django's test client: who may see each page, the catalogue and its
filters, enrolling, the waiting list and cancelling through the offering page, teaching (applying,
courses, offerings, sessions, the roster, completions, feedback) and the staff's review queue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from campus_social.safeguarding.models import VettingRecord
from campus_social.search import services as search_services
from communities.models import Circle
from courses import services
from courses.models import (
    Attendance,
    Audience,
    Completion,
    Course,
    Enrolment,
    Lecturer,
    Offering,
    Session,
    SurveyResponse,
)
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import (
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    ResidentFactory,
    SeniorFactory,
    make_city_staff,
)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _resident(name: str, **fields):
    return ResidentFactory(name=name, language="en", **fields)


def _page(response) -> str:
    return response.content.decode()


def _offering_url(offering, name="frontend:offering", **extra) -> str:
    return reverse(name, kwargs={"offering_id": offering.pk, **extra})


def _end_in_the_past(offering: Offering) -> None:
    """Move every session of the offering into last week (the page flows need an ended one)."""
    shift = timedelta(days=14)
    for session in offering.sessions.all():
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
        )
    Offering.objects.filter(pk=offering.pk).update(
        first_session_at=timezone.now() - timedelta(days=7, hours=2),
        last_session_ends_at=timezone.now() - timedelta(days=7),
    )


@pytest.fixture
def teacher():
    return LecturerFactory(
        resident=_resident("書道 先生"), display_name="墨田 一郎", name_kana="すみだ いちろう"
    )


@pytest.fixture
def offering(teacher):
    course = CourseFactory(owner=teacher, title="Calligraphy for beginners", title_kana="しょどう")
    return OfferingFactory(course=course, capacity=1, fee_yen=1500)


@pytest.fixture
def hanako():
    return _resident("山田 花子")


@pytest.fixture
def taro():
    return _resident("佐藤 太郎")


# --- Who may see what -------------------------------------------------------------------------


def test_anonymous_visitors_may_browse_the_catalogue_and_an_offering(client, offering):
    catalogue = client.get(reverse("frontend:course-catalogue"))
    assert catalogue.status_code == 200
    assert "Calligraphy for beginners" in _page(catalogue)
    assert "墨田 一郎" in _page(catalogue)

    page = client.get(_offering_url(offering))
    assert page.status_code == 200
    assert "Sign in to enrol" in _page(page)
    assert f"/api/v1/offerings/{offering.pk}/calendar.ics" in _page(page)
    assert (
        'name="csrfmiddlewaretoken"'
        not in _page(page).split('id="place-heading"')[1].split("</section>")[0]
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("frontend:my-courses", {}, "get"),
        ("frontend:calendar-feed-renew", {}, "post"),
        ("frontend:teach", {}, "get"),
        ("frontend:teach-apply", {}, "post"),
        ("frontend:teach-course-new", {}, "get"),
        ("frontend:teach-offering-new", {}, "get"),
        ("frontend:teach-offering", {"offering_id": 1}, "get"),
        ("frontend:teach-roster", {"offering_id": 1}, "get"),
        ("frontend:offering-enrol", {"offering_id": 1}, "post"),
        ("frontend:offering-leave", {"offering_id": 1}, "post"),
        ("frontend:offering-survey", {"offering_id": 1}, "post"),
        ("frontend:staff-lecturers", {}, "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in_elsewhere(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_a_draft_offering_is_not_found_by_the_public(client, teacher):
    draft = OfferingFactory(course=CourseFactory(owner=teacher), status=Offering.Status.DRAFT)
    assert client.get(_offering_url(draft)).status_code == 404
    assert client.get(reverse("frontend:offering", kwargs={"offering_id": 999999})).status_code == (
        404
    )


def test_a_lecturer_cannot_manage_another_lecturers_offering(offering, signed_in_page):
    other = LecturerFactory(resident=_resident("別の 先生"))
    client = signed_in_page(other.resident)
    session = offering.sessions.get()

    assert client.get(_offering_url(offering, "frontend:teach-offering")).status_code == 404
    assert client.get(_offering_url(offering, "frontend:teach-roster")).status_code == 404
    assert client.post(_offering_url(offering, "frontend:teach-offering-publish")).status_code == (
        404
    )
    assert client.post(
        _offering_url(offering, "frontend:teach-offering-cancel"), {"confirm": "on"}
    ).status_code == (404)
    assert client.post(
        _offering_url(offering, "frontend:teach-session-cancel", session_id=session.pk)
    ).status_code == (404)
    assert client.post(_offering_url(offering, "frontend:teach-completions")).status_code == 404
    assert client.post(
        _offering_url(offering, "frontend:teach-attendance"),
        {"session": session.pk, "present": [other.resident.pk]},
    ).status_code == (404)
    offering.refresh_from_db()
    assert offering.status == Offering.Status.PUBLISHED
    assert Session.objects.get(pk=session.pk).cancelled_at is None


def test_the_staff_queue_is_for_city_staff_only(hanako, signed_in_page):
    applicant = LecturerFactory(resident=_resident("応募 者"), status=Lecturer.Status.PENDING)

    response = signed_in_page(hanako).get(reverse("frontend:staff-lecturers"))
    assert response.status_code == 403
    refused = signed_in_page(hanako).post(
        reverse("frontend:staff-lecturer-decide", kwargs={"lecturer_id": applicant.pk}),
        {"decision": "approve"},
    )
    assert refused.status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == Lecturer.Status.PENDING


def test_the_menu_links_to_courses_for_everyone_and_to_mine_and_teaching_when_signed_in(
    client, hanako, signed_in_page
):
    anonymous = _page(client.get(reverse("frontend:landing")))
    assert f'href="{reverse("frontend:course-catalogue")}"' in anonymous
    assert f'href="{reverse("frontend:my-courses")}"' not in anonymous

    signed_in = _page(signed_in_page(hanako).get(reverse("frontend:landing")))
    assert f'href="{reverse("frontend:my-courses")}"' in signed_in
    assert f'href="{reverse("frontend:teach")}"' in signed_in


# --- The catalogue ----------------------------------------------------------------------------


def test_each_card_shows_places_fee_and_credit(client, teacher):
    full = OfferingFactory(
        course=CourseFactory(owner=teacher, title="Full course"), capacity=1, bears_credit=True
    )
    services.enrolment_create(actor=_resident("満員 さん"), offering_id=full.pk)
    OfferingFactory(course=CourseFactory(owner=teacher, title="Open course"), capacity=3)

    page = _page(client.get(reverse("frontend:course-catalogue")))

    full_card = page.split("Full course")[1].split("</li>")[0]
    open_card = page.split("Open course")[1].split("</li>")[0]
    assert "Full: you can join the waiting list" in full_card
    assert "University credit" in full_card
    assert "3 places left" in open_card
    assert "Free" in open_card
    assert "University credit" not in open_card


def test_the_search_box_finds_titles_and_lecturers_in_kana(client, offering):
    other = OfferingFactory(course=CourseFactory(title="Yoga", title_kana="よが"))
    search_services.rebuild()  # words are found through the search index

    by_lecturer_kana = client.get(reverse("frontend:course-catalogue"), {"q": "すみだ"})
    assert [o.pk for o in by_lecturer_kana.context["page"]] == [offering.pk]
    by_title_kana = client.get(reverse("frontend:course-catalogue"), {"q": "よが"})
    assert [o.pk for o in by_title_kana.context["page"]] == [other.pk]
    nothing = client.get(reverse("frontend:course-catalogue"), {"q": "存在しない"})
    assert "No course matches these choices." in _page(nothing)


def test_the_filters_narrow_the_list(client, teacher):
    east = DistrictFactory(slug="east", name="East")
    tuesday = datetime(2031, 4, 1, 10, 0, tzinfo=TOKYO)  # a Tuesday
    free_credit = OfferingFactory(
        course=CourseFactory(owner=teacher, audience=Audience.SENIORS),
        district=east,
        fee_yen=0,
        bears_credit=True,
        sessions=[tuesday],
    )
    OfferingFactory(course=CourseFactory(owner=teacher), fee_yen=500, sessions=[tuesday])
    url = reverse("frontend:course-catalogue")

    def found(**query):
        return [o.pk for o in client.get(url, query).context["page"]]

    assert found(free="on") == [free_credit.pk]
    assert found(credit="on") == [free_credit.pk]
    assert found(district="east") == [free_credit.pk]
    assert found(audience="seniors") == [free_credit.pk]
    assert len(found(weekday="2")) == 2
    assert found(weekday="3") == []
    assert found(starts_from="2031-04-02") == []
    assert len(found(starts_from="2031-04-01", starts_until="2031-04-01")) == 2


def test_a_bad_filter_is_shown_next_to_its_field(client):
    response = client.get(reverse("frontend:course-catalogue"), {"starts_from": "soon"})
    assert response.status_code == 400
    assert "Enter a valid date." in _page(response)
    assert 'aria-invalid="true"' in _page(response)


def test_the_catalogue_pages_by_twenty(client, teacher):
    for _ in range(21):
        OfferingFactory(course=CourseFactory(owner=teacher))
    first = client.get(reverse("frontend:course-catalogue"))
    assert len(first.context["page"]) == 20
    assert "Page 1 of 2" in _page(first)
    second = client.get(reverse("frontend:course-catalogue"), {"page": 2})
    assert len(second.context["page"]) == 1


# --- Enrolling, waiting, cancelling -----------------------------------------------------------


def test_enrol_wait_cancel_and_promotion_through_the_offering_page(
    offering, hanako, taro, signed_in_page
):
    first, second = signed_in_page(hanako), signed_in_page(taro)
    enrol = _offering_url(offering, "frontend:offering-enrol")
    leave = _offering_url(offering, "frontend:offering-leave")

    response = first.post(enrol, follow=True)
    assert "You are enrolled. See you there!" in _page(response)
    assert "Cancel my place" in _page(response)

    response = second.post(enrol, follow=True)
    assert "You are number 1 on the waiting list." in _page(response)
    assert "Leave the waiting list" in _page(response)

    response = first.post(leave, follow=True)
    assert "Your place is cancelled." in _page(response)
    assert "Join the waiting list" in _page(response)  # the place went to the first in line

    page = _page(second.get(_offering_url(offering)))
    assert "You are enrolled." in page
    assert Enrolment.objects.get(resident=taro, offering=offering).status == "enrolled"


def test_the_enrolled_see_the_cohort_circles_chat_on_the_offerings_page(
    offering, hanako, taro, signed_in_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the cohort circle hears of it
        services.enrolment_create(actor=hanako, offering_id=offering.pk)
    circle = Circle.objects.get(offering=offering)

    page = _page(signed_in_page(hanako).get(_offering_url(offering)))
    assert "data-chat-panel" in page
    assert f'data-room="{circle.room_id}"' in page  # the one room of the cohort
    assert f'name="next" value="{_offering_url(offering)}"' in page
    circle_url = reverse("frontend:circle", kwargs={"circle_id": circle.pk})
    assert f'<a href="{circle_url}">Go to the circle “{circle.name}”</a>' in page

    assert "data-chat-panel" not in _page(signed_in_page(taro).get(_offering_url(offering)))


def test_enrolment_refusals_are_shown_on_the_page(offering, hanako, signed_in_page):
    client = signed_in_page(hanako)
    enrol = _offering_url(offering, "frontend:offering-enrol")
    client.post(enrol)

    twice = client.post(enrol)
    assert twice.status_code == 409
    assert "You are already enrolled or waiting for this offering." in _page(twice)
    assert 'role="alert"' in _page(twice)

    seniors = OfferingFactory(course=CourseFactory(audience=Audience.SENIORS))
    refused = client.post(_offering_url(seniors, "frontend:offering-enrol"))
    assert refused.status_code == 403
    assert "This course is for seniors (65 and over)." in _page(refused)

    closed = OfferingFactory(enrolment_closes_at=timezone.now() - timedelta(minutes=1))
    assert "Enrolment is closed." in _page(client.get(_offering_url(closed)))
    assert "Enrol</button>" not in _page(client.get(_offering_url(closed)))
    late = client.post(_offering_url(closed, "frontend:offering-enrol"))
    assert late.status_code == 409
    assert "Enrolment is closed." in _page(late)


def test_leaving_when_not_enrolled_says_so(offering, hanako, signed_in_page):
    response = signed_in_page(hanako).post(_offering_url(offering, "frontend:offering-leave"))
    assert response.status_code == 404
    assert "You are not enrolled in this offering." in _page(response)


def test_a_guardian_enrols_their_child_but_not_someone_elses(teacher, signed_in_page):
    guardian = _resident("保護 者")
    child = ChildFactory(given_name="ゆき")
    GuardianLinkFactory(guardian=guardian, child=child)
    stranger_child = ChildFactory()
    offering = OfferingFactory(course=CourseFactory(owner=teacher, audience=Audience.ALL))
    client = signed_in_page(guardian)

    page = _page(client.get(_offering_url(offering)))
    assert "Your children" in page
    assert f'name="resident" value="{child.pk}"' in page

    response = client.post(
        _offering_url(offering, "frontend:offering-enrol"), {"resident": child.pk}, follow=True
    )
    assert "ゆき is enrolled." in _page(response)
    assert Enrolment.objects.get(resident=child).enrolled_by == guardian

    refused = client.post(
        _offering_url(offering, "frontend:offering-enrol"), {"resident": stranger_child.pk}
    )
    assert refused.status_code == 404
    assert not Enrolment.objects.filter(resident=stranger_child).exists()


def test_a_senior_enrols_in_a_seniors_course(teacher, signed_in_page):
    senior = SeniorFactory(language="en")
    offering = OfferingFactory(course=CourseFactory(owner=teacher, audience=Audience.SENIORS))
    response = signed_in_page(senior).post(
        _offering_url(offering, "frontend:offering-enrol"), follow=True
    )
    assert "You are enrolled." in _page(response)


# --- After the course: survey, my courses ------------------------------------------------------


def test_the_survey_appears_after_the_end_and_is_answered_once(offering, hanako, signed_in_page):
    services.enrolment_create(actor=hanako, offering_id=offering.pk)
    client = signed_in_page(hanako)
    assert "How was it?" not in _page(client.get(_offering_url(offering)))
    _end_in_the_past(offering)

    page = _page(client.get(_offering_url(offering)))
    assert "How was it?" in page
    assert 'type="radio"' in page

    missing = client.post(_offering_url(offering, "frontend:offering-survey"), {"comment": "hm"})
    assert missing.status_code == 400
    assert "Choose a rating from 1 to 5." in _page(missing)

    done = client.post(
        _offering_url(offering, "frontend:offering-survey"),
        {"rating": "5", "comment": "Lovely brushes"},
        follow=True,
    )
    assert "Thank you for your answer!" in _page(done)
    assert "Thank you: you have answered the survey." in _page(done)
    assert SurveyResponse.objects.get().rating == 5

    again = client.post(_offering_url(offering, "frontend:offering-survey"), {"rating": "4"})
    assert again.status_code == 409
    assert "You have already answered." in _page(again)


def test_my_courses_lists_enrolments_positions_sessions_and_completions(
    offering, hanako, taro, signed_in_page
):
    services.enrolment_create(actor=taro, offering_id=offering.pk)
    services.enrolment_create(actor=hanako, offering_id=offering.pk)
    ended = OfferingFactory(course=CourseFactory(title="Pottery"))
    services.enrolment_create(actor=hanako, offering_id=ended.pk)
    Completion.objects.create(offering=ended, resident=hanako, sessions_attended=1, sessions_held=1)

    response = signed_in_page(hanako).get(reverse("frontend:my-courses"))

    page = _page(response)
    assert response.status_code == 200
    assert "Waiting list: number 1" in page
    assert "Calligraphy for beginners" in page
    assert "Pottery" in page.split('id="completions-heading"')[1]
    assert "1 of 1 sessions" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_guardian_sees_their_childs_courses(teacher, signed_in_page):
    guardian = _resident("保護 者")
    child = ChildFactory(given_name="ゆき")
    GuardianLinkFactory(guardian=guardian, child=child)
    offering = OfferingFactory(course=CourseFactory(owner=teacher, title="Kids' drawing"))
    services.enrolment_create(actor=guardian, offering_id=offering.pk, resident_id=child.pk)

    page = _page(signed_in_page(guardian).get(reverse("frontend:my-courses")))
    assert "Kids&#x27; drawing" in page
    assert "For ゆき" in page


def test_the_private_calendar_address_is_shown_once_and_can_be_turned_off(hanako, signed_in_page):
    client = signed_in_page(hanako)

    response = client.post(reverse("frontend:calendar-feed-renew"))

    url = response.context["calendar_url"]
    assert url.startswith("http://testserver/calendar/")
    assert url.endswith(".ics")
    token = url.removeprefix("http://testserver/calendar/").removesuffix(".ics")
    assert services.calendar_feed_owner(token=token) == hanako
    assert response["Cache-Control"].startswith("max-age=0")
    assert url not in _page(client.get(reverse("frontend:my-courses")))

    client.post(reverse("frontend:calendar-feed-revoke"))
    assert services.calendar_feed_owner(token=token) is None


# --- Teaching ---------------------------------------------------------------------------------


APPLICATION = {
    "display_name": "陶芸 好子",
    "name_kana": "とうげい よしこ",
    "profile": "器を作って二十年。",
    "skills": "陶芸",
    "teaching_wishes": "はじめての陶芸",
}


def test_applying_to_teach_then_waiting_for_review(hanako, signed_in_page):
    client = signed_in_page(hanako)
    form = client.get(reverse("frontend:teach"))
    assert 'enctype="multipart/form-data"' in _page(form)

    empty = client.post(reverse("frontend:teach-apply"), {})
    assert empty.status_code == 400
    assert "This field is required." in _page(empty)

    response = client.post(reverse("frontend:teach-apply"), APPLICATION, follow=True)
    assert "Your application is waiting for review." in _page(response)
    assert Lecturer.objects.get(resident=hanako).status == Lecturer.Status.PENDING


def test_a_broken_photo_is_refused_next_to_its_field(hanako, signed_in_page):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("me.jpg", b"not a picture", content_type="image/jpeg")
    response = signed_in_page(hanako).post(
        reverse("frontend:teach-apply"), {**APPLICATION, "photo": photo}
    )
    assert response.status_code == 400
    assert 'id="id_photo_error"' in _page(response)
    assert not Lecturer.objects.exists()


def test_a_declined_applicant_sees_the_reason_and_may_apply_again(hanako, signed_in_page):
    LecturerFactory(
        resident=hanako, status=Lecturer.Status.DECLINED, decline_reason="Please add your skills"
    )
    page = _page(signed_in_page(hanako).get(reverse("frontend:teach")))
    assert "Please add your skills" in page
    assert "Send my application" in page


def test_staff_approve_decline_and_vet_through_the_queue(signed_in_page):
    staff = make_city_staff(language="en")
    first = LecturerFactory(status=Lecturer.Status.PENDING, display_name="一番 さん")
    second = LecturerFactory(
        status=Lecturer.Status.PENDING, display_name="二番 さん", wants_to_teach_children=True
    )
    client = signed_in_page(staff)

    page = _page(client.get(reverse("frontend:staff-lecturers")))
    assert "一番 さん" in page
    assert "Wants to teach children" in page
    assert f'href="{reverse("frontend:staff-lecturers")}"' in _page(
        client.get(reverse("frontend:staff-home"))
    )

    decide = reverse("frontend:staff-lecturer-decide", kwargs={"lecturer_id": first.pk})
    no_reason = client.post(decide, {"decision": "decline"})
    assert no_reason.status_code == 400
    assert "Please give the reason for declining." in _page(no_reason)

    client.post(decide, {"decision": "decline", f"decline-{first.pk}-reason": "No skills given"})
    first.refresh_from_db()
    assert (first.status, first.decline_reason) == ("declined", "No skills given")

    vet = reverse("frontend:staff-lecturer-vetting", kwargs={"lecturer_id": second.pk})
    today = timezone.localdate()
    wrong = client.post(
        vet,
        {
            f"vetting-{second.pk}-checked_on": today.isoformat(),
            f"vetting-{second.pk}-expires_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert wrong.status_code == 400
    assert "The vetting must end after the day it was checked." in _page(wrong)
    client.post(
        vet,
        {
            f"vetting-{second.pk}-checked_on": today.isoformat(),
            f"vetting-{second.pk}-expires_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert VettingRecord.objects.filter(resident=second.resident).count() == 1

    client.post(
        reverse("frontend:staff-lecturer-decide", kwargs={"lecturer_id": second.pk}),
        {"decision": "approve"},
    )
    second.refresh_from_db()
    assert second.status == Lecturer.Status.APPROVED
    page = _page(client.get(reverse("frontend:staff-lecturers")))
    assert "No applications are waiting." in page
    assert "二番 さん" in page.split('id="children-heading"')[1]


def test_a_lecturer_makes_a_course_an_offering_and_its_sessions_in_tokyo_time(
    teacher, signed_in_page
):
    district = DistrictFactory(slug="chuo", name="Chuo")
    client = signed_in_page(teacher.resident)
    assert "Your offerings" in _page(client.get(reverse("frontend:teach")))

    response = client.post(
        reverse("frontend:teach-course-new"),
        {
            "title": "Haiku walk",
            "title_kana": "はいくさんぽ",
            "description": "Walk and write.",
            "category": "arts",
            "level": "beginner",
            "audience": "adults",
            "language": "ja",
        },
    )
    course = Course.objects.get(title="Haiku walk")
    assert response["Location"].endswith(f"?course={course.pk}")

    form = client.get(response["Location"])
    assert f'<option value="{course.pk}" selected>' in _page(form)
    response = client.post(
        reverse("frontend:teach-offering-new"),
        {
            "course": course.pk,
            "term": "Spring",
            "venue": "Library",
            "district": "chuo",
            "capacity": "10",
            "fee_yen": "0",
            "enrolment_opens_at": "2031-03-01T09:00",
            "enrolment_closes_at": "2031-03-31T17:00",
            "completion_percent": "80",
        },
    )
    offering = Offering.objects.get(course=course)
    assert response["Location"] == _offering_url(offering, "frontend:teach-offering")
    assert offering.status == Offering.Status.DRAFT
    assert offering.district == district
    assert offering.enrolment_opens_at == datetime(2031, 3, 1, 9, 0, tzinfo=TOKYO)

    not_yet = client.post(_offering_url(offering, "frontend:teach-offering-publish"))
    assert not_yet.status_code == 400
    assert "Add at least one session before publishing." in _page(not_yet)

    add = _offering_url(offering, "frontend:teach-session-add")
    backwards = client.post(
        add, {"new-starts_at": "2031-04-01T10:00", "new-ends_at": "2031-04-01T09:00"}
    )
    assert backwards.status_code == 400
    assert "A session must end after it starts." in _page(backwards)
    client.post(add, {"new-starts_at": "2031-04-01T10:00", "new-ends_at": "2031-04-01T12:00"})
    session = offering.sessions.get()
    assert session.starts_at == datetime(2031, 4, 1, 10, 0, tzinfo=TOKYO)

    manage = _page(client.get(_offering_url(offering, "frontend:teach-offering")))
    assert 'value="2031-04-01T10:00"' in manage  # shown back in Tokyo time

    client.post(
        _offering_url(offering, "frontend:teach-session-move", session_id=session.pk),
        {
            f"session-{session.pk}-starts_at": "2031-04-08T13:00",
            f"session-{session.pk}-ends_at": "2031-04-08T15:00",
        },
    )
    session.refresh_from_db()
    assert session.starts_at == datetime(2031, 4, 8, 13, 0, tzinfo=TOKYO)

    client.post(_offering_url(offering, "frontend:teach-offering-publish"))
    offering.refresh_from_db()
    assert offering.status == Offering.Status.PUBLISHED

    response = client.post(
        _offering_url(offering, "frontend:teach-offering-copy"),
        {"shift_days": "91", "term": "Summer"},
    )
    copy = Offering.objects.exclude(pk=offering.pk).get()
    assert response["Location"] == _offering_url(copy, "frontend:teach-offering")
    assert (copy.status, copy.term) == (Offering.Status.DRAFT, "Summer")
    assert copy.sessions.get().starts_at == datetime(2031, 7, 8, 13, 0, tzinfo=TOKYO)

    unconfirmed = client.post(_offering_url(offering, "frontend:teach-offering-cancel"))
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in _page(unconfirmed)
    client.post(_offering_url(offering, "frontend:teach-offering-cancel"), {"confirm": "on"})
    offering.refresh_from_db()
    assert offering.status == Offering.Status.CANCELLED


def test_editing_an_offering_shows_the_services_refusal_by_the_field(
    offering, hanako, signed_in_page
):
    services.enrolment_create(actor=hanako, offering_id=offering.pk)
    client = signed_in_page(offering.course.owner.resident)
    data = {
        "venue": "Hall",
        "district": offering.district.slug,
        "capacity": "1",
        "fee_yen": "0",
        "enrolment_opens_at": "2030-01-01T09:00",
        "enrolment_closes_at": "2030-01-02T09:00",
        "completion_percent": "80",
    }
    bad = client.post(
        _offering_url(offering, "frontend:teach-offering"),
        {**data, "enrolment_closes_at": "2029-12-31T09:00"},
    )
    assert bad.status_code == 400
    assert "Enrolment must close after it opens." in _page(bad)

    client.post(_offering_url(offering, "frontend:teach-offering"), data)
    offering.refresh_from_db()
    assert (offering.venue, offering.fee_yen) == ("Hall", 0)


def test_a_pending_lecturer_is_sent_back_from_the_course_form(hanako, signed_in_page):
    LecturerFactory(resident=hanako, status=Lecturer.Status.PENDING)
    response = signed_in_page(hanako).get(reverse("frontend:teach-course-new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:teach")


def test_the_roster_marks_attendance_without_undoing_card_taps(
    offering, hanako, taro, signed_in_page
):
    services.enrolment_create(actor=hanako, offering_id=offering.pk)
    services.enrolment_create(actor=taro, offering_id=offering.pk)  # waiting
    session = offering.sessions.get()
    client = signed_in_page(offering.course.owner.resident)
    attendance = _offering_url(offering, "frontend:teach-attendance")

    # Before the session begins, the roster offers no boxes and the service refuses a post.
    page = _page(client.get(_offering_url(offering, "frontend:teach-roster")))
    assert "Save attendance" not in page
    assert "Attendance can be taken from 30 minutes before the session starts." in page
    early = client.post(attendance, {"session": session.pk, "present": [hanako.pk]}, follow=True)
    assert "This session has not started yet." in _page(early)
    assert not Attendance.objects.exists()
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1))

    page = _page(client.get(_offering_url(offering, "frontend:teach-roster")))
    assert "山田 花子" in page
    assert "佐藤 太郎" in page.split('id="waiting-heading"')[1]

    client.post(attendance, {"session": session.pk, "present": [hanako.pk]})
    assert Attendance.objects.filter(session=session, resident=hanako).exists()

    # Hanako was shown present; a stale form that never showed her leaves her be.
    client.post(attendance, {"session": session.pk})
    assert Attendance.objects.filter(session=session, resident=hanako).exists()
    client.post(attendance, {"session": session.pk, "shown": [hanako.pk]})
    assert not Attendance.objects.filter(session=session, resident=hanako).exists()

    # Someone not enrolled (the waiting Taro) cannot be marked.
    response = client.post(attendance, {"session": session.pk, "present": [taro.pk]}, follow=True)
    assert "This resident is not enrolled." in _page(response)


def test_pending_applications_are_answered_on_the_roster(teacher, hanako, signed_in_page):
    offering = OfferingFactory(course=CourseFactory(owner=teacher), requires_approval=True)
    enrolment = services.enrolment_create(actor=hanako, offering_id=offering.pk)
    client = signed_in_page(teacher.resident)
    assert "Applications to answer" in _page(
        client.get(_offering_url(offering, "frontend:teach-roster"))
    )

    response = client.post(
        _offering_url(offering, "frontend:teach-enrolment-decide", enrolment_id=enrolment.pk),
        {"decision": "approve"},
        follow=True,
    )
    assert "山田 花子 is enrolled." in _page(response)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_completions_and_feedback_after_the_end(teacher, signed_in_page):
    offering = OfferingFactory(course=CourseFactory(owner=teacher), capacity=5)
    learners = [_resident(f"受講 {n}") for n in range(3)]
    for learner in learners:
        services.enrolment_create(actor=learner, offering_id=offering.pk)
    session = offering.sessions.get()
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    services.attendance_set(
        actor=teacher.resident, session_id=session.pk, resident_id=learners[0].pk, present=True
    )
    client = signed_in_page(teacher.resident)

    early = client.post(_offering_url(offering, "frontend:teach-completions"), follow=True)
    assert "The offering has not ended yet." in _page(early)

    _end_in_the_past(offering)
    response = client.post(_offering_url(offering, "frontend:teach-completions"), follow=True)
    assert "1 completed the course" in _page(response)
    assert Completion.objects.get().resident == learners[0]

    services.survey_answer(resident=learners[0], offering_id=offering.pk, rating=5)
    services.survey_answer(resident=learners[1], offering_id=offering.pk, rating=3)
    withheld = _page(client.get(_offering_url(offering, "frontend:teach-roster")))
    assert "2 learners have answered so far." in withheld
    assert "at least 3 people" in withheld

    services.survey_answer(
        resident=learners[2], offering_id=offering.pk, rating=4, comment="Very kind"
    )
    shown = _page(client.get(_offering_url(offering, "frontend:teach-roster")))
    assert "Average rating 4.0 of 5, from 3 answers." in shown
    assert "Very kind" in shown
    for learner in learners:
        assert learner.name not in shown.split('id="feedback-heading"')[1]
