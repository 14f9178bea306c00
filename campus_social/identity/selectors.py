"""Reads of identity data, each checked against the acting resident."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.cards import card_hash, parse_card_id, refuse_my_number
from campus_social.identity.models import (
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
    ResidentSession,
    adult_born_on_or_before,
)


class Operator:
    """The operator at the command line (``manage.py``), who acts with staff rights."""

    pk = None
    is_authenticated = True

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()
Actor = Resident | Operator


def resident_is_city_staff(resident: object) -> bool:
    if isinstance(resident, Operator):
        return True
    if not isinstance(resident, Resident) or not resident.is_active:
        return False
    return OrganisationRole.objects.filter(
        resident=resident,
        organisation__kind=Organisation.Kind.CITY,
        role=OrganisationRole.Role.STAFF,
    ).exists()


def city_staff_list() -> QuerySet[Resident]:
    """Active residents holding the staff role in the city office."""
    return Resident.objects.filter(
        is_active=True,
        roles__organisation__kind=Organisation.Kind.CITY,
        roles__role=OrganisationRole.Role.STAFF,
    ).distinct()


def require_city_staff(actor: object) -> None:
    """Raise ``Forbidden`` unless ``actor`` is city staff (or the operator)."""
    if not resident_is_city_staff(actor):
        raise Forbidden(_("Only city staff may do this."))


def resident_search_for_staff(*, actor: Actor, query: str = "") -> QuerySet[Resident]:
    """Residents whose name, reading or login name matches ``query``, for city staff.

    A query that is a My Number is refused (``Invalid``, code ``my_number``): residents are
    never looked up by it, and a refusal tells staff so instead of answering "nobody"."""
    require_city_staff(actor)
    residents = Resident.objects.select_related("district").order_by("name_kana", "name", "id")
    query = query.strip()
    refuse_my_number(query, field="q")
    if query:
        residents = residents.filter(
            Q(name__icontains=query) | Q(name_kana__icontains=query) | Q(login_name=query)
        )
        # Staff looking people up is access to personal data: audited (without the query,
        # which is itself a name).
        audit_record(actor=actor, action="resident.searched")
    return residents


def resident_get_for_staff(*, actor: Actor, resident_id: int) -> Resident:
    """One resident's record for city staff.  Every such look is audited."""
    require_city_staff(actor)
    try:
        resident = Resident.objects.select_related("district").get(pk=resident_id)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such resident.")) from None
    audit_record(actor=actor, action="resident.viewed", target=resident)
    return resident


def resident_cards(*, resident: Resident) -> QuerySet[Card]:
    return Card.objects.filter(resident=resident).order_by("-issued_at", "-id")


def resident_roles(*, resident: Resident) -> QuerySet[OrganisationRole]:
    return OrganisationRole.objects.filter(resident=resident).select_related("organisation")


def child_q(*, path: str = "", on: date | None = None) -> Q:
    """The residents who are children on ``on`` (today) — ``Resident.is_child`` as a query
    condition, so a caller can ask the database instead of loading everyone.  ``path`` leads to
    the resident from another model (``"resident__"``).  No birth date on record: not a child."""
    cutoff = adult_born_on_or_before(on or timezone.localdate())
    return Q(**{f"{path}birth_date__gt": cutoff})


def resident_children(*, resident: Resident) -> QuerySet[Resident]:
    return Resident.objects.filter(guardian_links__guardian=resident).order_by("birth_date")


def resident_guardians(*, resident: Resident) -> QuerySet[Resident]:
    return Resident.objects.filter(child_links__child=resident).order_by("name")


def resident_is_guardian_of(*, guardian: Resident, child: Resident) -> bool:
    return GuardianLink.objects.filter(guardian=guardian, child=child).exists()


def resident_sessions(*, resident: Resident) -> QuerySet[ResidentSession]:
    """The resident's sessions that have not expired, newest first."""
    return ResidentSession.objects.filter(resident=resident, expires_at__gt=timezone.now())


def district_list() -> QuerySet[District]:
    return District.objects.all()


def organisation_list(*, kind: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("district")
    return organisations.filter(kind=kind) if kind else organisations


def reader_device_list(*, actor: Actor) -> QuerySet[ReaderDevice]:
    require_city_staff(actor)
    return ReaderDevice.objects.select_related("organisation").order_by("-created_at")


def resident_profile(*, resident: Resident) -> dict[str, object]:
    """What a resident sees of themselves on "my page" and at ``GET /api/v1/me/``."""
    return {
        "id": resident.pk,
        "name": resident.name,
        "given_name": resident.given_name,
        "display_name": resident.display_name,
        "name_kana": resident.name_kana,
        "birth_date": resident.birth_date,
        "age_band": resident.age_band,
        "district": resident.district,
        "language": resident.language,
        "is_city_staff": resident_is_city_staff(resident),
        "roles": list(resident_roles(resident=resident)),
        "guardians": list(resident_guardians(resident=resident)),
        "children": list(resident_children(resident=resident)),
    }


def role_choices() -> list[tuple[str, str]]:
    """The roles a resident can hold in an organisation, as (code, label) pairs."""
    return [(code, str(label)) for code, label in OrganisationRole.Role.choices]


def card_holder(*, card_id: str) -> Resident | None:
    """The active resident whose current card this is (for a card tap at a venue), or ``None``.
    Raises ``Invalid`` for a malformed card id or a My Number."""
    card = (
        Card.objects.select_related("resident")
        .filter(card_hash=card_hash(parse_card_id(card_id)), retired_at__isnull=True)
        .first()
    )
    if card is None or card.is_locked or not card.resident.is_active:
        return None
    return card.resident
