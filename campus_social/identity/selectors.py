"""Reads of identity data, each checked against the acting resident."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.cards import card_hash, parse_card_id, refuse_my_number
from campus_social.identity.models import (
    Card,
    District,
    GuardianLink,
    GuardianLinkRequest,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
    ResidentSession,
    SchoolPlacement,
    adult_born_on_or_before,
)
from campus_social.identity.values import (
    grade_label as grade_label,  # re-exported: the display helper
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


def organisation_readers(*, organisation_id: int) -> QuerySet[ReaderDevice]:
    """The active card readers of an organisation (a school's, for its programs' sessions)."""
    return ReaderDevice.objects.filter(organisation_id=organisation_id, is_active=True)


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


# --- Schools: pupils, their school year, guardians the school confirms -------------------------


def child_grade(*, child: Resident) -> int | None:
    """The child's school year (1–12) as the school recorded it, or ``None``."""
    return SchoolPlacement.objects.filter(child=child).values_list("school_year", flat=True).first()


def child_grades(*, child_ids: list[int]) -> dict[int, int]:
    """School years of many children at once (one query), for lists that show grade labels."""
    return dict(
        SchoolPlacement.objects.filter(child_id__in=child_ids).values_list(
            "child_id", "school_year"
        )
    )


def resident_is_school_coordinator(*, resident: object, school_id: int) -> bool:
    return (
        isinstance(resident, Resident)
        and OrganisationRole.objects.filter(
            resident=resident,
            organisation_id=school_id,
            organisation__kind=Organisation.Kind.SCHOOL,
            role=OrganisationRole.Role.COORDINATOR,
        ).exists()
    )


def schools_coordinated(*, resident: Resident) -> QuerySet[Organisation]:
    """The schools whose pupils this resident looks after (coordinator role), by name."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.SCHOOL,
        roles__resident=resident,
        roles__role=OrganisationRole.Role.COORDINATOR,
    ).order_by("name_kana", "name")


def school_list() -> QuerySet[Organisation]:
    """Every school, for a guardian choosing their child's."""
    return organisation_list(kind=Organisation.Kind.SCHOOL)


def school_get_for_coordinator(*, actor: Actor, school_id: int) -> Organisation:
    """The school, for one of its coordinators or city staff; others are refused with
    ``Forbidden`` ``not_a_coordinator`` (the list of schools is public, so this hides nothing).
    An unknown school, or an organisation that is no school, is not found."""
    school = Organisation.objects.filter(pk=school_id, kind=Organisation.Kind.SCHOOL).first()
    if school is None:
        raise NotFound(_("No such school."))
    if not (
        resident_is_city_staff(actor)
        or resident_is_school_coordinator(resident=actor, school_id=school.pk)
    ):
        raise Forbidden(_("Only the school's coordinators may do this."), code="not_a_coordinator")
    return school


def school_pupils(*, actor: Actor, school_id: int) -> QuerySet[SchoolPlacement]:
    """The school's pupils with their year, class and guardians, for its coordinators and city
    staff, youngest years first.  Reading them is access to children's personal data: audited."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    audit_record(actor=actor, action="school.pupils_viewed", target=school)
    return (
        SchoolPlacement.objects.filter(school=school)
        .select_related("child")
        .prefetch_related(
            Prefetch(
                "child__guardian_links",
                queryset=GuardianLink.objects.select_related("guardian").order_by("guardian_id"),
            )
        )
        .order_by("school_year", "class_name", "child__name_kana", "child_id")
    )


def school_pupil_get(*, actor: Actor, school_id: int, child_id: int) -> SchoolPlacement:
    """One pupil's placement, for the school's coordinators (a child of another school, or no
    child, is not found)."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    placement = (
        SchoolPlacement.objects.select_related("child", "school")
        .filter(school=school, child_id=child_id)
        .first()
    )
    if placement is None:
        raise NotFound(_("No such pupil at this school."))
    return placement


def child_placement_get(*, actor: Actor, child_id: int) -> SchoolPlacement:
    """A child's school, year and class — for the school's coordinators, the child's guardians,
    the child, and city staff; anyone else (or no placement) is not found.  A coordinator's or
    staff member's look is audited; the family's is not."""
    placement = (
        SchoolPlacement.objects.select_related("child", "school").filter(child_id=child_id).first()
    )
    if placement is None or not isinstance(actor, Resident | Operator):
        raise NotFound(_("No school is recorded for this child."))
    child = placement.child
    if isinstance(actor, Resident) and (
        actor.pk == child.pk or resident_is_guardian_of(guardian=actor, child=child)
    ):
        return placement
    if resident_is_city_staff(actor) or resident_is_school_coordinator(
        resident=actor, school_id=placement.school_id
    ):
        audit_record(actor=actor, action="school.pupil_viewed", target=child)
        return placement
    raise NotFound(_("No school is recorded for this child."))


def school_guardian_requests(*, actor: Actor, school_id: int) -> QuerySet[GuardianLinkRequest]:
    """Guardians' requests waiting for the school's answer, oldest first."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    return GuardianLinkRequest.objects.filter(
        school=school, status=GuardianLinkRequest.Status.PENDING
    ).select_related("guardian", "child")


def my_guardian_requests(*, resident: Resident) -> QuerySet[GuardianLinkRequest]:
    """The requests a guardian made, newest first, with the school's answer."""
    return (
        GuardianLinkRequest.objects.filter(guardian=resident)
        .select_related("child", "school")
        .order_by("-created_at", "-id")
    )
