"""Reads of the consortium, each checked against the acting resident: the public catalogue,
a resident's own applications and credit, and a registrar's view of their university (its
agreements, its queue with the evidence the resident shared, its records).  A registrar of
another university gets ``NotFound``, as for an unknown university, and the attempt is
audited."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import Organisation, OrganisationRole, Resident
from consortium.models import (
    CreditAgreement,
    CreditApplication,
    CreditPolicy,
    CreditRecord,
    RegistrarSystemToken,
)
from consortium.values import (
    DEFAULT_CAP,
    HOURS_PER_CREDIT,
    ApplicationStatus,
    RecordStatus,
    Rounding,
    RoundingStep,
)
from courses import selectors as courses

# --- Universities, registrars and policies ------------------------------------------------------


def university_list() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.UNIVERSITY).order_by("name", "id")


def universities_with_policies() -> QuerySet[Organisation]:
    """Public: the universities with their cap and rounding (the defaults where they set
    none), in one query."""
    policy = CreditPolicy.objects.filter(university=OuterRef("pk"))
    return university_list().annotate(
        cap_credits=Coalesce(
            Subquery(policy.values("cap_credits")[:1]),
            Value(DEFAULT_CAP),
            output_field=DecimalField(),
        ),
        rounding=Coalesce(Subquery(policy.values("rounding")[:1]), Value(Rounding.DOWN)),
        rounding_step=Coalesce(
            Subquery(policy.values("rounding_step")[:1]), Value(RoundingStep.HALF)
        ),
    )


def registrar_universities(*, resident: object) -> QuerySet[Organisation]:
    """The universities the resident is a registrar of."""
    if not isinstance(resident, Resident):
        return Organisation.objects.none()
    return university_list().filter(
        roles__resident=resident, roles__role=OrganisationRole.Role.REGISTRAR
    )


def resident_is_registrar(*, resident: object, university_id: int) -> bool:
    return registrar_universities(resident=resident).filter(pk=university_id).exists()


def registrar_university_get(*, actor: object, university_id: object) -> Organisation:
    """The university the actor acts for as its registrar.  A resident who is no registrar
    anywhere gets ``Forbidden`` (``not_registrar``); a registrar of another university gets
    ``NotFound``, as for an unknown university, and the attempt is audited
    (``consortium.registrar_refused``)."""
    university = (
        university_list().filter(pk=university_id).first()
        if isinstance(university_id, int)
        else None
    )
    if university is not None and resident_is_registrar(
        resident=actor, university_id=university.pk
    ):
        return university
    if not registrar_universities(resident=actor).exists():
        raise Forbidden(_("Only a university's registrars may do this."), code="not_registrar")
    audit_record(
        actor=actor,
        action="consortium.registrar_refused",
        target=university,
        detail={"university": university_id if isinstance(university_id, int) else None},
    )
    raise NotFound(_("No such university."))


def policy_of(*, university_id: int) -> CreditPolicy:
    """The university's policy; the defaults (60 credits, rounded down to half a credit) when
    it set none (an unsaved row)."""
    policy = CreditPolicy.objects.filter(university_id=university_id).first()
    return policy or CreditPolicy(university_id=university_id)


def credits_for_hours(*, hours: int, policy: CreditPolicy) -> Decimal:
    """A course's hours ÷ 45, rounded as the university rounds: down or half up, to half a
    credit or a whole one."""
    step = Decimal(policy.rounding_step)
    mode = ROUND_HALF_UP if policy.rounding == Rounding.HALF_UP else ROUND_DOWN
    steps = (Decimal(hours) / HOURS_PER_CREDIT / step).quantize(Decimal(1), rounding=mode)
    return (steps * step).quantize(Decimal("0.1"))


# --- The catalogue ---------------------------------------------------------------------------


def agreement_in_force_q(*, on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def catalogue(*, on: date | None = None) -> QuerySet[CreditAgreement]:
    """Public: the agreements in force (today, or ``on``), which course counts where as which
    subject, for how many credits.  Course titles and hours come from ``courses.selectors``."""
    day = on or timezone.localdate()
    return (
        CreditAgreement.objects.filter(agreement_in_force_q(on=day))
        .select_related("university")
        .order_by("university__name", "subject_code", "id")
    )


def agreements_of(*, actor: object, university_id: object) -> QuerySet[CreditAgreement]:
    """Every agreement of the registrar's university, ended ones too."""
    university = registrar_university_get(actor=actor, university_id=university_id)
    return (
        CreditAgreement.objects.filter(university=university)
        .select_related("university")
        .order_by("subject_code", "id")
    )


def agreement_covering(
    *, university_id: int, course_id: int, starts_on: date | None, ends_on: date | None
) -> CreditAgreement | None:
    """The university's agreement for the course in force over the offering's whole dates."""
    if starts_on is None or ends_on is None:
        return None
    return (
        CreditAgreement.objects.filter(
            university_id=university_id, course_id=course_id, valid_from__lte=starts_on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=ends_on))
        .select_related("university")
        .order_by("-valid_from", "-id")
        .first()
    )


@dataclass(frozen=True)
class ApplyCandidate:
    """A completed credit-bearing offering of the resident's that a university's agreement
    covers over its dates."""

    offering_id: int
    course_title: str
    term: str
    university: Organisation
    agreement: CreditAgreement


def apply_candidates(*, resident: Resident, exclude: set[tuple[int, int]]) -> list[ApplyCandidate]:
    """What the resident may apply for: every (offering, university) pair where the resident
    completed the credit-bearing offering and an agreement of the university covers its course
    over the offering's whole dates (as ``agreement_covering``), except the pairs in
    ``exclude`` (applications still open).  Two queries however many completions and
    universities."""
    completions = [
        completion
        for completion in courses.resident_completions(resident=resident)
        if completion.offering.bears_credit
    ]
    if not completions:
        return []
    agreements = list(
        CreditAgreement.objects.filter(
            course_id__in={completion.offering.course_id for completion in completions}
        )
        .select_related("university")
        .order_by("university__name", "university_id", "-valid_from", "-id")
    )
    candidates: list[ApplyCandidate] = []
    for completion in completions:
        offering = completion.offering
        starts_on = (
            timezone.localdate(offering.first_session_at) if offering.first_session_at else None
        )
        ends_on = (
            timezone.localdate(offering.last_session_ends_at)
            if offering.last_session_ends_at
            else None
        )
        if starts_on is None or ends_on is None:
            continue
        chosen: dict[int, CreditAgreement] = {}
        for agreement in agreements:
            if (
                agreement.course_id == offering.course_id
                and agreement.university_id not in chosen
                and (offering.pk, agreement.university_id) not in exclude
                and agreement.valid_from <= starts_on
                and (agreement.valid_until is None or agreement.valid_until >= ends_on)
            ):
                chosen[agreement.university_id] = agreement
        candidates.extend(
            ApplyCandidate(
                offering_id=offering.pk,
                course_title=offering.course.title,
                term=offering.term,
                university=agreement.university,
                agreement=agreement,
            )
            for agreement in chosen.values()
        )
    return candidates


# --- Applications ------------------------------------------------------------------------------


def my_applications(*, resident: Resident) -> QuerySet[CreditApplication]:
    """The resident's applications, newest first, whatever their state."""
    return (
        CreditApplication.objects.filter(resident=resident)
        .select_related("university", "agreement")
        .order_by("-created_at", "-id")
    )


def my_application_get(*, actor: object, application_id: object) -> CreditApplication:
    """One of the actor's own applications; another resident's answers ``NotFound``."""
    application = (
        my_applications(resident=actor).filter(pk=application_id).first()
        if isinstance(actor, Resident) and isinstance(application_id, int)
        else None
    )
    if application is None:
        raise NotFound(_("No such application."))
    return application


def registrar_queue(*, actor: object, university_id: object) -> QuerySet[CreditApplication]:
    """The university's pending applications, the oldest first, each with the record its
    resident consented to share (attendance, completion, the lecturer's grade) and nothing
    else of theirs."""
    university = registrar_university_get(actor=actor, university_id=university_id)
    return (
        CreditApplication.objects.filter(university=university, status=ApplicationStatus.PENDING)
        .select_related("university", "agreement")
        .order_by("created_at", "id")
    )


# --- Credit records ------------------------------------------------------------------------------


def records_in_force() -> QuerySet[CreditRecord]:
    """Effective entries that no effective correction replaced: what counts."""
    return CreditRecord.objects.filter(status=RecordStatus.EFFECTIVE).exclude(
        corrections__status=RecordStatus.EFFECTIVE
    )


def credits_in_force(*, resident_id: int, university_id: int) -> Decimal:
    """The credit the university recognises for the resident now (what its cap counts)."""
    total = (
        records_in_force()
        .filter(resident_id=resident_id, university_id=university_id)
        .aggregate(total=Sum("credits"))["total"]
    )
    return Decimal(total or 0)


def credits_in_force_of(*, resident_ids: list[int], university_id: int) -> dict[int, Decimal]:
    """``credits_in_force`` for many residents at once (one query): the registrar's queue."""
    totals = dict(
        records_in_force()
        .filter(resident_id__in=resident_ids, university_id=university_id)
        .values("resident_id")
        .annotate(total=Sum("credits"))
        .values_list("resident_id", "total")
    )
    return {pk: Decimal(totals.get(pk) or 0) for pk in resident_ids}


def my_credit(*, resident: Resident) -> QuerySet[CreditRecord]:
    """Every entry in force of the resident's, across universities, the newest first."""
    return (
        records_in_force()
        .filter(resident=resident)
        .select_related("university", "agreement")
        .order_by("-created_at", "-id")
    )


def university_records(*, actor: object, university_id: object) -> QuerySet[CreditRecord]:
    """Every entry of the registrar's university — originals, corrections awaiting a second
    registrar, settled and refused ones — the newest first.  Only records shared with it."""
    university = registrar_university_get(actor=actor, university_id=university_id)
    return (
        CreditRecord.objects.filter(university=university)
        .select_related("university", "agreement", "application")
        .order_by("-created_at", "-id")
    )


def record_for_registrar(*, actor: object, record_id: object) -> CreditRecord:
    """One credit record, for a registrar of its university (``NotFound`` for anyone else;
    a registrar of another university is audited)."""
    record = (
        CreditRecord.objects.select_related("university", "agreement", "application")
        .filter(pk=record_id)
        .first()
        if isinstance(record_id, int)
        else None
    )
    if record is None:
        if registrar_universities(resident=actor).exists():
            raise NotFound(_("No such credit record."))
        raise Forbidden(_("Only a university's registrars may do this."), code="not_registrar")
    registrar_university_get(actor=actor, university_id=record.university_id)
    return record


# --- Registrars' systems -------------------------------------------------------------------------


def system_tokens_of(*, actor: object, university_id: object) -> QuerySet[RegistrarSystemToken]:
    """The university's tokens for its registrars, revoked ones too, the newest first (never
    their secrets: only a hash is kept)."""
    university = registrar_university_get(actor=actor, university_id=university_id)
    return RegistrarSystemToken.objects.filter(university=university).select_related(
        "created_by", "revoked_by"
    )


def system_queue(*, token: RegistrarSystemToken) -> QuerySet[CreditApplication]:
    """For a registrar's system: its university's pending applications, the oldest first, each
    with the record its resident consented to share (as ``registrar_queue``)."""
    return (
        CreditApplication.objects.filter(
            university_id=token.university_id, status=ApplicationStatus.PENDING
        )
        .select_related("university", "agreement")
        .order_by("created_at", "id")
    )


def records_for_export(
    *, actor: object, university_id: object, token: RegistrarSystemToken | None = None
) -> QuerySet[CreditRecord]:
    """Every credit entry shared with the university — originals and corrections, in force or
    not — for its registrars or its system's token (another university's: ``NotFound``), in
    the order they were written, with ``in_force`` and everything the CSV export names in one
    query."""
    if token is not None:
        if token.university_id != university_id:
            raise NotFound(_("No such university."))
        university: Organisation = token.university
    else:
        university = registrar_university_get(actor=actor, university_id=university_id)
    replaced = CreditRecord.objects.filter(corrects=OuterRef("pk"), status=RecordStatus.EFFECTIVE)
    return (
        CreditRecord.objects.filter(university=university)
        .annotate(replaced=Exists(replaced))
        .select_related(
            "agreement",
            "application__decided_by",
            "application__decided_by_token",
            "entered_by",
            "entered_by_token",
            "second_approver",
        )
        .order_by("created_at", "id")
    )
