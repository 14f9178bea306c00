"""A small consortium town: universities with registrars, a credit-bearing offering that ended,
and a resident who completed it."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from campus_social.identity.models import Organisation, OrganisationRole, Resident
from consortium import services
from consortium.models import CreditAgreement, CreditApplication
from courses.models import Completion, Offering
from tests.courses.factories import OfferingFactory
from tests.factories import OrganisationFactory, ResidentFactory, RoleFactory


def university(slug: str = "minato-u", name: str = "みなと大学") -> Organisation:
    return OrganisationFactory(slug=slug, name=name, kind=Organisation.Kind.UNIVERSITY)


def registrar(of: Organisation) -> Resident:
    person = ResidentFactory()
    RoleFactory(resident=person, organisation=of, role=OrganisationRole.Role.REGISTRAR)
    return person


def ended_offering(*, hours: tuple[int, int] = (15, 30), bears_credit: bool = True) -> Offering:
    """A credit-bearing offering that met twice, 60 and 53 days ago (45 hours of study)."""
    start = timezone.now() - timedelta(days=60)
    return OfferingFactory(
        sessions=[start, start + timedelta(days=7)],
        bears_credit=bears_credit,
        term="2026 秋",
        course__class_hours=hours[0],
        course__self_study_hours=hours[1],
    )


def completed(offering: Offering, resident: Resident | None = None) -> Resident:
    person = resident or ResidentFactory()
    Completion.objects.create(
        offering=offering, resident=person, sessions_attended=2, sessions_held=2, grade="A"
    )
    return person


def agreement(
    of: Organisation,
    offering: Offering,
    *,
    by: Resident | None = None,
    credits: str = "1",
    **values: Any,
) -> CreditAgreement:
    fields: dict[str, Any] = {
        "subject_code": "LOC101",
        "subject_name": "地域学入門",
        "credits": Decimal(credits),
        "grading": "scale",
        "grades": ["S", "A", "B", "C"],
        "valid_from": date(2020, 4, 1),
        **values,
    }
    return services.agreement_create(
        actor=by or registrar(of), university_id=of.pk, course_id=offering.course_id, **fields
    )


def apply(resident: Resident, offering: Offering, at: Organisation) -> CreditApplication:
    _agreement, record = services.application_preview(
        actor=resident, offering_id=offering.pk, university_id=at.pk
    )
    return services.credit_apply(
        actor=resident,
        offering_id=offering.pk,
        university_id=at.pk,
        consent=True,
        digest=services.record_digest(record),
    )
