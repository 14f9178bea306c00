"""What a circle does together, in a real browser: two members start a discussion and reply,
the organiser plans a meeting and both answer, and a member shares a link and uploads a
picture — with an axe-core check of each page on the way (no serious or critical finding)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from communities.models import CircleEvent, Resource, Rsvp, Thread
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN, sign_in
from tests.communities.factories import add_member, make_circle
from tests.factories import CardFactory, ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

MEMBER_CARD, MEMBER_PIN = "CIRCLECARD02", "2222"


def _city_time(moment) -> str:
    """A moment as a ``datetime-local`` input wants it, in Tokyo time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _person(new_context, site: str, card: str, pin: str) -> Page:
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    sign_in(page, site, card, pin)
    return page


def _picture(tmp_path: Path) -> Path:
    path = tmp_path / "our-table.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def circle(resident):
    """A circle organised by ``resident`` (who signs in with the default card)."""
    return make_circle(organiser=resident, name="Calligraphy friends")


@pytest.fixture
def member(circle):
    card = CardFactory(
        card_id=MEMBER_CARD,
        pin=MEMBER_PIN,
        resident=ResidentFactory(name="佐藤 次郎", language="en"),
    )
    return add_member(circle, card.resident)


def test_members_start_a_discussion_and_reply(new_context, site, circle, member, assert_accessible):
    author = _person(new_context, site, MEMBER_CARD, MEMBER_PIN)
    author.goto(f"{site}/circles/{circle.pk}/discussions/")
    expect(author.get_by_role("heading", level=1)).to_have_text("Discussions")
    expect(author.get_by_text("Nobody has started a discussion yet.")).to_be_visible()
    assert_accessible(author)

    # A form sent empty shows its errors, tied to the fields.
    author.get_by_role("button", name="Start the discussion").click()
    expect(author.get_by_role("alert")).to_be_visible()
    expect(author.get_by_label("Title", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(author)

    author.get_by_label("Title", exact=True).fill("Which brush for beginners?")
    author.get_by_label("Your text").fill("I have a soft one.\nIs that right?")
    author.get_by_role("button", name="Start the discussion").click()
    expect(author.get_by_text("Your discussion is started.")).to_be_visible()
    expect(author.get_by_role("heading", level=1)).to_have_text("Which brush for beginners?")
    assert_accessible(author)

    organiser = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    organiser.goto(f"{site}/circles/{circle.pk}/discussions/")
    organiser.get_by_role("link", name="Which brush for beginners?").click()
    expect(organiser.get_by_text("Is that right?")).to_be_visible()
    organiser.get_by_label("Your reply").fill("Yes! Soft is best to start.")
    organiser.get_by_role("button", name="Post the reply").click()
    expect(organiser.get_by_text("Your reply is posted.")).to_be_visible()
    expect(organiser.get_by_text("Yes! Soft is best to start.")).to_be_visible()
    expect(organiser.get_by_role("heading", name="1 reply")).to_be_visible()
    assert_accessible(organiser)

    thread = Thread.objects.get(circle=circle)
    assert (thread.author, thread.reply_count) == (member, 1)

    # The author edits their own post.
    author.reload()
    author.get_by_role("link", name="Edit the discussion").click()
    assert_accessible(author)
    author.get_by_label("Your text").fill("I have a soft one, size 3.")
    author.get_by_role("button", name="Save the changes").click()
    expect(author.get_by_text("(edited)")).to_be_visible()


def test_the_organiser_plans_a_meeting_and_members_answer(
    new_context, site, circle, member, assert_accessible
):
    organiser = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    organiser.goto(f"{site}/circles/{circle.pk}/events/")
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Meetings")
    assert_accessible(organiser)

    starts = (timezone.now() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    plan = organiser.get_by_role("form", name="Plan a meeting")
    plan.get_by_label("Title").fill("Writing in the park")
    plan.get_by_label("What you will do").fill("Bring paper and a brush.")
    plan.get_by_label("Place").fill("Central park, east gate")
    plan.get_by_label("Starts").fill(_city_time(starts))
    plan.get_by_label("Ends").fill(_city_time(starts + timedelta(hours=2)))
    plan.get_by_role("button", name="Plan the meeting").click()
    expect(organiser.get_by_text("The meeting is planned.")).to_be_visible()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Writing in the park")
    event = CircleEvent.objects.get(circle=circle)
    assert event.starts_at == starts

    organiser.get_by_label("I will come").check()
    organiser.get_by_role("button", name="Save the answer").click()
    expect(organiser.get_by_text("Your answer is saved.")).to_be_visible()
    assert_accessible(organiser)

    learner = _person(new_context, site, MEMBER_CARD, MEMBER_PIN)
    learner.goto(f"{site}/circles/{circle.pk}/events/")
    expect(learner.get_by_role("form", name="Plan a meeting")).to_have_count(0)
    learner.get_by_role("link", name="Writing in the park").click()
    expect(learner.get_by_text("Coming: 1 person")).to_be_visible()
    learner.get_by_label("Maybe").check()
    learner.get_by_role("button", name="Save the answer").click()
    expect(learner.get_by_text("Your answer is saved.")).to_be_visible()
    expect(learner.get_by_text("Maybe: 1 person")).to_be_visible()
    expect(learner.get_by_label("Maybe")).to_be_checked()
    assert_accessible(learner)
    assert dict(Rsvp.objects.values_list("resident__name", "answer")) == {
        "山田 花子": "yes",
        "佐藤 次郎": "maybe",
    }

    with learner.expect_download() as download:
        learner.get_by_role("link", name="Put this meeting in your calendar (.ics file)").click()
    calendar = Path(download.value.path()).read_text()
    assert "SUMMARY:Writing in the park (Calligraphy friends)" in calendar


def test_a_member_shares_a_link_and_a_picture(
    new_context, site, circle, member, assert_accessible, tmp_path
):
    learner = _person(new_context, site, MEMBER_CARD, MEMBER_PIN)
    learner.goto(f"{site}/circles/{circle.pk}/resources/")
    expect(learner.get_by_role("heading", level=1)).to_have_text("Shared links and files")
    assert_accessible(learner)

    share_link = learner.get_by_role("form", name="Share a link")
    share_link.get_by_label("Title").fill("Brush shop")
    share_link.get_by_label("Address (URL)").fill("https://example.com/brushes")
    share_link.get_by_role("button", name="Share the link").click()
    expect(learner.get_by_text("The link is shared.")).to_be_visible()
    shop = learner.get_by_role("link", name="Brush shop")
    expect(shop).to_have_attribute("rel", "noopener noreferrer nofollow")

    share_file = learner.get_by_role("form", name="Share a file")
    share_file.get_by_label("Title").fill("Our table")
    share_file.get_by_label("File").set_input_files(_picture(tmp_path))
    share_file.get_by_role("button", name="Share the file").click()
    expect(learner.get_by_text("The picture is shared.")).to_be_visible()
    picture = learner.get_by_role("img", name="Our table")
    expect(picture).to_be_visible()
    assert picture.evaluate("image => image.naturalWidth") == 320
    assert_accessible(learner)
    assert set(Resource.objects.values_list("kind", flat=True)) == {"link", "picture"}

    # The organiser sees it too, and may remove it.
    organiser = _person(new_context, site, DEFAULT_CARD, DEFAULT_PIN)
    organiser.goto(f"{site}/circles/{circle.pk}/resources/")
    expect(organiser.get_by_role("img", name="Our table")).to_be_visible()
    organiser.get_by_role("button", name="Remove Brush shop").click()
    expect(organiser.get_by_text("It is removed.")).to_be_visible()
    expect(organiser.get_by_role("link", name="Brush shop")).to_have_count(0)
