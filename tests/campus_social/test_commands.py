"""The operator commands: resident_register, reader_device_register and seed_demo (what the
seeded demo town holds is in ``test_seed_demo.py``, which seeds it once for all its tests)."""

import re
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError

from campus_social.audit.models import AuditEvent
from campus_social.identity import services
from campus_social.identity.cards import card_hash, parse_card_id
from campus_social.identity.management.commands import seed_demo
from campus_social.identity.models import (
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
)
from tests.factories import (
    CardFactory,
    ChildFactory,
    CityOfficeFactory,
    DistrictFactory,
    OrganisationFactory,
)
from tests.values import A_MY_NUMBER

CARD_ID = "CARD20250001"
PIN = "2580"


@pytest.fixture
def town(db):
    DistrictFactory(slug="chuo", name="中央", name_kana="ちゅうおう")
    CityOfficeFactory()
    OrganisationFactory(slug="chuo-elementary", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def guardian(town):
    """An adult resident with card ``GUARD0001``."""
    return CardFactory(card_id="GUARD0001", pin="1111").resident


def register(*args: str, stdin: str | None = None) -> str:
    """Run ``resident_register`` and return what it printed (stdout and stderr)."""
    out, err = StringIO(), StringIO()
    options = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = StringIO(stdin)
    call_command("resident_register", *args, **options)
    return out.getvalue() + err.getvalue()


def register_refused(*args: str, stdin: str | None = None) -> str:
    """Run ``resident_register`` expecting a refusal; return everything it said."""
    out = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command(
            "resident_register",
            *args,
            stdout=out,
            stderr=out,
            **({"stdin": StringIO(stdin)} if stdin is not None else {}),
        )
    return out.getvalue() + str(refusal.value)


def adult_args(card_id: str = CARD_ID, *extra: str) -> list[str]:
    return [
        "--name=鈴木 一郎",
        "--birth-date=1980-04-01",
        f"--card-id={card_id}",
        f"--pin={PIN}",
        "--district=chuo",
        *extra,
    ]


def child_args(*extra: str) -> list[str]:
    return [
        "--name=鈴木 花子",
        "--birth-date=2016-06-01",
        "--card-id=CHILDCARD01",
        f"--pin={PIN}",
        "--district=chuo",
        *extra,
    ]


# --- resident_register ------------------------------------------------------------------------


def test_registering_a_resident_creates_the_card_and_roles_and_prints_only_the_new_id(town):
    output = register(
        *adult_args(
            CARD_ID,
            "--name-kana=すずき いちろう",
            "--role=city-office:staff",
            "--role",
            "chuo-elementary:teacher",
            "--language=en",
        )
    )

    resident = Resident.objects.get()
    assert output.strip().splitlines() == [output.strip()]  # one line
    assert re.search(rf"\b{resident.pk}\b", output)
    assert PIN not in output
    assert CARD_ID not in output
    assert resident.name == "鈴木 一郎"
    assert resident.given_name == "一郎"
    assert resident.name_kana == "すずき いちろう"
    assert resident.district.slug == "chuo"
    assert resident.language == "en"
    card = Card.objects.get(resident=resident)
    assert card.card_hash == card_hash(parse_card_id(CARD_ID))
    assert check_password(PIN, card.pin_hash)
    assert set(resident.roles.values_list("organisation__slug", "role")) == {
        ("city-office", "staff"),
        ("chuo-elementary", "teacher"),
    }
    assert AuditEvent.objects.filter(action="resident.registered").count() == 1


def test_a_child_with_an_adult_guardians_card_is_linked_to_that_guardian(guardian):
    register(*child_args("--guardian=GUARD0001", "--role=chuo-elementary:member"))

    child = Resident.objects.get(name="鈴木 花子")
    assert child.is_child
    assert GuardianLink.objects.filter(guardian=guardian, child=child).exists()


def test_a_child_without_a_guardian_is_refused_and_nothing_is_created(town):
    said = register_refused(*child_args())

    assert "--guardian" in said
    assert not Resident.objects.exists()
    assert not Card.objects.exists()


def test_a_child_whose_guardian_is_also_a_child_is_refused(town):
    CardFactory(card_id="KIDCARD01", resident=ChildFactory())

    said = register_refused(*child_args("--guardian=KIDCARD01"))

    assert "--guardian" in said
    assert Resident.objects.count() == 1


def test_a_my_number_as_card_id_is_refused_and_never_printed(town):
    said = register_refused(*adult_args(A_MY_NUMBER))

    assert "--card-id" in said
    assert A_MY_NUMBER not in said
    assert PIN not in said
    assert not Resident.objects.exists()
    assert A_MY_NUMBER not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize(
    ("extra", "option", "named"),
    [
        (["--district=atlantis"], "--district", "atlantis"),
        (["--role=no-such-org:staff"], "--role", "no-such-org"),
        (["--role=city-office:mayor"], "--role", "mayor"),
        (["--role=city-office"], "--role", "staff"),  # no role given: the valid ones are listed
    ],
)
def test_an_unknown_district_organisation_or_role_is_refused(town, extra, option, named):
    said = register_refused(*adult_args(CARD_ID, *extra))

    assert f"{option}:" in said
    assert named in said
    assert not Resident.objects.exists()


def test_every_problem_is_listed_at_once_with_its_option(town):
    said = register_refused(
        "--name=鈴木 一郎",
        "--birth-date=01/04/1980",
        "--card-id=short",
        "--pin=12",
        "--district=atlantis",
    )

    for option in ("--birth-date:", "--card-id:", "--pin:", "--district:"):
        assert option in said
    assert "YYYY-MM-DD" in said
    assert not Resident.objects.exists()


def test_a_birth_date_in_the_wrong_format_is_refused_clearly(town):
    said = register_refused(*adult_args(CARD_ID), "--birth-date=1980-02-30")

    assert "--birth-date:" in said
    assert "YYYY-MM-DD" in said
    assert not Resident.objects.exists()


def test_a_card_that_is_already_registered_is_refused(town):
    CardFactory(card_id=CARD_ID)

    said = register_refused(*adult_args(CARD_ID))

    assert "--card-id:" in said
    assert CARD_ID not in said
    assert Resident.objects.count() == 1


def test_the_pin_is_read_from_standard_input_when_not_given(town):
    args = [arg for arg in adult_args(CARD_ID) if not arg.startswith("--pin")]

    output = register(*args, stdin=f"{PIN}\n")

    assert PIN not in output
    card = Card.objects.get()
    assert check_password(PIN, card.pin_hash)


def test_empty_standard_input_instead_of_a_pin_is_refused(town):
    args = [arg for arg in adult_args(CARD_ID) if not arg.startswith("--pin")]

    register_refused(*args, stdin="")

    assert not Resident.objects.exists()


# --- reader_device_register -------------------------------------------------------------------


def test_a_registered_reader_gets_a_key_shown_once_that_authenticates_it(town):
    out = StringIO()
    call_command(
        "reader_device_register", "--name=公民館 1F", "--organisation=city-office", stdout=out
    )

    device = ReaderDevice.objects.get()
    assert str(device.pk) in out.getvalue()
    key = re.search(r"\b[0-9a-f]{12}\.[A-Za-z0-9_-]{20,}", out.getvalue()).group(0)
    assert services.reader_device_authenticate(key=key) == device
    assert device.organisation.slug == "city-office"
    assert key.partition(".")[2] not in device.secret_hash


def test_a_reader_for_an_unknown_organisation_is_refused(town):
    with pytest.raises(CommandError, match="--organisation"):
        call_command(
            "reader_device_register", "--name=公民館", "--organisation=nowhere", stdout=StringIO()
        )
    assert not ReaderDevice.objects.exists()


# --- seed_demo: run twice, or in production (each test seeds its own town) ----------------------


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--no-progress", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            District,
            Organisation,
            Resident,
            Card,
            GuardianLink,
            OrganisationRole,
            AuditEvent,
        )
    }


def test_running_seed_demo_twice_creates_and_changes_nothing(db):
    seed()
    before = counts()
    residents_before = list(
        Resident.objects.order_by("login_name").values_list(
            "login_name", "name", "name_kana", "birth_date", "district__slug"
        )
    )

    output = seed()

    assert counts() == before
    assert (
        list(
            Resident.objects.order_by("login_name").values_list(
                "login_name", "name", "name_kana", "birth_date", "district__slug"
            )
        )
        == residents_before
    )
    assert "nothing was changed" in output


def test_seed_demo_is_the_same_town_every_time(db):
    today = seed_demo.timezone.localdate()

    assert seed_demo.crowd_specs(today) == seed_demo.crowd_specs(today)


def test_seed_demo_is_refused_in_production_mode(db, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert not Resident.objects.exists()


def test_the_demo_guide_lists_every_persona_with_card_and_pin():
    guide = (django_settings.BASE_DIR / "docs" / "demo.md").read_text(encoding="utf-8")

    for persona in seed_demo.PERSONAS:
        row = next((line for line in guide.splitlines() if persona.card_id in line), "")
        assert persona.name in row
        assert persona.pin in row
