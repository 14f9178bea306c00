"""Who is offered what in a circle for children, in a real browser, with an axe-core check of
each page: the circle and members pages render ``circle_abilities``, so nobody sees a button
that the service would refuse.  A guardian reading along is offered no post form, a child no
way to join or start a circle by themselves, a plain member no control over others, an adult
whose vetting ran out no moderator role — and the organiser every control that is theirs."""

import pytest
from playwright.sync_api import Page, expect

from communities import services
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN, sign_in
from tests.communities.builders import expire_vetting
from tests.communities.factories import make_circle
from tests.factories import (
    CardFactory,
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

MEMBER_CARD, MEMBER_PIN = "CIRCLECARD02", "2222"
GUARDIAN_CARD, GUARDIAN_PIN = "CIRCLECARD03", "3333"
CHILD_CARD, CHILD_PIN = "CIRCLECARD04", "4444"


def _person(new_context, site: str, card: str, pin: str) -> Page:
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    sign_in(page, site, card, pin)
    return page


def _card(card_id: str, pin: str, resident):
    return CardFactory(card_id=card_id, pin=pin, resident=resident).resident


@pytest.fixture
def town(resident):
    """A circle for children organised by ``resident`` (vetted), with a vetted member, a member
    whose vetting ran out since, and a child joined by her guardian."""
    VettingRecordFactory(resident=resident)
    circle = make_circle(organiser=resident, name="Young readers", for_children=True)
    member = _card(MEMBER_CARD, MEMBER_PIN, ResidentFactory(name="佐藤 次郎", language="en"))
    lapsed = ResidentFactory(name="鈴木 三郎", language="en")
    for adult in (member, lapsed):
        VettingRecordFactory(resident=adult)
        services.circle_join(actor=adult, circle_id=circle.pk)
        services.circle_request_decide(
            actor=resident, circle_id=circle.pk, resident_id=adult.pk, approve=True
        )
    expire_vetting(lapsed)
    guardian = _card(GUARDIAN_CARD, GUARDIAN_PIN, ResidentFactory(name="田中 母", language="en"))
    child = _card(
        CHILD_CARD, CHILD_PIN, ChildFactory(name="田中 ゆき", given_name="ゆき", language="en")
    )
    GuardianLinkFactory(guardian=guardian, child=child)
    services.circle_join(actor=guardian, circle_id=circle.pk, resident_id=child.pk)
    return circle


def test_a_guardian_reads_along_but_is_offered_no_post_form_nor_a_join_button(
    new_context, site, town, assert_accessible
):
    page = _person(new_context, site, GUARDIAN_CARD, GUARDIAN_PIN)
    page.goto(f"{site}/circles/{town.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Young readers")
    expect(page.get_by_text("ゆき: member")).to_be_visible()
    expect(page.get_by_role("button", name="Take out of the circle ゆき")).to_be_visible()
    # Unvetted: the service would refuse the guardian's own request, so no button is offered.
    expect(page.get_by_role("button", name="Ask to join", exact=True)).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Discussions", exact=True).click()
    expect(page.get_by_text("You are reading as the guardian of a member.")).to_be_visible()
    expect(page.get_by_role("heading", name="Start a discussion")).to_have_count(0)
    expect(page.get_by_role("button", name="Start the discussion")).to_have_count(0)
    assert_accessible(page)


def test_a_child_is_offered_neither_joining_nor_starting_a_circle_nor_teaching(
    new_context, site, town, assert_accessible
):
    page = _person(new_context, site, CHILD_CARD, CHILD_PIN)
    page.goto(f"{site}/circles/")
    expect(page.get_by_role("link", name="Start a circle")).to_have_count(0)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Teach", exact=True)).to_have_count(0)
    assert_accessible(page)

    # A child may leave by herself (leaving only lessens her contact), but not come back alone.
    page.goto(f"{site}/circles/{town.pk}/")
    expect(page.get_by_text("You are a member of this circle.")).to_be_visible()
    page.get_by_role("button", name="Leave the circle").click()
    expect(page.get_by_text("You have left the circle.")).to_be_visible()
    page.goto(f"{site}/circles/{town.pk}/")
    expect(page.get_by_text("To join this circle, ask your guardian.")).to_be_visible()
    expect(page.get_by_role("button", name="Ask to join", exact=True)).to_have_count(0)
    assert_accessible(page)


def test_a_plain_member_sees_the_members_but_no_control_over_them(
    new_context, site, town, assert_accessible
):
    page = _person(new_context, site, MEMBER_CARD, MEMBER_PIN)
    page.goto(f"{site}/circles/{town.pk}/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members: Young readers")
    expect(page.get_by_text("ゆき", exact=True)).to_be_visible()
    expect(page.get_by_text("田中 ゆき")).to_have_count(0)  # a child: the given name only
    for button in ("Remove", "Ban", "Make moderator", "Make member"):
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    expect(page.get_by_role("heading", name="Asking to join")).to_have_count(0)
    expect(page.get_by_role("heading", name="Hand on the organiser role")).to_have_count(0)
    assert_accessible(page)


def test_the_organiser_is_offered_the_controls_the_services_take(
    new_context, site, town, assert_accessible
):
    page = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    page.goto(f"{site}/circles/{town.pk}/members/")
    expect(page.get_by_role("button", name="Remove 佐藤 次郎")).to_be_visible()
    expect(page.get_by_role("button", name="Ban 鈴木 三郎")).to_be_visible()
    # Only a vetted adult may moderate or organise where children are; a child never.
    expect(page.get_by_role("button", name="Make moderator 鈴木 三郎")).to_have_count(0)
    expect(page.get_by_role("button", name="Make moderator ゆき")).to_have_count(0)
    expect(page.get_by_label("New organiser").locator("option")).to_have_text(["—", "佐藤 次郎"])
    assert_accessible(page)

    page.get_by_role("button", name="Make moderator 佐藤 次郎").click()
    expect(page.get_by_text("佐藤 次郎 is a moderator now.")).to_be_visible()
    expect(page.get_by_role("button", name="Make member 佐藤 次郎")).to_be_visible()
    assert_accessible(page)
