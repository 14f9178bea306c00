from datetime import date, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django.utils import timezone, translation

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Forbidden, Invalid, Locked, NotFound, Unauthenticated
from campus_social.identity import services
from campus_social.identity.cards import card_hash
from campus_social.identity.models import (
    CHILD_UNTIL_AGE,
    Card,
    GuardianLink,
    Resident,
    ResidentSession,
    age_on,
)
from campus_social.identity.selectors import OPERATOR, child_q, resident_get_for_staff
from tests.factories import (
    CardFactory,
    ChildFactory,
    CityOfficeFactory,
    DistrictFactory,
    ResidentFactory,
    years_ago,
)
from tests.values import A_MY_NUMBER

pytestmark = pytest.mark.django_db


def _request():
    request = RequestFactory().post("/api/v1/auth/card/", HTTP_USER_AGENT="KioskBrowser/1.0")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def _login(card_id="CARD12345678", pin="2468"):
    request = _request()
    return request, services.card_login(request=request, card_id=card_id, pin=pin)


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- card login --------------------------------------------------------------------------------


def test_right_pin_signs_the_resident_in_and_records_the_session(carded_resident):
    request, resident = _login()

    assert resident == carded_resident
    assert request.session[SESSION_KEY] == str(resident.pk)
    record = ResidentSession.objects.get(resident=resident)
    assert record.session_key == request.session.session_key
    assert record.user_agent == "KioskBrowser/1.0"
    assert _actions() == ["login.succeeded"]


def test_card_number_is_accepted_with_spaces_dashes_and_lower_case(carded_resident):
    _req, resident = _login(card_id="card-1234 5678")
    assert resident == carded_resident


def test_wrong_pin_is_refused_with_the_attempts_left(carded_resident):
    with pytest.raises(Unauthenticated) as refused:
        _login(pin="0000")

    assert refused.value.code == "wrong_pin"
    assert refused.value.extra == {"attempts_left": 2}
    assert Card.objects.get().failed_pin_attempts == 1
    assert _actions() == ["login.wrong_pin"]


def test_third_wrong_pin_in_a_row_locks_the_card(carded_resident):
    for _attempt in range(2):
        with pytest.raises(Unauthenticated):
            _login(pin="0000")
    with pytest.raises(Locked) as locked:
        _login(pin="0000")

    assert locked.value.code == "card_locked"
    assert "市役所" in locked.value.message  # where to unlock it, in Japanese by default
    assert Card.objects.get().is_locked
    assert _actions()[-2:] == ["login.wrong_pin", "card.locked"]


def test_right_pin_on_a_locked_card_is_refused_too(carded_resident):
    CardFactory._meta.model.objects.update(locked_at=timezone.now(), failed_pin_attempts=3)

    with pytest.raises(Locked):
        _login()
    assert not ResidentSession.objects.exists()


def test_right_pin_resets_the_count_of_wrong_ones(carded_resident):
    with pytest.raises(Unauthenticated):
        _login(pin="0000")
    _login()
    with pytest.raises(Unauthenticated) as refused:
        _login(pin="0000")
    assert refused.value.extra == {"attempts_left": 2}


def test_unknown_card_is_refused_and_audited(db):
    with pytest.raises(Unauthenticated) as refused:
        _login(card_id="NOSUCHCARD1")
    assert refused.value.code == "unknown_card"
    assert _actions() == ["login.unknown_card"]


def test_replaced_card_is_refused_with_a_hint_to_use_the_new_one(carded_resident):
    services.card_replace(
        actor=OPERATOR, resident_id=carded_resident.pk, new_card_id="NEWCARD00001", pin="1357"
    )
    with pytest.raises(Unauthenticated) as refused:
        _login()
    assert refused.value.code == "card_replaced"


def test_deactivated_resident_cannot_sign_in(carded_resident):
    Resident.objects.filter(pk=carded_resident.pk).update(is_active=False)
    with pytest.raises(Forbidden):
        _login()


@pytest.mark.parametrize(
    ("card_id", "pin", "code"),
    [
        ("", "2468", "invalid_card_id"),
        ("SHORT", "2468", "invalid_card_id"),
        ("CARD1234567!", "2468", "invalid_card_id"),
        ("CARD12345678", "24680", "invalid_pin"),
        ("CARD12345678", "abcd", "invalid_pin"),
        (A_MY_NUMBER, "2468", "my_number"),
    ],
)
def test_malformed_login_input_is_refused_and_audited_without_the_input(
    carded_resident, card_id, pin, code
):
    with pytest.raises(Invalid) as refused:
        _login(card_id=card_id, pin=pin)

    assert refused.value.code == code
    event = AuditEvent.objects.get()
    assert event.action == "login.refused"
    assert event.detail == {"reason": code}
    assert Card.objects.get().failed_pin_attempts == 0


# --- registration ---------------------------------------------------------------------------


def _register(actor=OPERATOR, **fields):
    values = {
        "name": "佐藤 一郎",
        "birth_date": date(1950, 4, 1),
        "card_id": "NEWCARD12345",
        "pin": "1357",
    }
    values.update(fields)
    return services.resident_register(actor=actor, **values)


def test_staff_register_a_resident_with_card_district_and_role(city_staff):
    district = DistrictFactory(slug="kita")
    resident = _register(
        actor=city_staff, district="kita", roles=[services.RoleGrant.parse("city-office:member")]
    )

    assert resident.name == "佐藤 一郎"
    assert resident.given_name == "一郎"
    assert resident.district == district
    assert resident.age_band == "senior"
    card = resident.cards.get()
    assert card.card_hash == card_hash("NEWCARD12345")
    assert "NEWCARD12345" not in card.card_hash
    assert resident.roles.get().role == "member"
    event = AuditEvent.objects.get(action="resident.registered")
    assert event.actor_id == city_staff.pk
    assert event.target_id == str(resident.pk)


def test_a_resident_who_is_not_staff_cannot_register_anyone(resident):
    with pytest.raises(Forbidden):
        _register(actor=resident)
    assert not Card.objects.exists()


def test_a_child_is_registered_only_with_an_adult_guardians_card(db):
    guardian = CardFactory(card_id="GUARDIAN0001").resident

    with pytest.raises(Invalid) as refused:
        _register(name="佐藤 花子", birth_date=years_ago(9))
    assert "guardian_card_id" in refused.value.fields

    child = _register(name="佐藤 花子", birth_date=years_ago(9), guardian_card_id="GUARDIAN0001")
    assert GuardianLink.objects.filter(guardian=guardian, child=child).exists()
    assert child.display_name == "花子"


def test_a_child_cannot_be_the_guardian(db):
    CardFactory(card_id="CHILDCARD001", resident=ChildFactory())
    with translation.override("en"), pytest.raises(Invalid) as refused:
        _register(birth_date=years_ago(8), guardian_card_id="CHILDCARD001")
    assert refused.value.fields["guardian_card_id"] == ["The guardian must be an adult."]


def test_an_adult_is_not_registered_with_a_guardian(db):
    CardFactory(card_id="GUARDIAN0001")
    with pytest.raises(Invalid) as refused:
        _register(guardian_card_id="GUARDIAN0001")
    assert "guardian_card_id" in refused.value.fields


def test_registration_reports_every_bad_field_and_creates_nothing(db):
    CardFactory(card_id="TAKENCARD001")
    residents_before = Resident.objects.count()

    with pytest.raises(Invalid) as refused:
        _register(
            name="",
            birth_date=date(2999, 1, 1),
            card_id="TAKENCARD001",
            pin="12",
            district="nowhere",
            roles=[services.RoleGrant.parse("no-such-org:staff")],
        )

    assert set(refused.value.fields) == {
        "name",
        "birth_date",
        "card_id",
        "pin",
        "district",
        "roles",
    }
    assert Resident.objects.count() == residents_before


def test_a_my_number_given_as_card_or_name_is_refused_and_never_stored(db):
    with pytest.raises(Invalid) as refused:
        _register(card_id=A_MY_NUMBER, name_kana=A_MY_NUMBER)

    assert set(refused.value.fields) == {"card_id", "name_kana"}
    assert not Resident.objects.filter(name_kana=A_MY_NUMBER).exists()
    assert not Card.objects.filter(card_hash=card_hash(A_MY_NUMBER)).exists()


def test_a_child_holds_no_role_but_membership(db):
    CardFactory(card_id="GUARDIAN0001")
    CityOfficeFactory()
    with pytest.raises(Invalid) as refused:
        _register(
            birth_date=years_ago(12),
            guardian_card_id="GUARDIAN0001",
            roles=[services.RoleGrant.parse("city-office:staff")],
        )
    assert "roles" in refused.value.fields


# --- card care ----------------------------------------------------------------------------------


def test_staff_unlock_a_locked_card_and_the_resident_signs_in_again(carded_resident, city_staff):
    card = Card.objects.get(resident=carded_resident)
    Card.objects.filter(pk=card.pk).update(locked_at=timezone.now(), failed_pin_attempts=3)

    services.card_unlock(actor=city_staff, card_id=card.pk)

    card.refresh_from_db()
    assert not card.is_locked
    assert card.failed_pin_attempts == 0
    assert AuditEvent.objects.filter(action="card.unlocked", actor_id=city_staff.pk).exists()
    _login()


def test_only_staff_unlock_cards_and_only_locked_ones(carded_resident, city_staff):
    card = Card.objects.get(resident=carded_resident)
    with pytest.raises(Forbidden):
        services.card_unlock(actor=carded_resident, card_id=card.pk)
    with pytest.raises(Invalid):
        services.card_unlock(actor=city_staff, card_id=card.pk)
    with pytest.raises(NotFound):
        services.card_unlock(actor=city_staff, card_id=999999)


def test_a_renewed_card_keeps_the_same_resident(carded_resident, city_staff):
    services.card_replace(
        actor=city_staff, resident_id=carded_resident.pk, new_card_id="RENEWED00001", pin="9753"
    )

    _req, resident = _login(card_id="RENEWED00001", pin="9753")
    assert resident == carded_resident
    assert Resident.objects.count() == 2  # the resident and the staff member, nobody new
    assert carded_resident.cards.filter(retired_at__isnull=True).count() == 1


def test_a_card_registered_to_someone_else_cannot_be_linked(carded_resident, city_staff):
    other = CardFactory(card_id="OTHERCARD001").resident
    with pytest.raises(Invalid):
        services.card_replace(
            actor=city_staff, resident_id=other.pk, new_card_id="CARD12345678", pin="1111"
        )
    assert other.cards.get().retired_at is None


def test_looking_at_a_residents_record_is_audited(carded_resident, city_staff):
    resident_get_for_staff(actor=city_staff, resident_id=carded_resident.pk)
    event = AuditEvent.objects.get(action="resident.viewed")
    assert (event.actor_id, event.target_id) == (city_staff.pk, str(carded_resident.pk))


# --- reader devices -------------------------------------------------------------------------------


def test_a_registered_reader_authenticates_with_its_key_until_deactivated(city_staff):
    CityOfficeFactory()
    device, key = services.reader_device_register(
        actor=city_staff, name="公民館 受付", organisation_slug="city-office"
    )

    assert services.reader_device_authenticate(key=key) == device
    assert device.secret_hash not in key
    assert services.reader_device_authenticate(key=key[:-1] + "x") is None
    assert services.reader_device_authenticate(key="garbage") is None

    services.reader_device_deactivate(actor=city_staff, device_id=device.pk)
    assert services.reader_device_authenticate(key=key) is None


def test_only_staff_register_readers(resident):
    CityOfficeFactory()
    with pytest.raises(Forbidden):
        services.reader_device_register(actor=resident, name="x", organisation_slug="city-office")


# --- sessions -------------------------------------------------------------------------------------


def test_a_resident_ends_one_of_their_sessions_elsewhere(carded_resident):
    first, _r = _login()
    second, _r = _login()
    first_record = ResidentSession.objects.get(session_key=first.session.session_key)

    services.session_end(resident=carded_resident, session_id=first_record.pk)

    assert not first.session.exists(first.session.session_key)
    assert second.session.exists(second.session.session_key)
    assert list(ResidentSession.objects.values_list("session_key", flat=True)) == [
        second.session.session_key
    ]


def test_a_resident_cannot_end_someone_elses_session(carded_resident):
    request, _r = _login()
    record = ResidentSession.objects.get()
    with pytest.raises(NotFound):
        services.session_end(resident=ResidentFactory(), session_id=record.pk)
    assert request.session.exists(request.session.session_key)


def test_staff_searching_residents_is_audited_without_the_query(city_staff):
    from campus_social.identity.selectors import resident_search_for_staff

    list(resident_search_for_staff(actor=city_staff, query="山田"))

    event = AuditEvent.objects.get(action="resident.searched")
    assert event.actor_id == city_staff.pk
    assert "山田" not in str(event.detail)


@pytest.mark.parametrize(
    "day",
    [date(2026, 6, 15), date(2026, 2, 28), date(2026, 3, 1), date(2028, 2, 29), date(2025, 1, 1)],
)
def test_the_child_query_agrees_with_is_child_around_the_eighteenth_birthday(day):
    births = [date(2008, 2, 29), date(2010, 2, 28), date(2010, 3, 1)] + [
        date(day.year - CHILD_UNTIL_AGE, day.month, 1) + timedelta(days=offset)
        for offset in range(-3, 33)
    ]
    residents = [ResidentFactory(birth_date=born) for born in births]
    undated = ResidentFactory(birth_date=None)

    found = set(Resident.objects.filter(child_q(on=day)).values_list("pk", flat=True))

    expected = {r.pk for r in residents if age_on(r.birth_date, day) < CHILD_UNTIL_AGE}
    assert found == expected
    assert undated.pk not in found
