"""Learner circles in a real browser, with an axe-core check of each page: finding a circle with a
filter, starting one, joining one (with its live chat, through Daphne), accepting an invitation
on "My circles", approving a request on the members page, and the city staff's figure of course
circles that live on."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from communities import services
from communities.models import Circle, CircleEvent, CircleMember
from courses import services as courses
from courses.models import Audience
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN, sign_in
from tests.communities.factories import make_circle
from tests.courses.factories import OfferingFactory
from tests.factories import CardFactory, DistrictFactory, ResidentFactory, make_city_staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SECOND_CARD, SECOND_PIN = "CIRCLECARD02", "2222"
STAFF_CARD, STAFF_PIN = "STAFFCARD001", "1357"


def _person(new_context, site: str, card: str, pin: str) -> Page:
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    sign_in(page, site, card, pin)
    return page


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name=name, exact=True
    ).click()


@pytest.fixture
def second():
    card = CardFactory(
        card_id=SECOND_CARD,
        pin=SECOND_PIN,
        resident=ResidentFactory(name="佐藤 次郎", language="en"),
    )
    return card.resident


@pytest.fixture
def chuo():
    return DistrictFactory(slug="chuo", name="Chuo")


@pytest.fixture
def circles(resident, chuo):
    """An open circle about arts in Chuo and a moderated one about languages elsewhere, both
    organised by ``resident``."""
    return (
        make_circle(
            organiser=resident,
            name="Calligraphy friends",
            name_kana="しょどう",
            district_id=chuo.pk,
        ),
        make_circle(
            organiser=resident,
            name="Haiku evenings",
            name_kana="はいく",
            district_id=DistrictFactory(slug="kita", name="Kita").pk,
            visibility=Circle.Visibility.MODERATED,
            topics=["languages"],
        ),
    )


def test_finding_a_circle_with_a_filter(new_context, site, second, circles, assert_accessible):
    page = _person(new_context, site, SECOND_CARD, SECOND_PIN)
    _menu(page, "Circles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a circle")
    expect(page.get_by_role("heading", name="2 circles")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("More choices: topic, place, how active").click()
    page.get_by_label("Topic").select_option("languages")
    page.get_by_label("Met or talked").select_option("90")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="0 circles")).to_be_visible()
    expect(page.get_by_text("No circle matches these choices.")).to_be_visible()

    # Nothing matched: the choices are folded away under the count; open them to change one.
    page.get_by_text("More choices: topic, place, how active").click()
    page.get_by_label("Met or talked").select_option("")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 circle", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Haiku evenings")).to_be_visible()
    expect(page.get_by_role("link", name="Calligraphy friends")).to_have_count(0)
    assert_accessible(page)


def test_starting_a_circle(new_context, site, resident, chuo, assert_accessible):
    page = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    _menu(page, "Circles")
    page.get_by_role("link", name="Start a circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a circle")
    assert_accessible(page)

    page.get_by_role("button", name="Start the circle").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one topic.")
    assert_accessible(page)

    page.get_by_label("Name of the circle").fill("Morning walkers")
    page.get_by_label("Reading of the name (kana)").fill("あさのさんぽ")
    page.get_by_label("Description").fill("We walk by the river on Saturdays.")
    page.get_by_label("Home district").select_option(label="Chuo")
    page.get_by_label("Moderated: organisers approve each request").check()
    page.get_by_label("Health and exercise").check()
    page.get_by_role("button", name="Start the circle").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Morning walkers")
    expect(page.get_by_text("You organise this circle.")).to_be_visible()
    assert_accessible(page)
    circle = Circle.objects.get(name="Morning walkers")
    assert circle.visibility == Circle.Visibility.MODERATED
    assert CircleMember.objects.get(circle=circle).resident == resident


def test_joining_a_circle_opens_its_live_chat(
    asgi_live_server, new_context, second, circles, assert_accessible
):
    site = asgi_live_server.url
    open_circle = circles[0]
    page = _person(new_context, site, SECOND_CARD, SECOND_PIN)
    page.goto(f"{site}/circles/{open_circle.pk}/")
    expect(page.get_by_text("Anyone may join this circle.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Join the circle").click()
    expect(page.get_by_text("Welcome! You are a member of “Calligraphy friends”.")).to_be_visible()
    expect(page.get_by_text("Live: new messages appear by themselves.")).to_be_visible()
    expect(page.get_by_role("link", name="Discussions")).to_be_visible()
    assert_accessible(page)
    assert CircleMember.objects.get(circle=open_circle, resident=second).is_active


def test_a_learner_talks_in_the_cohorts_one_room_from_the_course_page(
    asgi_live_server, new_context, resident, assert_accessible
):
    """The course's chat is its circle's room: on the course page, on the circle's page and
    once in "My messages" (issue #10 §4: the course used to be listed twice)."""
    site = asgi_live_server.url
    offering = OfferingFactory(
        course__title="Morning tai chi", course__audience=Audience.ADULTS, term="Spring"
    )
    courses.enrolment_create(actor=resident, offering_id=offering.pk)  # the circle hears of it
    circle = Circle.objects.get(offering=offering)

    page = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    page.goto(f"{site}/courses/offerings/{offering.pk}/")
    expect(page.get_by_role("heading", name="The course circle")).to_be_visible()
    expect(page.locator("[data-chat-connection]")).to_have_text(
        "Live: new messages appear by themselves."
    )
    assert_accessible(page)
    box = page.get_by_label("Your message")
    box.fill("See you on Saturday!")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(box).to_have_value("")
    expect(page.locator(".chat-log .chat-message__body")).to_have_text(["See you on Saturday!"])

    page.get_by_role("link", name=f"Go to the circle “{circle.name}”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(circle.name)
    expect(page.locator(".chat-log .chat-message__body")).to_have_text(["See you on Saturday!"])

    _menu(page, "Messages")
    expect(page.get_by_role("link", name=circle.name, exact=True)).to_have_count(1)
    expect(page.get_by_text("Morning tai chi")).to_have_count(1)
    assert_accessible(page)


def test_accepting_an_invitation_on_my_circles(
    new_context, site, resident, second, chuo, assert_accessible
):
    hidden = make_circle(
        organiser=resident,
        name="Secret garden club",
        district_id=chuo.pk,
        visibility=Circle.Visibility.INVITE_ONLY,
    )
    services.circle_invite(actor=resident, circle_id=hidden.pk, resident_id=second.pk)

    page = _person(new_context, site, SECOND_CARD, SECOND_PIN)
    _menu(page, "Circles")
    page.get_by_role("link", name="My circles").first.click()
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    expect(page.get_by_text("Invited by 山田 花子")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Accept the invitation to Secret garden club").click()
    expect(page.get_by_text("Welcome! You are a member of “Secret garden club”.")).to_be_visible()
    expect(page.get_by_role("heading", name="Invitations")).to_have_count(0)
    expect(page.get_by_role("link", name="Secret garden club")).to_be_visible()
    assert_accessible(page)


def test_approving_a_request_on_the_members_page(
    new_context, site, resident, second, circles, assert_accessible
):
    moderated = circles[1]
    services.circle_join(actor=second, circle_id=moderated.pk)

    page = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    page.goto(f"{site}/circles/{moderated.pk}/")
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Asking to join")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Approve 佐藤 次郎").click()
    expect(page.get_by_text("佐藤 次郎 is a member now, and is told.")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting for an answer.")).to_be_visible()
    expect(page.get_by_role("heading", name="2 members")).to_be_visible()
    assert_accessible(page)
    assert CircleMember.objects.get(circle=moderated, resident=second).is_active


def test_the_staff_figure_of_course_circles_that_live_on(new_context, site, assert_accessible):
    staff = make_city_staff(name="市役所 職員", given_name="職員", language="en")
    CardFactory(resident=staff, card_id=STAFF_CARD, pin=STAFF_PIN)
    lively, quiet = OfferingFactory(), OfferingFactory()
    ended = timezone.now() - timedelta(weeks=20)
    for offering in (lively, quiet):
        services.circle_for_offering(offering_id=offering.pk)
        type(offering).objects.filter(pk=offering.pk).update(last_session_ends_at=ended)
    CircleEvent.objects.create(
        circle=Circle.objects.get(offering=lively),
        title="Reunion",
        place="Cafe",
        starts_at=timezone.now() - timedelta(weeks=2),
        ends_at=timezone.now() - timedelta(weeks=2) + timedelta(hours=2),
    )

    page = _person(new_context, site, STAFF_CARD, STAFF_PIN)
    _menu(page, "City staff")
    page.get_by_role("link", name="Do circles born from courses live on?").click()
    expect(page.get_by_role("heading", name="8 weeks after the course")).to_be_visible()
    expect(page.get_by_text("50%")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Weeks after the course ended").fill("19")
    page.get_by_role("button", name="Count").click()
    expect(page.get_by_role("heading", name="19 weeks after the course")).to_be_visible()
    expect(page.get_by_text("0%", exact=True)).to_be_visible()
    assert_accessible(page)
