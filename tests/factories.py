"""factory_boy factories for the core.  Cards are made through ``CardFactory(card_id=..., pin=...)``
so a test can sign in with the same values."""

from datetime import date, timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from campus_social.identity.cards import card_hash, parse_card_id
from campus_social.identity.models import (
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    Resident,
)
from campus_social.safeguarding.models import VettingRecord


def years_ago(years: int) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"第{n}地区")
    name_kana = factory.Sequence(lambda n: f"だい{n}ちく")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.OTHER


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    login_name = factory.Sequence(lambda n: f"resident-{n}")
    name = factory.Sequence(lambda n: f"山田 太郎{n}")
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    name_kana = "やまだ たろう"
    birth_date = factory.LazyFunction(lambda: years_ago(40))
    district = factory.SubFactory(DistrictFactory)
    language = "ja"


class ChildFactory(ResidentFactory):
    name = factory.Sequence(lambda n: f"山田 花子{n}")
    given_name = factory.Sequence(lambda n: f"花子{n}")
    birth_date = factory.LazyFunction(lambda: years_ago(10))


class SeniorFactory(ResidentFactory):
    birth_date = factory.LazyFunction(lambda: years_ago(72))


class CardFactory(factory.django.DjangoModelFactory):
    """``CardFactory(resident=..., card_id="CARD0001", pin="1234")``"""

    class Meta:
        model = Card
        exclude = ("card_id", "pin")

    resident = factory.SubFactory(ResidentFactory)
    card_id = factory.Sequence(lambda n: f"TESTCARD{n:06d}")
    pin = "1234"
    card_hash = factory.LazyAttribute(lambda o: card_hash(parse_card_id(o.card_id)))
    pin_hash = factory.LazyAttribute(lambda o: make_password(o.pin))


class CityOfficeFactory(OrganisationFactory):
    slug = "city-office"
    name = "市役所"
    kind = Organisation.Kind.CITY


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRole

    resident = factory.SubFactory(ResidentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationRole.Role.MEMBER


def make_city_staff(**fields: object) -> Resident:
    resident = ResidentFactory(**fields)
    RoleFactory(
        resident=resident, organisation=CityOfficeFactory(), role=OrganisationRole.Role.STAFF
    )
    return resident


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianLink

    guardian = factory.SubFactory(ResidentFactory)
    child = factory.SubFactory(ChildFactory)


class VettingRecordFactory(factory.django.DjangoModelFactory):
    """A vetting that is current today (checked a month ago, valid for a year)."""

    class Meta:
        model = VettingRecord

    resident = factory.SubFactory(ResidentFactory)
    checked_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=335))
