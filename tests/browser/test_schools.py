"""The schools pages in a real browser: a coordinator records a pupil's school year and class,
links a guardian and confirms a guardian's request; a guardian asks to be linked to a child.
Each page passes the axe-core check."""

import pytest
from playwright.sync_api import Page, expect

from campus_social.identity import selectors, services
from campus_social.identity.models import Organisation
from tests.browser.signing_in import sign_in
from tests.factories import (
    ChildFactory,
    OrganisationFactory,
    ResidentFactory,
    RoleFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def school():
    return OrganisationFactory(slug="sakura-es", name="桜台小学校", kind=Organisation.Kind.SCHOOL)


def test_a_coordinator_records_a_pupil_links_a_guardian_and_confirms_a_request(
    page: Page, site, resident, school, assert_accessible
):
    RoleFactory(resident=resident, organisation=school, role="coordinator")
    child = ChildFactory(name="佐藤 陽葵", given_name="陽葵")
    guardian = ResidentFactory(name="佐藤 恵美")
    asking = ResidentFactory(name="鈴木 一郎")
    sibling = ChildFactory(name="鈴木 蓮", given_name="蓮")
    services.school_pupil_add(
        actor=resident,
        school_id=school.pk,
        child_id=sibling.pk,
        birth_date=sibling.birth_date,
        school_year=2,
    )
    services.guardian_link_request(
        actor=asking,
        school_id=school.pk,
        child_number=str(sibling.pk),
        birth_date=sibling.birth_date,
    )
    sign_in(page, site)

    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="My pupils").click()

    expect(page.get_by_role("heading", name="Pupils of 桜台小学校", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("The child's resident number").fill(str(child.pk))
    page.get_by_label("The child's birth date").fill(child.birth_date.isoformat())
    add = page.get_by_role("region", name="Add a pupil")
    add.get_by_label("School year").select_option(label="Grade 4")
    add.get_by_label("Class").fill("2組")
    page.get_by_role("button", name="Add the pupil").click()

    expect(page.get_by_role("status")).to_contain_text("The pupil is recorded.")
    row = page.get_by_role("row").filter(has_text="佐藤 陽葵")
    expect(row.get_by_label("School year")).to_have_value("4")
    assert selectors.child_grade(child=child) == 4

    row.get_by_label("The guardian's resident number").fill(str(guardian.pk))
    row.get_by_role("button", name="Link a guardian to 陽葵").click()

    expect(page.get_by_role("status")).to_contain_text("The guardian is linked")
    expect(page.get_by_role("row").filter(has_text="佐藤 陽葵")).to_contain_text("佐藤 恵美")

    requests = page.get_by_role("region", name="Guardians asking to be linked")
    expect(requests).to_contain_text("鈴木 一郎 asks to be linked to 鈴木 蓮.")
    requests.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text("The guardian is linked")
    expect(page.get_by_role("region", name="Guardians asking to be linked")).to_contain_text(
        "No requests are waiting."
    )
    assert selectors.resident_is_guardian_of(guardian=asking, child=sibling)
    assert_accessible(page)


def test_a_guardian_asks_to_be_linked_to_a_child_and_a_wrong_birth_date_is_refused(
    page: Page, site, resident, school, assert_accessible
):
    coordinator = RoleFactory(organisation=school, role="coordinator").resident
    child = ChildFactory(name="佐藤 陽葵", given_name="陽葵")
    services.school_pupil_add(
        actor=coordinator,
        school_id=school.pk,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=4,
    )
    sign_in(page, site)

    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="Link my child").click()
    expect(page.get_by_role("heading", name="Link my child", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("School").select_option(label="桜台小学校")
    page.get_by_label("Your child's resident number").fill(str(child.pk))
    wrong = child.birth_date.replace(year=child.birth_date.year - 1)
    page.get_by_label("Your child's birth date").fill(wrong.isoformat())
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("alert")).to_contain_text("No such pupil")
    assert_accessible(page)

    page.get_by_label("School").select_option(label="桜台小学校")
    page.get_by_label("Your child's resident number").fill(str(child.pk))
    page.get_by_label("Your child's birth date").fill(child.birth_date.isoformat())
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("status")).to_contain_text("Your request is sent.")
    expect(page.get_by_role("listitem").filter(has_text="陽葵")).to_contain_text(
        "Waiting for the school"
    )
    assert_accessible(page)
