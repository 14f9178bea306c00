"""The coordinator's side of a program in a real browser: starting a program, adding a session,
publishing, inviting a vetted senior from the matches (and seeing the refusal for an unvetted
one), adding a consented child, recording attendance and adding a photo tagged with a child
whose guardian allowed photos.  Each page passes the axe-core check; with ``SCREENSHOT_DIR``
set, the pages are kept as screenshots at desktop and phone widths, in English and Japanese."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from communities import services
from communities.models import Program, ProgramChild, SessionAttendance, SessionPhoto
from tests.browser.signing_in import sign_in
from tests.communities.program_builders import school, senior_with_offer
from tests.factories import (
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    RoleFactory,
    VettingRecordFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _picture(tmp_path: Path) -> Path:
    path = tmp_path / "session.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (40, 120, 200)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _shoot(page: Page, name: str) -> None:
    """Keep the page at desktop and phone widths when ``SCREENSHOT_DIR`` is set; the page never
    scrolls sideways on a phone."""
    folder = os.environ.get("SCREENSHOT_DIR")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    if folder:
        page.screenshot(path=f"{folder}/{name}-phone.png", full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=f"{folder}/{name}-desktop.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_coordinator_starts_and_runs_a_program(
    page: Page, site, resident, assert_accessible, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation = school()
    RoleFactory(resident=resident, organisation=organisation, role="coordinator")
    VettingRecordFactory(resident=resident)
    district = DistrictFactory(name="中央区")
    vetted = senior_with_offer(topics=["history"], district_ids=[district.pk])
    unvetted = senior_with_offer(vetted=False, topics=["history"])
    link = GuardianLinkFactory(child=ChildFactory(name="佐藤 陽葵", given_name="陽葵"))
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)

    # The dashboard: nothing yet.
    page.goto(f"{site}/programs/coordinating/")
    expect(page.get_by_role("heading", name="Programs I coordinate", level=1)).to_be_visible()
    expect(page.get_by_text("You coordinate no programs yet.")).to_be_visible()
    assert_accessible(page)

    # Start a program.
    page.get_by_role("link", name="Start a program").click()
    expect(page.get_by_role("heading", name="Start a program", level=1)).to_be_visible()
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_label("Title", exact=True).fill("むかしあそびの会")
    page.get_by_label("Reading of the title (kana)").fill("むかしあそびのかい")
    page.get_by_label("Theme", exact=True).select_option("history")
    page.get_by_label("What the children will do").fill("Seniors teach the children old games.")
    page.get_by_label("Lowest school year").select_option("3")
    page.get_by_label("Highest school year").select_option("6")
    page.get_by_label("Term starts").fill(today.isoformat())
    page.get_by_label("Term ends").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Venue", exact=True).fill("みどり小学校 多目的室")
    page.get_by_label("District of the venue").select_option(label="中央区")
    page.get_by_label("Seniors needed").fill("2")
    page.get_by_label("Children needed").fill("10")
    page.get_by_role("button", name="Save as a draft").click()

    # The service's refusal beside the field; then put right.
    expect(page.get_by_role("alert")).to_contain_text("The term cannot end before it starts.")
    assert_accessible(page)
    page.get_by_label("Term ends").fill((today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Save as a draft").click()

    expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    expect(page.get_by_role("heading", name="むかしあそびの会", level=1)).to_be_visible()
    program = Program.objects.get()
    assert program.status == "draft"
    assert_accessible(page)

    # Add a session next week, then publish.
    day = today + timedelta(days=7)
    add = page.get_by_role("form", name="Add a session")
    add.get_by_label("Starts").fill(f"{day.isoformat()}T14:00")
    add.get_by_label("Ends").fill(f"{day.isoformat()}T16:00")
    add.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("status")).to_contain_text("The session is added.")
    page.get_by_role("button", name="Publish the program").click()
    expect(page.get_by_role("status")).to_contain_text("The program is published.")

    # The matches: the unvetted senior is refused, the vetted one invited.
    matches = page.get_by_role("region", name="Volunteer matches")
    expect(matches.get_by_role("listitem").first).to_contain_text(vetted.resident.display_name)
    matches.get_by_role("button", name=f"Invite {unvetted.resident.display_name}").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "A volunteer takes part only with a current vetting record"
    )
    assert not program.volunteers.exists()
    assert_accessible(page)
    _shoot(page, "program-invite-refused-en")
    page.get_by_role("region", name="Volunteer matches").get_by_role(
        "button", name=f"Invite {vetted.resident.display_name}"
    ).click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{vetted.resident.display_name} is invited and told."
    )
    expect(page.get_by_role("region", name="Volunteers")).to_contain_text("Invited")

    # A guardian consents (on the program's page); the coordinator adds the child.
    services.consent_give(
        actor=link.guardian,
        program_id=program.pk,
        child_id=link.child_id,
        photos_allowed=True,
        sign_up=False,
    )
    services.volunteer_answer(actor=vetted.resident, program_id=program.pk, accept=True)
    page.reload()
    children = page.get_by_role("region", name="Children and consent")
    expect(children).to_contain_text("Consent current")
    expect(children).to_contain_text("Photos allowed")
    children.get_by_role("button", name="Add to the program 佐藤 陽葵").click()
    expect(page.get_by_role("status")).to_contain_text("佐藤 陽葵 takes part now.")
    assert ProgramChild.objects.filter(program=program, left_at__isnull=True).count() == 1
    assert_accessible(page)
    _shoot(page, "program-manage-en")

    # The session: attendance, and a photo of the child whose guardian allowed photos.
    page.get_by_role("link", name="Roster, attendance and photos").first.click()
    expect(page.get_by_role("heading", name="Roster and attendance")).to_be_visible()
    assert_accessible(page)
    roster = page.get_by_role("region", name="Roster and attendance")
    roster.get_by_label("佐藤 陽葵").check()
    roster.get_by_label(vetted.resident.display_name).check()
    roster.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_contain_text("The attendance is saved.")
    assert set(SessionAttendance.objects.values_list("resident_id", "present")) == {
        (link.child_id, True),
        (vetted.resident_id, True),
    }
    photo = page.get_by_role("form", name="Add a photo")
    photo.get_by_label("Photo", exact=True).set_input_files(_picture(tmp_path))
    photo.get_by_label("佐藤 陽葵").check()
    photo.get_by_role("button", name="Add the photo").click()
    expect(page.get_by_role("status")).to_contain_text("The photo is added.")
    expect(page.get_by_text("Children in it: 佐藤 陽葵")).to_be_visible()
    assert list(SessionPhoto.objects.get().tags.values_list("child_id", flat=True)) == [
        link.child_id
    ]
    assert_accessible(page)
    _shoot(page, "program-session-en")

    # Back on the dashboard, the figures.
    page.goto(f"{site}/programs/coordinating/")
    card = page.get_by_role("listitem").filter(has_text="むかしあそびの会")
    expect(card).to_contain_text("1 of 2 taking part")
    expect(card).to_contain_text("1 of 10 taking part")
    expect(card).to_contain_text("1 current")
    assert_accessible(page)
    _shoot(page, "program-dashboard-en")

    # The same pages in Japanese.
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="担当するプログラム", level=1)).to_be_visible()
    _shoot(page, "program-dashboard-ja")
    page.goto(f"{site}/programs/{program.pk}/manage/")
    assert_accessible(page)
    _shoot(page, "program-manage-ja")
    page.goto(f"{site}/programs/{program.pk}/edit/")
    _shoot(page, "program-edit-ja")
    page.goto(f"{site}/programs/new/")
    _shoot(page, "program-new-ja")
    session = program.sessions.get()
    page.goto(f"{site}/program-sessions/{session.pk}/manage/")
    assert_accessible(page)
    _shoot(page, "program-session-ja")
