"""The foundation's web pages, driven through Django's test client (no browser)."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common.my_number import looks_like_my_number
from campus_social.identity import services
from campus_social.identity.models import (
    Card,
    GuardianLink,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
    ResidentSession,
)
from frontend import views
from tests.factories import (
    CardFactory,
    ChildFactory,
    CityOfficeFactory,
    DistrictFactory,
    GuardianLinkFactory,
    OrganisationFactory,
    ResidentFactory,
    RoleFactory,
    years_ago,
)

pytestmark = pytest.mark.django_db

MY_NUMBER = "123456789018"

PRIVATE_PAGES = [
    ("frontend:my-page", {}),
    ("frontend:staff-home", {}),
    ("frontend:staff-resident-new", {}),
    ("frontend:staff-devices", {}),
    ("frontend:staff-audit", {}),
]
STAFF_PAGES = [
    ("frontend:staff-home", {}),
    ("frontend:staff-resident-new", {}),
    ("frontend:staff-devices", {}),
    ("frontend:staff-audit", {}),
]


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read the English source strings, which stay put when the Japanese catalogue
    changes; the tests of the Japanese default set Japanese back."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def carded_resident(carded_resident):
    """Signing in switches to the resident's language: this one chose English."""
    carded_resident.language = "en"
    carded_resident.save(update_fields=["language"])
    return carded_resident


@pytest.fixture
def staff_client(signed_in_page, city_staff) -> Client:
    return signed_in_page(city_staff)


@pytest.fixture
def resident_client(signed_in_page, carded_resident) -> Client:
    return signed_in_page(carded_resident)


def sign_in(client: Client, card_id: str = "CARD12345678", pin: str = "2468", **extra):
    return client.post(reverse("frontend:login"), {"card_id": card_id, "pin": pin, **extra})


def html(response) -> str:
    return response.content.decode()


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def locked_card(resident: Resident | None = None) -> Card:
    card = CardFactory(
        card_id="LOCKED000001", pin="1111", **({"resident": resident} if resident else {})
    )
    card.failed_pin_attempts = 3
    card.locked_at = timezone.now()
    card.save()
    return card


# --- Every page answers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["frontend:landing", "frontend:login"])
def test_public_pages_answer_without_signing_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_the_landing_page_leads_to_the_public_credit_catalogue(client):
    page = html(client.get(reverse("frontend:landing")))

    assert f'href="{reverse("frontend:credit-catalogue")}"' in page
    assert client.get(reverse("frontend:credit-catalogue")).status_code == 200


def test_landing_page_is_japanese_by_default_and_offers_english_one_click_away(client, settings):
    settings.LANGUAGE_CODE = "ja"

    response = client.get("/")

    assert '<html lang="ja"' in html(response)
    assert response.headers["Content-Language"] == "ja"
    assert 'lang="en">English</button>' in html(response)
    assert 'href="#main"' in html(response)
    assert 'id="main"' in html(response)


def test_pages_hold_no_inline_styles_or_scripts_that_the_csp_would_block(
    client, staff_client, carded_resident
):
    sign_in(client)
    pages = [html(client.get(url)) for url in ["/", "/login/", reverse("frontend:my-page")]]
    pages += [html(staff_client.get(reverse(name, kwargs=kwargs))) for name, kwargs in STAFF_PAGES]
    pages.append(
        html(staff_client.get(reverse("frontend:staff-resident", args=[carded_resident.pk])))
    )
    for page in pages:
        assert "style=" not in page
        assert "<style" not in page
        # Scripts only from files (the header's typeahead): never inline code.
        assert not re.search(r"<script(?![^>]*\ssrc=)", page)


@pytest.mark.parametrize(("name", "kwargs"), PRIVATE_PAGES)
def test_private_pages_send_anonymous_visitors_to_the_login_page(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('frontend:login')}?next={url}"


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_answer_403_to_residents_who_are_not_city_staff(resident_client, name, kwargs):
    response = resident_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 403
    assert "You may not open this page" in html(response)
    assert "permission.denied" in audit_actions()


def test_staff_actions_answer_403_to_residents_who_are_not_city_staff(resident_client):
    card = locked_card()

    response = resident_client.post(reverse("frontend:staff-card-unlock", args=[card.pk]))

    assert response.status_code == 403
    card.refresh_from_db()
    assert card.is_locked


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_answer_for_city_staff(staff_client, name, kwargs):
    response = staff_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200


def test_the_staff_link_shows_only_for_city_staff(resident_client, staff_client):
    staff_url = reverse("frontend:staff-home")

    assert staff_url not in html(resident_client.get("/"))
    assert staff_url in html(staff_client.get("/"))


def test_an_unknown_address_shows_the_friendly_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "This page was not found" in html(response)


def test_the_500_page_renders_without_any_request_context():
    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in html(response)


# --- Signing in and out ---------------------------------------------------------------------


def test_signing_in_with_card_and_pin_starts_a_session_and_opens_my_page(client, carded_resident):
    response = sign_in(client)

    assert response.status_code == 302
    assert response.url == reverse("frontend:my-page")
    assert int(client.session["_auth_user_id"]) == carded_resident.pk
    assert ResidentSession.objects.filter(resident=carded_resident).count() == 1
    assert "login.succeeded" in audit_actions()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_signing_in_switches_to_the_language_the_resident_chose(client, language):
    CardFactory(card_id="CARDLANGUAGE", pin="2468", resident=ResidentFactory(language=language))

    response = sign_in(client, card_id="CARDLANGUAGE")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert f'<html lang="{language}"' in html(client.get(response.url))


def test_signing_in_goes_on_to_the_page_asked_for(client, carded_resident):
    response = sign_in(client, next="/me/?from=mail")

    assert response.url == "/me/?from=mail"


def test_signing_in_ignores_an_off_site_next_address(client, carded_resident):
    response = sign_in(client, next="https://evil.example/steal")

    assert response.url == reverse("frontend:my-page")


def test_a_signed_in_resident_sees_on_the_login_page_who_a_new_sign_in_would_replace(
    resident_client, carded_resident
):
    page = html(resident_client.get(reverse("frontend:login")))

    assert f"You are signed in as {carded_resident.name}." in page
    assert 'name="card_id"' in page
    assert reverse("frontend:my-page") in page


def test_signing_in_on_the_login_page_with_another_card_replaces_the_signed_in_resident(
    client, carded_resident
):
    other = CardFactory(
        card_id="OTHER0000001", pin="1357", resident__name="川口 次郎", resident__language="en"
    ).resident
    sign_in(client)
    first_key = client.session.session_key

    response = sign_in(client, card_id="OTHER0000001", pin="1357")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == other.pk
    assert client.session.session_key != first_key
    assert "Hello, 川口 次郎." in html(client.get(reverse("frontend:my-page")))
    assert not ResidentSession.objects.filter(resident=carded_resident).exists()
    assert audit_actions().count("login.succeeded") == 2


def test_login_page_has_labelled_card_and_pin_fields_that_browsers_do_not_remember(client):
    page = html(client.get(reverse("frontend:login")))

    assert '<label for="id_card_id">' in page
    assert '<label for="id_pin">' in page
    assert 'type="password" name="pin" inputmode="numeric" autocomplete="off"' in page
    assert 'name="card_id" value' not in page
    assert page.count('autocomplete="off"') >= 2


def test_a_wrong_pin_shows_how_many_attempts_are_left(client, carded_resident):
    response = sign_in(client, pin="1357")

    assert response.status_code == 401
    assert "The PIN is not correct. 2 more wrong PINs will lock the card." in html(response)
    assert 'value="CARD12345678"' in html(response)
    assert 'value="1357"' not in html(response)
    assert "_auth_user_id" not in client.session


def test_the_third_wrong_pin_shows_that_the_card_is_locked(client, carded_resident):
    sign_in(client, pin="1357")
    sign_in(client, pin="1357")

    response = sign_in(client, pin="1357")

    assert response.status_code == 423
    assert "This card is locked after three wrong PINs" in html(response)
    assert "_auth_user_id" not in sign_in(client).wsgi_request.session
    assert "card.locked" in audit_actions()


def test_a_my_number_is_refused_and_never_shown_back(client, carded_resident):
    assert looks_like_my_number(MY_NUMBER)

    response = sign_in(client, card_id=MY_NUMBER, pin="2468")

    assert response.status_code == 400
    assert "Campus Social never uses My Numbers" in html(response)
    assert MY_NUMBER not in html(response)
    assert "_auth_user_id" not in client.session


def test_an_empty_login_form_shows_what_is_missing(client):
    response = client.post(reverse("frontend:login"), {"card_id": "", "pin": ""})

    assert response.status_code == 400
    assert 'id="id_card_id_error"' in html(response)
    assert 'aria-invalid="true"' in html(response)


def test_signing_out_ends_the_session_and_returns_to_the_landing_page(client, carded_resident):
    sign_in(client)

    response = client.post(reverse("frontend:logout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("frontend:landing")
    assert "You have signed out" in html(response)
    assert not ResidentSession.objects.filter(resident=carded_resident).exists()
    assert client.get(reverse("frontend:my-page")).status_code == 302


def test_signing_out_needs_a_post(resident_client):
    assert resident_client.get(reverse("frontend:logout")).status_code == 405


# --- Language and text size -----------------------------------------------------------------


def test_the_language_switch_renders_the_pages_in_english(client, settings):
    settings.LANGUAGE_CODE = "ja"
    assert '<html lang="ja"' in html(client.get("/"))

    response = client.post(
        reverse("frontend:language"), {"language": "en", "next": "/"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert '<html lang="en"' in html(response)
    assert 'lang="ja">日本語</button>' in html(response)
    assert "Sign in with your resident card" in html(response)


def test_the_text_size_toggle_sets_the_cookie_and_goes_back(client):
    response = client.post(
        reverse("frontend:text-size"), {"size": "large", "next": reverse("frontend:login")}
    )

    assert response.status_code == 302
    assert response.url == reverse("frontend:login")
    assert response.cookies["text_size"].value == "large"
    assert 'class="large-text"' in html(client.get("/"))


def test_the_text_size_toggle_turns_large_text_off_again(client):
    client.cookies["text_size"] = "large"

    response = client.post(reverse("frontend:text-size"), {"size": "normal", "next": "/"})

    assert response.cookies["text_size"].value == ""
    assert response.cookies["text_size"]["max-age"] == 0


def test_the_text_size_toggle_refuses_an_off_site_next_address(client):
    response = client.post(
        reverse("frontend:text-size"), {"size": "large", "next": "https://evil.example/"}
    )

    assert response.url == reverse("frontend:landing")


def test_the_text_size_toggle_needs_a_post(client):
    assert client.get(reverse("frontend:text-size")).status_code == 405


# --- My page --------------------------------------------------------------------------------


def test_my_page_shows_the_profile_with_guardians_and_children_by_display_name(client):
    parent = ResidentFactory(name="山田 一郎", given_name="一郎")
    child = ChildFactory(name="山田 花子", given_name="花子")
    GuardianLinkFactory(guardian=parent, child=child)
    RoleFactory(resident=parent, organisation=OrganisationFactory(name="北小学校"))
    client.force_login(parent)

    page = html(client.get(reverse("frontend:my-page")))

    assert "山田 一郎" in page
    assert "Adult" in page
    assert parent.district.name in page
    assert "北小学校: Member" in page
    assert "花子" in page
    assert "山田 花子" not in page


def test_my_page_lists_the_sessions_and_marks_this_device(client, carded_resident):
    other_device = Client(headers={"user-agent": "Mozilla/5.0 (Linux; Android 14) Chrome/130.0"})
    sign_in(other_device)
    sign_in(client)

    page = html(client.get(reverse("frontend:my-page")))

    assert page.count('class="card card--current"') == 1
    assert "This device" in page
    assert "Chrome on Android" in page
    other = ResidentSession.objects.get(session_key=other_device.session.session_key)
    assert reverse("frontend:session-end", args=[other.pk]) in page


def test_ending_another_session_signs_that_device_out(client, carded_resident):
    other_device = Client()
    sign_in(other_device)
    sign_in(client)
    other = ResidentSession.objects.get(session_key=other_device.session.session_key)

    response = client.post(reverse("frontend:session-end", args=[other.pk]), follow=True)

    assert "That session has ended" in html(response)
    assert not ResidentSession.objects.filter(pk=other.pk).exists()
    assert other_device.get(reverse("frontend:my-page")).status_code == 302
    assert client.get(reverse("frontend:my-page")).status_code == 200


def test_a_resident_cannot_end_someone_elses_session(client, carded_resident):
    stranger = Client()
    CardFactory(card_id="STRANGER0001", pin="1111")
    sign_in(stranger, card_id="STRANGER0001", pin="1111")
    theirs = ResidentSession.objects.get(session_key=stranger.session.session_key)
    sign_in(client)

    response = client.post(reverse("frontend:session-end", args=[theirs.pk]), follow=True)

    assert "No such session." in html(response)
    assert ResidentSession.objects.filter(pk=theirs.pk).exists()


# --- Staff: finding residents ---------------------------------------------------------------


def test_staff_home_lists_no_one_until_staff_search(staff_client):
    ResidentFactory(name="佐藤 花")

    page = html(staff_client.get(reverse("frontend:staff-home")))

    assert "佐藤 花" not in page


def test_staff_search_finds_residents_by_name_25_to_a_page(staff_client):
    for number in range(30):
        ResidentFactory(name=f"佐藤 {number:02d}", name_kana=f"さとう {number:02d}")
    url = reverse("frontend:staff-home")

    first = html(staff_client.get(url, {"q": "佐藤"}))
    second = html(staff_client.get(url, {"q": "佐藤", "page": 2}))

    assert "30 residents found" in first
    assert first.count('class="card__title"') == 25
    assert second.count('class="card__title"') == 5
    assert "?q=%E4%BD%90%E8%97%A4&amp;page=2" in first


def test_staff_search_refuses_a_my_number_without_showing_it_back(staff_client):
    response = staff_client.get(reverse("frontend:staff-home"), {"q": MY_NUMBER})

    assert response.status_code == 400
    assert "This looks like an individual number (My Number)" in html(response)
    assert f'value="{MY_NUMBER}"' not in html(response)
    assert "resident.searched" not in audit_actions()


def test_opening_a_residents_record_is_audited(staff_client, carded_resident):
    response = staff_client.get(reverse("frontend:staff-resident", args=[carded_resident.pk]))

    assert response.status_code == 200
    assert carded_resident.name in html(response)
    event = AuditEvent.objects.get(action="resident.viewed")
    assert event.target_id == str(carded_resident.pk)


def test_an_unknown_resident_answers_404(staff_client):
    assert staff_client.get(reverse("frontend:staff-resident", args=[999999])).status_code == 404


# --- Staff: vetting for work with children ----------------------------------------------------


def test_staff_record_a_volunteers_vetting_on_the_residents_page(staff_client):
    senior = ResidentFactory(name="高橋 茂", birth_date=years_ago(74))
    today = timezone.localdate()
    page_url = reverse("frontend:staff-resident", args=[senior.pk])
    assert "No vetting is recorded for this resident." in html(staff_client.get(page_url))

    response = staff_client.post(
        reverse("frontend:staff-resident-vetting", args=[senior.pk]),
        {
            "checked_on": today.isoformat(),
            "expires_on": today.replace(year=today.year + 3).isoformat(),
            "note": "研修受講",
        },
        follow=True,
    )

    page = html(response)
    assert "The vetting is recorded." in page
    assert "研修受講" in page
    assert "Current" in page
    assert senior.vettings.count() == 1
    assert "resident.vetted" in audit_actions()


def test_a_vetting_that_ends_before_its_check_shows_the_problem_and_stores_nothing(staff_client):
    senior = ResidentFactory(birth_date=years_ago(70))
    today = timezone.localdate()

    response = staff_client.post(
        reverse("frontend:staff-resident-vetting", args=[senior.pk]),
        {"checked_on": today.isoformat(), "expires_on": today.isoformat(), "note": ""},
    )

    assert response.status_code == 400
    assert 'id="id_expires_on_error"' in html(response)
    assert not senior.vettings.exists()


def test_a_childs_record_offers_no_vetting_and_a_resident_may_not_post_one(
    staff_client, resident_client
):
    child = ChildFactory()
    adult = ResidentFactory()
    today = timezone.localdate()
    form = {"checked_on": today.isoformat(), "expires_on": "2099-01-01", "note": ""}

    page = html(staff_client.get(reverse("frontend:staff-resident", args=[child.pk])))
    refused = resident_client.post(
        reverse("frontend:staff-resident-vetting", args=[adult.pk]), form
    )

    assert "Vetting for work with children" not in page
    assert refused.status_code == 403
    assert not adult.vettings.exists()


# --- Staff: registering residents -----------------------------------------------------------


def register_form(**overrides: str) -> dict[str, str]:
    form = {
        "name": "鈴木 一郎",
        "given_name": "",
        "name_kana": "すずき いちろう",
        "birth_date": years_ago(70).isoformat(),
        "card_id": "NEWCARD00001",
        "pin": "4321",
        "district": "",
        "email": "",
        "language": "ja",
        "role_organisation": "",
        "role": "",
        "guardian_card_id": "",
    }
    form.update(overrides)
    return form


def test_staff_register_a_resident_with_card_district_and_role(staff_client):
    district = DistrictFactory(slug="kita", name="北地区")
    school = OrganisationFactory(slug="kita-school", kind=Organisation.Kind.SCHOOL)
    form = register_form(district="kita", role_organisation="kita-school", role="teacher")

    response = staff_client.post(reverse("frontend:staff-resident-new"), form, follow=True)

    resident = Resident.objects.get(name="鈴木 一郎")
    assert response.redirect_chain[-1][0] == reverse("frontend:staff-resident", args=[resident.pk])
    assert "鈴木 一郎 is registered" in html(response)
    assert resident.district == district
    assert resident.given_name == "一郎"
    assert OrganisationRole.objects.filter(
        resident=resident, organisation=school, role="teacher"
    ).exists()
    assert Card.objects.filter(resident=resident).count() == 1
    assert "resident.registered" in audit_actions()
    assert sign_in(Client(), card_id="NEWCARD00001", pin="4321").status_code == 302


def test_staff_register_a_child_with_a_guardians_card(staff_client):
    guardian = CardFactory(card_id="GUARDIAN0001").resident
    form = register_form(
        name="鈴木 花子", birth_date=years_ago(9).isoformat(), guardian_card_id="GUARDIAN0001"
    )

    staff_client.post(reverse("frontend:staff-resident-new"), form)

    child = Resident.objects.get(name="鈴木 花子")
    assert GuardianLink.objects.filter(guardian=guardian, child=child).exists()


def test_registration_problems_are_shown_next_to_their_fields_and_nothing_is_created(staff_client):
    form = register_form(birth_date=years_ago(9).isoformat(), pin="12")

    response = staff_client.post(reverse("frontend:staff-resident-new"), form)

    page = html(response)
    assert response.status_code == 400
    assert "Some of the information is not valid. Please check it." in page
    assert 'id="id_pin_error"' in page
    assert "The PIN is 4 digits." in page
    assert 'id="id_guardian_card_id_error"' in page
    assert "registered together with a guardian" in page
    assert not Resident.objects.filter(name="鈴木 一郎").exists()


def test_registration_shows_role_problems_next_to_the_role(staff_client):
    OrganisationFactory(slug="some-school", kind=Organisation.Kind.SCHOOL)
    guardian = CardFactory(card_id="GUARDIAN0002").resident
    form = register_form(
        birth_date=years_ago(9).isoformat(),
        guardian_card_id="GUARDIAN0002",
        role_organisation="some-school",
        role="teacher",
    )

    page = html(staff_client.post(reverse("frontend:staff-resident-new"), form))

    assert 'id="id_role_error"' in page
    assert "A child can only be a member of an organisation." in page
    assert not GuardianLink.objects.filter(guardian=guardian).exists()


def test_registration_refuses_a_my_number_and_never_shows_it_back(staff_client):
    page = html(
        staff_client.post(reverse("frontend:staff-resident-new"), register_form(card_id=MY_NUMBER))
    )

    assert "Campus Social never uses My Numbers" in page
    assert MY_NUMBER not in page
    assert not Resident.objects.filter(name="鈴木 一郎").exists()


# --- Staff: card care -----------------------------------------------------------------------


def test_staff_unlock_a_locked_card(staff_client, carded_resident):
    card = locked_card(resident=ResidentFactory())
    resident_page = reverse("frontend:staff-resident", args=[card.resident_id])
    assert reverse("frontend:staff-card-unlock", args=[card.pk]) in html(
        staff_client.get(resident_page)
    )

    response = staff_client.post(
        reverse("frontend:staff-card-unlock", args=[card.pk]),
        {"resident_id": card.resident_id},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == resident_page
    assert "The card is unlocked" in html(response)
    card.refresh_from_db()
    assert not card.is_locked
    assert card.failed_pin_attempts == 0
    assert "card.unlocked" in audit_actions()
    assert sign_in(Client(), card_id="LOCKED000001", pin="1111").status_code == 302


def test_unlocking_a_card_that_is_not_locked_says_so(staff_client, carded_resident):
    card = carded_resident.cards.get()

    response = staff_client.post(
        reverse("frontend:staff-card-unlock", args=[card.pk]),
        {"resident_id": carded_resident.pk},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse(
        "frontend:staff-resident", args=[carded_resident.pk]
    )
    assert "This card is not locked." in html(response)


def test_staff_register_a_renewed_card_for_the_same_resident(staff_client, carded_resident):
    old_card = carded_resident.cards.get()

    response = staff_client.post(
        reverse("frontend:staff-card-replace", args=[carded_resident.pk]),
        {"card_id": "RENEWED00001", "pin": "9753"},
        follow=True,
    )

    assert "The new card is registered" in html(response)
    old_card.refresh_from_db()
    assert old_card.retired_at is not None
    assert carded_resident.cards.filter(retired_at__isnull=True).count() == 1
    assert "card.replaced" in audit_actions()
    assert sign_in(Client(), card_id="RENEWED00001", pin="9753").status_code == 302
    assert sign_in(Client()).status_code == 401


def test_a_renewed_card_with_a_bad_pin_shows_the_problem_next_to_the_pin(
    staff_client, carded_resident
):
    response = staff_client.post(
        reverse("frontend:staff-card-replace", args=[carded_resident.pk]),
        {"card_id": "RENEWED00001", "pin": "97"},
    )

    assert response.status_code == 400
    assert 'id="id_pin_error"' in html(response)
    assert carded_resident.cards.get().retired_at is None


# --- Staff: card readers --------------------------------------------------------------------


def test_staff_register_a_card_reader_and_see_its_key_only_once(staff_client):
    CityOfficeFactory()
    OrganisationFactory(slug="kita-centre", name="北公民館")

    response = staff_client.post(
        reverse("frontend:staff-devices"), {"name": "Front desk", "organisation": "kita-centre"}
    )

    device = ReaderDevice.objects.get(name="Front desk")
    page = html(response)
    assert "no-store" in response.headers["Cache-Control"]
    assert "shown only this once" in page
    key = page.split('id="device-key" class="key" type="text" value="')[1].split('"')[0]
    assert services.reader_device_authenticate(key=key) == device
    assert "device.registered" in audit_actions()
    assert key not in html(staff_client.get(reverse("frontend:staff-devices")))


def test_a_card_reader_without_organisation_is_refused_next_to_the_field(staff_client):
    response = staff_client.post(
        reverse("frontend:staff-devices"), {"name": "Desk", "organisation": ""}
    )

    assert response.status_code == 400
    assert 'id="id_organisation_error"' in html(response)
    assert not ReaderDevice.objects.exists()


def test_staff_turn_a_card_reader_off(staff_client):
    organisation = OrganisationFactory(slug="minami-centre")
    _device, key = services.reader_device_register(
        actor=Resident.objects.get(), name="Hall", organisation_slug=organisation.slug
    )
    device = ReaderDevice.objects.get()

    response = staff_client.post(
        reverse("frontend:staff-device-deactivate", args=[device.pk]), follow=True
    )

    assert "is turned off" in html(response)
    device.refresh_from_db()
    assert not device.is_active
    assert services.reader_device_authenticate(key=key) is None
    assert "device.deactivated" in audit_actions()


# --- Staff: audit log -----------------------------------------------------------------------


def test_the_audit_log_filters_by_action_50_to_a_page(staff_client, carded_resident):
    for _attempt in range(2):
        sign_in(Client(), pin="0000")
    for _viewed in range(55):
        staff_client.get(reverse("frontend:staff-resident", args=[carded_resident.pk]))
    url = reverse("frontend:staff-audit")

    wrong_pins = html(staff_client.get(url, {"action": "login.wrong_pin"}))
    views_page_1 = html(staff_client.get(url, {"action": "resident.viewed"}))
    views_page_2 = html(staff_client.get(url, {"action": "resident.viewed", "page": 2}))

    assert "2 events" in wrong_pins
    assert wrong_pins.count("<code>login.wrong_pin</code>") == 2
    assert views_page_1.count("<code>resident.viewed</code>") == 50
    assert views_page_2.count("<code>resident.viewed</code>") == 5


def test_the_audit_log_filters_by_actor_and_dates(staff_client, city_staff, carded_resident):
    staff_client.get(reverse("frontend:staff-resident", args=[carded_resident.pk]))
    sign_in(Client(), pin="0000")
    today = timezone.localdate().isoformat()

    page = html(
        staff_client.get(
            reverse("frontend:staff-audit"),
            {"actor_id": city_staff.pk, "since": today, "until": today},
        )
    )
    past = html(
        staff_client.get(reverse("frontend:staff-audit"), {"until": date(2000, 1, 1).isoformat()})
    )

    assert "<code>resident.viewed</code>" in page
    assert "<code>login.wrong_pin</code>" not in page
    assert "0 events" in past


def test_a_malformed_audit_filter_is_explained(staff_client):
    response = staff_client.get(reverse("frontend:staff-audit"), {"actor_id": "abc"})

    assert response.status_code == 200
    assert 'id="id_actor_id_error"' in html(response)


def test_a_signed_in_residents_language_choice_is_kept_for_the_next_sign_in(
    resident_client, resident
):
    resident_client.post(reverse("frontend:language"), {"language": "ja", "next": "/me/"})
    resident.refresh_from_db()
    assert resident.language == "ja"


def test_an_unknown_language_changes_nothing(client):
    response = client.post(reverse("frontend:language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert settings_language_cookie(response) is None


def test_an_expired_form_gets_a_friendly_page_not_a_bare_403(carded_resident):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("frontend:login"), {"card_id": "CARD12345678", "pin": "2468"})
    assert response.status_code == 403
    assert "This form has expired" in html(response)
    assert "<main" in html(response)


def test_the_login_page_is_rate_limited_per_address_too(client, db, settings):
    settings.CARD_LOGIN_RATE_PER_ADDRESS = "3/min"
    for _attempt in range(3):
        client.post(reverse("frontend:login"), {"card_id": "NOSUCHCARD01", "pin": "1111"})
    response = client.post(reverse("frontend:login"), {"card_id": "NOSUCHCARD01", "pin": "1111"})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in html(response)


def settings_language_cookie(response):
    from django.conf import settings

    return response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
