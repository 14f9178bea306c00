"""The course life in a real browser, from "I want to teach" to the survey: a resident applies to
teach, city staff approve, the lecturer makes a course and an offering with two sessions and
publishes it, one resident enrols, another waits in line and is promoted when the first cancels,
the lecturer takes attendance, records completions, and the participant answers the survey —
with an axe-core check of each page on the way."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from courses.models import Audience, Course, Offering, Session
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN, sign_in
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import (
    CardFactory,
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    ResidentFactory,
    make_city_staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

STAFF_CARD, STAFF_PIN = "STAFFCARD001", "1357"
SECOND_CARD, SECOND_PIN = "LEARNCARD002", "2222"
THIRD_CARD, THIRD_PIN = "LEARNCARD003", "3333"
PHONE = {"width": 390, "height": 844}


def _city_time(moment) -> str:
    """A moment as a ``datetime-local`` input wants it, in Tokyo time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _person(new_context, site: str, card: str, pin: str) -> Page:
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    sign_in(page, site, card, pin)
    return page


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name=name, exact=True
    ).click()


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "me.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def staff():
    staff = make_city_staff(name="市役所 職員", given_name="職員", language="en")
    CardFactory(resident=staff, card_id=STAFF_CARD, pin=STAFF_PIN)
    return staff


@pytest.fixture
def second():
    card = CardFactory(
        card_id=SECOND_CARD,
        pin=SECOND_PIN,
        resident=ResidentFactory(name="佐藤 次郎", language="en"),
    )
    return card.resident


@pytest.fixture
def third():
    card = CardFactory(
        card_id=THIRD_CARD, pin=THIRD_PIN, resident=ResidentFactory(name="鈴木 三郎", language="en")
    )
    return card.resident


def test_the_whole_course_story(
    new_context, site, resident, staff, second, third, assert_accessible, tmp_path
):
    DistrictFactory(slug="chuo", name="Chuo")

    # --- A resident applies to teach ---------------------------------------------------------
    lecturer = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    _menu(lecturer, "Teach")
    expect(lecturer.get_by_role("heading", level=1)).to_have_text("Teach a course")
    lecturer.get_by_label("Your name as a lecturer").fill("墨田 花子")
    lecturer.get_by_label("Reading of the name (kana)").fill("すみだ はなこ")
    lecturer.get_by_label("About you").fill("I have written with a brush for thirty years.")
    lecturer.get_by_label("Your skills").fill("Calligraphy")
    lecturer.get_by_label("What you want to teach").fill("Calligraphy for beginners")
    lecturer.get_by_label("Your photo").set_input_files(_photo(tmp_path))
    lecturer.get_by_role("button", name="Send my application").click()
    expect(lecturer.get_by_text("Your application is waiting for review.")).to_be_visible()

    # --- City staff approve ------------------------------------------------------------------
    office = _person(new_context, site, STAFF_CARD, STAFF_PIN)
    _menu(office, "City staff")
    office.get_by_role("link", name="Lecturer applications and vetting").click()
    expect(office.get_by_role("heading", name="墨田 花子")).to_be_visible()
    assert_accessible(office)
    office.get_by_role("button", name="Approve 墨田 花子").click()
    expect(office.get_by_text("墨田 花子 is approved as a lecturer and is told.")).to_be_visible()
    expect(office.get_by_text("No applications are waiting.")).to_be_visible()

    # --- The lecturer makes a course and an offering with two sessions, and publishes it -------
    lecturer.reload()
    expect(lecturer.get_by_role("heading", level=1)).to_have_text("Teaching")
    assert_accessible(lecturer)
    lecturer.get_by_role("link", name="Describe a new course").click()
    lecturer.get_by_label("Title", exact=True).fill("Calligraphy for beginners")
    lecturer.get_by_label("Reading of the title (kana)").fill("しょどうにゅうもん")
    lecturer.get_by_label("Description").fill("Hold the brush, then write your name.")
    lecturer.get_by_label("Subject").select_option("arts")
    lecturer.get_by_label("Level").select_option("beginner")
    lecturer.get_by_label("For", exact=True).select_option("adults")
    lecturer.get_by_role("button", name="Save the course").click()
    expect(lecturer.get_by_role("heading", level=1)).to_have_text("Make a new offering")
    course = Course.objects.get()
    expect(lecturer.get_by_label("Course", exact=True)).to_have_value(str(course.pk))

    now = timezone.now()
    lecturer.get_by_label("Term").fill("Spring")
    lecturer.get_by_label("Venue", exact=True).fill("Central community centre, room 2")
    lecturer.get_by_label("District of the venue").select_option("chuo")
    lecturer.get_by_label("Places", exact=True).fill("1")
    lecturer.get_by_label("Enrolment opens").fill(_city_time(now - timedelta(hours=1)))
    lecturer.get_by_label("Enrolment closes").fill(_city_time(now + timedelta(days=7)))
    lecturer.get_by_role("button", name="Save as a draft").click()
    expect(lecturer.get_by_text("The offering is saved as a draft.")).to_be_visible()

    add = lecturer.get_by_role("form", name="Add a session")
    for days in (10, 17):
        start = (now + timedelta(days=days)).replace(hour=1, minute=0)  # 10:00 in Tokyo
        add.get_by_label("Starts").fill(_city_time(start))
        add.get_by_label("Ends").fill(_city_time(start + timedelta(hours=2)))
        add.get_by_role("button", name="Add the session").click()
        expect(lecturer.get_by_text("The session is added.")).to_be_visible()
    expect(lecturer.get_by_role("button", name="Cancel this session")).to_have_count(2)
    lecturer.get_by_role("button", name="Publish the offering").click()
    expect(lecturer.get_by_text("The offering is published.")).to_be_visible()
    offering = Offering.objects.get()
    assert offering.sessions.count() == 2

    # --- A second resident enrols ----------------------------------------------------------
    learner = _person(new_context, site, SECOND_CARD, SECOND_PIN)
    _menu(learner, "Courses")
    expect(learner.get_by_text("1 place left")).to_be_visible()
    assert_accessible(learner)
    learner.get_by_label("Course or lecturer").fill("すみだ")
    learner.get_by_role("button", name="Search").click()
    learner.get_by_role("link", name="Calligraphy for beginners").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Calligraphy for beginners")
    learner.get_by_role("button", name="Enrol", exact=True).click()
    expect(learner.get_by_text("You are enrolled. See you there!")).to_be_visible()
    assert_accessible(learner)

    # --- A third lands on the waiting list ----------------------------------------------------
    waiting = _person(new_context, site, THIRD_CARD, THIRD_PIN)
    waiting.goto(f"{site}/courses/offerings/{offering.pk}/")
    waiting.get_by_role("button", name="Join the waiting list").click()
    expect(waiting.get_by_text("You are number 1 on the waiting list.").first).to_be_visible()

    # --- The second cancels; the third is promoted --------------------------------------------
    learner.get_by_role("button", name="Cancel my place").click()
    expect(learner.get_by_text("Your place is cancelled.")).to_be_visible()
    _menu(waiting, "My courses")
    expect(waiting.get_by_text("Enrolled", exact=True)).to_be_visible()
    assert_accessible(waiting)

    # --- The lecturer marks attendance on the roster ----------------------------------------
    _menu(lecturer, "Teach")
    lecturer.get_by_role("link", name="Roster Calligraphy for beginners").click()
    expect(lecturer.get_by_role("heading", level=1)).to_contain_text("Roster")
    assert_accessible(lecturer)
    # Before a session begins nobody can have come: the roster offers no boxes yet.
    expect(lecturer.get_by_role("button", name="Save attendance")).to_have_count(0)
    expect(
        lecturer.get_by_text("Attendance can be taken from 30 minutes before the session starts.")
    ).to_have_count(2)
    # Time passes: the sessions move into the past.
    for session in offering.sessions.all():
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - timedelta(days=30),
            ends_at=session.ends_at - timedelta(days=30),
        )
    Offering.objects.filter(pk=offering.pk).update(
        first_session_at=offering.first_session_at - timedelta(days=30),
        last_session_ends_at=offering.last_session_ends_at - timedelta(days=30),
    )
    lecturer.reload()
    for session in offering.sessions.order_by("starts_at"):
        column = lecturer.locator(f"#session-{session.pk}")
        column.get_by_label("鈴木 三郎").check()
        column.get_by_role("button", name="Save attendance").click()
        expect(lecturer.get_by_text("The attendance is saved.")).to_be_visible()
        expect(lecturer.locator(f"#session-{session.pk}").get_by_label("鈴木 三郎")).to_be_checked()

    # --- Completions, the survey -------------------------------------------------------------
    lecturer.reload()
    lecturer.get_by_role("button", name="Record completions now").click()
    expect(
        lecturer.get_by_text("The completions are recorded: 1 completed the course.")
    ).to_be_visible()
    completed = lecturer.locator("li.card").filter(has=lecturer.get_by_label("Grade 鈴木 三郎"))
    expect(completed.get_by_text("2 of 2 sessions")).to_be_visible()
    # The lecturer's grade, which a university reads when the learner applies for credit.
    lecturer.get_by_label("Grade 鈴木 三郎").fill("合格")
    lecturer.get_by_role("button", name="Save the grade 鈴木 三郎").click()
    expect(lecturer.get_by_text("The grade of 鈴木 三郎 is saved.")).to_be_visible()
    expect(lecturer.get_by_label("Grade 鈴木 三郎")).to_have_value("合格")
    assert_accessible(lecturer)

    waiting.goto(f"{site}/courses/offerings/{offering.pk}/")
    expect(waiting.get_by_text("You completed this course. Well done!")).to_be_visible()
    waiting.get_by_label("5 — very good").check()
    waiting.get_by_label("Anything you want to tell the lecturer").fill("Thank you, sensei!")
    waiting.get_by_role("button", name="Send my answer").click()
    expect(waiting.get_by_text("Thank you for your answer!")).to_be_visible()
    expect(waiting.get_by_text("Thank you: you have answered the survey.")).to_be_visible()

    lecturer.reload()
    expect(lecturer.get_by_text("1 learner has answered so far.")).to_be_visible()

    # --- Afterwards the pages say only what is so ----------------------------------------------
    waiting.goto(f"{site}/courses/offerings/{offering.pk}/")
    expect(waiting.get_by_text("place left")).to_have_count(0)
    expect(waiting.get_by_text("You are enrolled.")).to_have_count(0)
    expect(waiting.get_by_text("This course has ended.")).to_have_count(0)
    _menu(waiting, "My courses")
    expect(waiting.get_by_role("link", name="Calligraphy for beginners")).to_have_count(1)
    last_day = date_filter(
        timezone.localtime(Offering.objects.get().last_session_ends_at), "DATE_FORMAT"
    )
    expect(waiting.get_by_text(f"completed on {last_day}")).to_be_visible()
    assert_accessible(waiting)
    _menu(lecturer, "Teach")
    expect(lecturer.get_by_text("Ended", exact=True)).to_be_visible()
    expect(lecturer.get_by_text("Published", exact=True)).to_have_count(0)


def test_the_catalogue_fits_a_phone(new_context, site):
    lecturer = LecturerFactory(display_name="墨田 一郎", name_kana="すみだ いちろう")
    for title, fee, credit in (
        ("Calligraphy for beginners", 0, False),
        ("Smartphone basics for seniors: photos, maps and video calls", 1500, True),
        ("Local history walk", 500, False),
    ):
        OfferingFactory(
            course=CourseFactory(owner=lecturer, title=title), fee_yen=fee, bears_credit=credit
        )
    page = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True).new_page()

    page.goto(f"{site}/courses/")

    expect(page.get_by_role("link", name="Local history walk")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    search = page.get_by_role("button", name="Search")
    assert search.bounding_box()["height"] >= 44
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/catalogue-phone.png", full_page=True)


def test_each_resident_is_offered_only_what_the_service_would_take(
    new_context, site, resident, assert_accessible
):
    """A guardian sees only the child's button on a children's course, an adult no waiting
    list on a full seniors' course, a child no adults' or seniors' courses, and nobody signed
    in is asked to sign in."""
    child = ChildFactory(given_name="ゆき", language="en")
    CardFactory(resident=child, card_id=SECOND_CARD, pin=SECOND_PIN)
    GuardianLinkFactory(guardian=resident, child=child)
    lecturer = LecturerFactory()
    for title, audience, capacity in (
        ("Paper craft for children", Audience.CHILDREN, 3),
        ("Smartphones for seniors", Audience.SENIORS, 0),
        ("Wine tasting", Audience.ADULTS, 3),
    ):
        OfferingFactory(
            course=CourseFactory(owner=lecturer, title=title, audience=audience),
            capacity=capacity,
        )

    guardian = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    _menu(guardian, "Courses")
    expect(guardian.get_by_text("sign in to enrol")).to_have_count(0)
    guardian.get_by_role("link", name="Paper craft for children").click()
    expect(guardian.get_by_role("button", name="Enrol")).to_have_count(1)
    expect(guardian.get_by_role("button", name="Enrol ゆき")).to_be_visible()
    assert_accessible(guardian)
    guardian.get_by_role("button", name="Enrol ゆき").click()
    expect(guardian.get_by_text("ゆき is enrolled.").first).to_be_visible()

    _menu(guardian, "Courses")
    guardian.get_by_role("link", name="Smartphones for seniors").click()
    expect(guardian.get_by_role("button", name="Join the waiting list")).to_have_count(0)

    young = _person(new_context, site, SECOND_CARD, SECOND_PIN)
    _menu(young, "Courses")
    expect(young.get_by_role("link", name="Paper craft for children")).to_be_visible()
    expect(young.get_by_role("link", name="Wine tasting")).to_have_count(0)
    expect(young.get_by_role("link", name="Smartphones for seniors")).to_have_count(0)
    assert_accessible(young)
