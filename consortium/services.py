"""Writes of the consortium: a university's policy and credit agreements (its registrars),
a resident's application with consent and its withdrawal, the registrar's decision, and
corrections that a second registrar approves.

Every change is in the audit log (``consortium.*``), and so is every refusal the issue names
(applying without completion, twice, with no agreement, without consent; acting for another
university; approving past the cap).  A refusal is audited before it is raised and writes
nothing else.  Credit records are only ever appended.
"""

import functools
import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from campus_social.notifications.services import notification_send_translated
from campus_social.safeguarding.selectors import acts_through_guardian
from consortium import credit_credentials, selectors
from consortium.models import (
    CreditAgreement,
    CreditApplication,
    CreditPolicy,
    CreditRecord,
    RegistrarSystemToken,
)
from consortium.values import (
    OPEN_APPLICATION,
    PASS_GRADE,
    ApplicationStatus,
    Grading,
    RecordKind,
    RecordStatus,
    Rounding,
    RoundingStep,
)
from courses import selectors as courses

P = ParamSpec("P")
R = TypeVar("R")

NOTIFY_CREDIT = "consortium.credit"
MAX_CREDITS = Decimal("30")
MAX_CAP = Decimal("200")
GRADE_MAX_LENGTH = 20
MAX_GRADES = 10
REASON_MAX_LENGTH = 2000

# --- Helpers ------------------------------------------------------------------------------------


class _Refusal(Exception):
    """A refusal to audit once the service's transaction has rolled back (an audit entry
    written inside it would roll back with it)."""

    def __init__(self, error: ServiceError, action: str, target: Any, detail: dict[str, Any]):
        super().__init__(error.message)
        self.error, self.action, self.target, self.detail = error, action, target, detail


def _refuse(
    error: ServiceError,
    *,
    actor: Resident | None,
    action: str,
    target: Any = None,
    **detail: object,
) -> NoReturn:
    """Refuse with ``error`` and record the refusal (one the issue names) in the audit log:
    the service is wrapped in ``_audited_refusals``, which writes the entry once the service's
    transaction rolled back, so that nothing but the entry is stored."""
    raise _Refusal(error, action, target, {"code": error.code, **detail})


def _audited_refusals(service: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except _Refusal as refusal:
            audit_record(
                actor=kwargs.get("actor"),
                action=refusal.action,
                target=refusal.target,
                detail=refusal.detail,
            )
            raise refusal.error from None

    return run


def _fail(errors: dict[str, list[str]], *, code: str = "invalid") -> None:
    if errors:
        raise Invalid(
            _("Some of the information is not valid. Please check it."), code=code, fields=errors
        )


def _short_text(errors: dict[str, list[str]], field: str, value: object, limit: int) -> str:
    text = ""
    if isinstance(value, str):
        try:
            text = text_clean(value).strip()
        except Invalid as refusal:
            errors.setdefault(field, []).append(refusal.message)
            return ""
    if not text:
        errors.setdefault(field, []).append(_("Please fill this in."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("Please use at most %(limit)d characters.") % {"limit": limit}
        )
    return text


def _reason(value: object, *, required: bool, field: str = "reason") -> str:
    text = ""
    if isinstance(value, str):
        try:
            text = text_clean(value, multiline=True).strip()
        except Invalid as refusal:
            raise Invalid(refusal.message, fields={field: [refusal.message]}) from None
    if required and not text:
        message = _("Please give a reason.")
        raise Invalid(message, code="reason_required", fields={field: [message]})
    if len(text) > REASON_MAX_LENGTH:
        message = _("Please use at most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}
        raise Invalid(message, fields={field: [message]})
    return text


def _credits(
    errors: dict[str, list[str]], field: str, value: object, *, low: Decimal, high: Decimal
) -> Decimal:
    try:
        number = Decimal(str(value)) if isinstance(value, (int, str, Decimal)) else None
    except InvalidOperation:
        number = None
    if (
        number is None
        or not number.is_finite()
        or number < low
        or number > high
        or number != number.quantize(Decimal("0.1"))
    ):
        errors.setdefault(field, []).append(
            _("Credits are a number from %(low)s to %(high)s, to one decimal place.")
            % {"low": low, "high": high}
        )
        return Decimal(0)
    return number.quantize(Decimal("0.1"))


def _grade_valid(agreement: CreditAgreement, grade: object) -> str:
    """The grade, if the agreement's grading has it; ``Invalid`` (``invalid_grade``) if not."""
    grades = [PASS_GRADE] if agreement.grading == Grading.PASS_FAIL else list(agreement.grades)
    if isinstance(grade, str) and grade.strip() in grades:
        return grade.strip()
    message = _("Choose one of this subject's grades: %(grades)s.") % {"grades": ", ".join(grades)}
    raise Invalid(message, code="invalid_grade", fields={"grade": [message]})


def _policy_locked(university_id: int) -> CreditPolicy:
    """The university's policy row, made if missing, locked: approvals at one university are
    counted against its cap one at a time."""
    CreditPolicy.objects.get_or_create(university_id=university_id)
    return CreditPolicy.objects.select_for_update().get(university_id=university_id)


def _check_cap(
    *,
    actor: Resident | None,
    policy: CreditPolicy,
    resident_id: int,
    adding: Decimal,
    target: Any,
    **detail: object,
) -> None:
    """Refuse (audited, ``over_cap``) when ``adding`` credits would take the resident's credit
    in force at the university past its cap."""
    held = selectors.credits_in_force(resident_id=resident_id, university_id=policy.university_id)
    if held + adding > policy.cap_credits:
        _refuse(
            Conflict(
                _(
                    "This would take the learner's credit at this university to %(total)s, "
                    "past its cap of %(cap)s credits (%(left)s left)."
                )
                % {
                    "total": held + adding,
                    "cap": policy.cap_credits,
                    "left": max(policy.cap_credits - held, Decimal(0)),
                },
                code="over_cap",
            ),
            actor=actor,
            action="consortium.cap_refused",
            target=target,
            **detail,
        )


def _notify(application: CreditApplication, title: Any) -> None:
    resident = application.resident
    params = {
        "subject": application.agreement.subject_name,
        "university": application.university.name,
    }
    transaction.on_commit(
        lambda: notification_send_translated(
            resident=resident,
            kind=NOTIFY_CREDIT,
            title_template=title,
            params=params,
            url="/me/",
        )
    )


# --- Policy -------------------------------------------------------------------------------------


@_audited_refusals
def policy_set(
    *,
    actor: Resident,
    university_id: int,
    cap_credits: object,
    rounding: str,
    rounding_step: str,
) -> CreditPolicy:
    """A registrar sets their university's cap and rounding.  Audited."""
    university = selectors.registrar_university_get(actor=actor, university_id=university_id)
    errors: dict[str, list[str]] = {}
    cap = _credits(errors, "cap_credits", cap_credits, low=Decimal(0), high=MAX_CAP)
    if rounding not in Rounding.values:
        errors.setdefault("rounding", []).append(_("Please choose one of the options."))
    if rounding_step not in RoundingStep.values:
        errors.setdefault("rounding_step", []).append(_("Please choose one of the options."))
    _fail(errors)
    with transaction.atomic():
        policy = _policy_locked(university.pk)
        policy.cap_credits = cap
        policy.rounding = rounding
        policy.rounding_step = rounding_step
        policy.updated_at = timezone.now()
        policy.updated_by = actor
        policy.save()
        audit_record(
            actor=actor,
            action="consortium.policy_set",
            target=policy,
            detail={"cap": str(cap), "rounding": rounding, "step": rounding_step},
        )
    return policy


# --- Agreements ---------------------------------------------------------------------------------


@_audited_refusals
def agreement_create(
    *,
    actor: Resident,
    university_id: int,
    course_id: int,
    subject_code: str,
    subject_name: str,
    credits: object,
    grading: str,
    valid_from: date,
    grades: list[str] | None = None,
    valid_until: date | None = None,
    mismatch_reason: str = "",
) -> CreditAgreement:
    """A registrar's university recognises a course as a subject for a number of credits.

    The credits are checked against the course's class and self-study hours ÷ 45, rounded as
    the university rounds: when they differ, ``mismatch_reason`` must say why (``Invalid``
    ``credits_mismatch`` otherwise, naming the expected number).  A scale lists 2–10 distinct
    grades, best first; pass/fail lists none.  An agreement of the same university for the same
    course whose dates overlap answers ``Conflict`` (``agreement_overlaps``).  Audited."""
    university = selectors.registrar_university_get(actor=actor, university_id=university_id)
    course = courses.credit_course_get(course_id=course_id)
    errors: dict[str, list[str]] = {}
    code = _short_text(errors, "subject_code", subject_code, 32)
    name = _short_text(errors, "subject_name", subject_name, 200)
    number = _credits(errors, "credits", credits, low=Decimal("0.5"), high=MAX_CREDITS)
    scale: list[str] = []
    if grading == Grading.SCALE:
        scale = [g.strip() for g in grades or [] if isinstance(g, str) and g.strip()]
        if (
            not 2 <= len(scale) <= MAX_GRADES
            or len(set(scale)) != len(scale)
            or any(len(g) > GRADE_MAX_LENGTH for g in scale)
        ):
            errors.setdefault("grades", []).append(
                _("A scale lists 2 to %(most)d different grades, best first.")
                % {"most": MAX_GRADES}
            )
    elif grading != Grading.PASS_FAIL:
        errors.setdefault("grading", []).append(_("Please choose one of the options."))
    if valid_until is not None and valid_until < valid_from:
        errors.setdefault("valid_until", []).append(_("The end must not be before the start."))
    _fail(errors)
    reason = _reason(mismatch_reason, required=False, field="mismatch_reason")
    expected = selectors.credits_for_hours(
        hours=course.study_hours, policy=selectors.policy_of(university_id=university.pk)
    )
    if number != expected and not reason:
        message = _(
            "The course declares %(hours)d hours of study, which is %(expected)s credits at "
            "45 hours a credit after rounding. Say why this agreement gives %(credits)s."
        ) % {"hours": course.study_hours, "expected": expected, "credits": number}
        raise Invalid(message, code="credits_mismatch", fields={"mismatch_reason": [message]})
    with transaction.atomic():
        _policy_locked(university.pk)  # one agreement at a time per university: no overlaps
        overlapping = CreditAgreement.objects.filter(
            university=university, course_id=course.id
        ).exclude(valid_until__lt=valid_from)
        if valid_until is not None:
            overlapping = overlapping.exclude(valid_from__gt=valid_until)
        if overlapping.exists():
            raise Conflict(
                _("This university already has an agreement for this course over these dates."),
                code="agreement_overlaps",
            )
        agreement = CreditAgreement.objects.create(
            university=university,
            course_id=course.id,
            subject_code=code,
            subject_name=name,
            credits=number,
            grading=grading,
            grades=scale,
            valid_from=valid_from,
            valid_until=valid_until,
            mismatch_reason=reason,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="consortium.agreement_created",
            target=agreement,
            detail={"credits": str(number), "expected": str(expected)},
        )
    return agreement


@_audited_refusals
def agreement_end(*, actor: Resident, agreement_id: int, valid_until: date) -> CreditAgreement:
    """A registrar ends their university's agreement on a day (not before it starts, and not
    later than an end it already has).  Applications made under it are still decided.
    Audited."""
    university_id = (
        CreditAgreement.objects.filter(pk=agreement_id)
        .values_list("university_id", flat=True)
        .first()
        if isinstance(agreement_id, int)
        else None
    )
    if university_id is None:
        if not selectors.registrar_universities(resident=actor).exists():
            raise Forbidden(_("Only a university's registrars may do this."), code="not_registrar")
        raise NotFound(_("No such agreement."))
    # Before the transaction, so that a refusal's audit entry stays.
    selectors.registrar_university_get(actor=actor, university_id=university_id)
    with transaction.atomic():
        agreement = CreditAgreement.objects.select_for_update().get(pk=agreement_id)
        if agreement.valid_until is not None and valid_until >= agreement.valid_until:
            raise Conflict(_("This agreement already ends by then."), code="already_ends")
        if valid_until < agreement.valid_from:
            raise Conflict(_("An agreement cannot end before it starts."), code="ends_before_start")
        agreement.valid_until = valid_until
        agreement.ended_at = timezone.now()
        agreement.ended_by = actor
        agreement.save(update_fields=["valid_until", "ended_at", "ended_by"])
        audit_record(
            actor=actor,
            action="consortium.agreement_ended",
            target=agreement,
            detail={"valid_until": valid_until.isoformat()},
        )
    return agreement


# --- Applications -------------------------------------------------------------------------------


def record_digest(record: dict[str, Any]) -> str:
    """A fingerprint of a shared record: the resident consents to the record with this
    digest, and exactly that record is stored."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def application_preview(
    *, actor: Resident, offering_id: int, university_id: int
) -> tuple[CreditAgreement, dict[str, Any]]:
    """What applying would share with the university — shown to the resident before they
    consent — and the agreement it would be judged under.  Refusals as ``credit_apply``'s
    (not audited: nothing was asked yet)."""
    return _application_basis(actor=actor, offering_id=offering_id, university_id=university_id)


def _application_basis(
    *, actor: Resident, offering_id: int, university_id: int, audit: bool = False
) -> tuple[CreditAgreement, dict[str, Any]]:
    detail = {"offering": offering_id, "university": university_id}

    def refuse(error: ServiceError) -> NoReturn:
        if audit:
            _refuse(error, actor=actor, action="consortium.application_refused", **detail)
        raise error

    if acts_through_guardian(resident=actor):
        # Sharing a record commits the learner: a child commits to nothing by themselves, and
        # a university would see more of a child than their given name.
        refuse(Forbidden(_("Only adults apply for university credit."), code="adults_only"))
    university = selectors.university_list().filter(pk=university_id).first()
    if university is None:
        refuse(NotFound(_("No such university.")))
    evidence = courses.credit_evidence(offering_id=offering_id, resident_id=actor.pk)
    if evidence is None:
        refuse(
            Conflict(
                _("You can apply for credit only for an offering you completed."),
                code="not_completed",
            )
        )
    if not evidence.bears_credit:
        refuse(Conflict(_("This offering does not bear credit."), code="no_credit"))
    agreement = selectors.agreement_covering(
        university_id=university.pk,
        course_id=evidence.course.id,
        starts_on=evidence.starts_on,
        ends_on=evidence.ends_on,
    )
    if agreement is None:
        refuse(
            Conflict(
                _("This university has no credit agreement for this course on its dates."),
                code="no_agreement",
            )
        )
    record = {
        "name": actor.name,
        "course": evidence.course.title,
        "term": evidence.term,
        "starts_on": evidence.starts_on.isoformat() if evidence.starts_on else None,
        "ends_on": evidence.ends_on.isoformat() if evidence.ends_on else None,
        "class_hours": evidence.course.class_hours,
        "self_study_hours": evidence.course.self_study_hours,
        "completed_on": timezone.localdate(evidence.completed_at).isoformat(),
        "sessions_attended": evidence.sessions_attended,
        "sessions_held": evidence.sessions_held,
        "lecturer_grade": evidence.grade,
        "university": university.name,
        "subject_code": agreement.subject_code,
        "subject_name": agreement.subject_name,
        "credits": str(agreement.credits),
    }
    return agreement, record


@_audited_refusals
def credit_apply(
    *, actor: Resident, offering_id: int, university_id: int, consent: bool, digest: str
) -> CreditApplication:
    """The resident applies to a university for credit for an offering they completed.

    ``consent`` must be ``True`` and ``digest`` that of the record ``application_preview``
    showed them: exactly that record is stored and shared with the university.  Refused, audited
    (``consortium.application_refused``) and nothing stored: no completion (``not_completed``),
    an offering without credit (``no_credit``), no agreement of that university covering the
    course on the offering's dates (``no_agreement``), a pending or approved application for it
    there already (``already_applied``), no consent (``consent_required``) or a record that
    changed since it was shown (``record_changed``).  A child is refused (``adults_only``): a
    child commits to nothing by themselves."""
    detail = {"offering": offering_id, "university": university_id}
    agreement, record = _application_basis(
        actor=actor, offering_id=offering_id, university_id=university_id, audit=True
    )
    if CreditApplication.objects.filter(
        resident=actor,
        offering_id=offering_id,
        university_id=university_id,
        status__in=OPEN_APPLICATION,
    ).exists():
        _refuse(
            Conflict(_("You already applied for this offering there."), code="already_applied"),
            actor=actor,
            action="consortium.application_refused",
            **detail,
        )
    if consent is not True:
        message = _("Tick that you agree to share this record with the university.")
        _refuse(
            Invalid(message, code="consent_required", fields={"consent": [message]}),
            actor=actor,
            action="consortium.application_refused",
            **detail,
        )
    if digest != record_digest(record):
        _refuse(
            Conflict(
                _("The record changed since it was shown to you. Please look at it again."),
                code="record_changed",
            ),
            actor=actor,
            action="consortium.application_refused",
            **detail,
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            application = _application_create(
                actor, offering_id, university_id, agreement, record, now
            )
    except IntegrityError:
        # Another request applied for the same offering there a moment before this one.
        _refuse(
            Conflict(_("You already applied for this offering there."), code="already_applied"),
            actor=actor,
            action="consortium.application_refused",
            **detail,
        )
    return application


def _application_create(
    actor: Resident,
    offering_id: int,
    university_id: int,
    agreement: CreditAgreement,
    record: dict[str, Any],
    now: datetime,
) -> CreditApplication:
    with transaction.atomic():
        application = CreditApplication.objects.create(
            resident=actor,
            offering_id=offering_id,
            university_id=university_id,
            agreement=agreement,
            shared_record=record,
            consented_at=now,
            created_at=now,
        )
        audit_record(actor=actor, action="consortium.application_made", target=application)
    return application


def credit_withdraw(*, actor: Resident, application_id: int) -> CreditApplication:
    """The resident withdraws their consent, until the registrar decided (``Conflict``
    ``decided`` after).  The university no longer sees the application in its queue.  Audited."""
    with transaction.atomic():
        application = (
            CreditApplication.objects.select_for_update()
            .filter(pk=application_id, resident=actor)
            .first()
        )
        if application is None:
            raise NotFound(_("No such application."))
        if application.status != ApplicationStatus.PENDING:
            raise Conflict(_("This application was already decided or withdrawn."), code="decided")
        application.status = ApplicationStatus.WITHDRAWN
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["status", "withdrawn_at"])
        audit_record(actor=actor, action="consortium.consent_withdrawn", target=application)
    return application


def _check_registrar_of_application(actor: Resident, application_id: int) -> None:
    """Before the service's transaction, so that a refusal's audit entry stays."""
    university_id = (
        CreditApplication.objects.filter(pk=application_id)
        .values_list("university_id", flat=True)
        .first()
        if isinstance(application_id, int)
        else None
    )
    if university_id is None:
        if not selectors.registrar_universities(resident=actor).exists():
            raise Forbidden(_("Only a university's registrars may do this."), code="not_registrar")
        raise NotFound(_("No such application."))
    selectors.registrar_university_get(actor=actor, university_id=university_id)


_APPROVED = gettext_lazy("%(university)s recognised %(subject)s: your credit is recorded")
_REJECTED = gettext_lazy("%(university)s did not recognise %(subject)s")


@_audited_refusals
def credit_decide(
    *,
    actor: Resident,
    application_id: int,
    approve: bool,
    grade: str = "",
    reason: str = "",
) -> CreditApplication:
    """A registrar of the application's university approves it with a grade of the
    agreement's grading (``pass`` for pass/fail) — which appends an effective credit record —
    or rejects it with a reason.  The cap counts the resident's credit in force at that
    university (``Conflict`` ``over_cap``, audited).  A withdrawn application answers
    ``Conflict`` ``withdrawn`` (audited), a decided one ``decided``.  The resident is told.
    Audited."""
    _check_registrar_of_application(actor, application_id)
    return _decide(
        actor=actor,
        token=None,
        application_id=application_id,
        approve=approve,
        grade=grade,
        reason=reason,
    )


@_audited_refusals
def credit_decide_by_system(
    *,
    token: RegistrarSystemToken,
    application_id: int,
    approve: bool,
    grade: str = "",
    reason: str = "",
) -> CreditApplication:
    """A registrar's system decides, with its university's token: the same rules as
    ``credit_decide``.  The decision and the record it appends name the token, not a resident
    (``decided_by`` and ``entered_by`` stay empty); every audit entry names the token.  An
    application of another university answers ``NotFound``, as an unknown one (audited
    ``consortium.system_refused``)."""
    university_id = (
        CreditApplication.objects.filter(pk=application_id)
        .values_list("university_id", flat=True)
        .first()
        if isinstance(application_id, int)
        else None
    )
    if university_id != token.university_id:
        if university_id is not None:
            audit_record(
                actor=None,
                action="consortium.system_refused",
                detail={"token": token.pk, "application": application_id},
            )
        raise NotFound(_("No such application."))
    return _decide(
        actor=None,
        token=token,
        application_id=application_id,
        approve=approve,
        grade=grade,
        reason=reason,
    )


def _decide(
    *,
    actor: Resident | None,
    token: RegistrarSystemToken | None,
    application_id: int,
    approve: bool,
    grade: str,
    reason: str,
) -> CreditApplication:
    """``credit_decide``'s rules, for a registrar (``actor``) or a registrar's system
    (``token``)."""
    by = {"token": token.pk} if token is not None else {}
    with transaction.atomic():
        application = CreditApplication.objects.select_for_update().get(pk=application_id)
        if application.status == ApplicationStatus.WITHDRAWN:
            _refuse(
                Conflict(
                    _("The learner withdrew their consent: this application cannot be decided."),
                    code="withdrawn",
                ),
                actor=actor,
                action="consortium.decision_refused",
                target=application,
                **by,
            )
        if application.status != ApplicationStatus.PENDING:
            raise Conflict(_("This application was already decided."), code="decided")
        agreement = application.agreement
        now = timezone.now()
        if approve:
            valid_grade = _grade_valid(agreement, grade)
            policy = _policy_locked(application.university_id)
            _check_cap(
                actor=actor,
                policy=policy,
                resident_id=application.resident_id,
                adding=agreement.credits,
                target=application,
                **by,
            )
            record = CreditRecord.objects.create(
                university_id=application.university_id,
                resident_id=application.resident_id,
                application=application,
                agreement=agreement,
                credits=agreement.credits,
                grade=valid_grade,
                kind=RecordKind.ORIGINAL,
                status=RecordStatus.EFFECTIVE,
                entered_by=actor,
                entered_by_token=token,
                created_at=now,
            )
            application.status = ApplicationStatus.APPROVED
            audit_record(
                actor=actor,
                action="consortium.record_added",
                target=record,
                detail={"credits": str(record.credits), **by},
            )
        else:
            application.reason = _reason(reason, required=True)
            application.status = ApplicationStatus.REJECTED
        application.decided_by = actor
        application.decided_by_token = token
        application.decided_at = now
        application.save(
            update_fields=["status", "reason", "decided_by", "decided_by_token", "decided_at"]
        )
        audit_record(
            actor=actor,
            action=f"consortium.application_{application.status}",
            target=application,
            detail=by,
        )
        _notify(application, _APPROVED if approve else _REJECTED)
    return application


# --- Corrections --------------------------------------------------------------------------------


@_audited_refusals
def correction_propose(
    *, actor: Resident, record_id: int, credits: object, grade: str, reason: str
) -> CreditRecord:
    """A registrar proposes a corrected entry for a record in force at their university: a
    new ``correction`` row awaiting a second registrar.  The record it corrects stays as it
    is.  One proposal at a time per record (``Conflict`` ``correction_pending``).  Audited."""
    record = selectors.record_for_registrar(actor=actor, record_id=record_id)
    with transaction.atomic():
        _policy_locked(record.university_id)
        if not selectors.records_in_force().filter(pk=record.pk).exists():
            raise Conflict(_("Only an entry in force can be corrected."), code="not_in_force")
        if CreditRecord.objects.filter(
            corrects=record,
            status=RecordStatus.AWAITING_SECOND_APPROVAL,
            settlement__isnull=True,
        ).exists():
            raise Conflict(
                _("A correction of this entry is already waiting for a second registrar."),
                code="correction_pending",
            )
        errors: dict[str, list[str]] = {}
        number = _credits(errors, "credits", credits, low=Decimal(0), high=MAX_CREDITS)
        _fail(errors)
        valid_grade = _grade_valid(record.agreement, grade)
        why = _reason(reason, required=True)
        proposal = CreditRecord.objects.create(
            university_id=record.university_id,
            resident_id=record.resident_id,
            application_id=record.application_id,
            agreement_id=record.agreement_id,
            credits=number,
            grade=valid_grade,
            kind=RecordKind.CORRECTION,
            corrects=record,
            status=RecordStatus.AWAITING_SECOND_APPROVAL,
            reason=why,
            entered_by=actor,
        )
        audit_record(
            actor=actor,
            action="consortium.correction_proposed",
            target=proposal,
            detail={"corrects": record.pk, "credits": str(number)},
        )
    return proposal


_CORRECTED = gettext_lazy("%(university)s corrected your credit for %(subject)s")


@_audited_refusals
def correction_decide(
    *, actor: Resident, record_id: int, approve: bool, reason: str = ""
) -> CreditRecord:
    """A second registrar of the university — not the one who proposed it (``Forbidden``
    ``second_registrar_needed``, audited) — approves a proposed correction, which appends an
    effective entry replacing the corrected one (the cap is checked, ``over_cap``), or refuses
    it, which appends a refused one.  Returns the new row.  Audited; the resident is told of an
    approved correction."""
    proposal = selectors.record_for_registrar(actor=actor, record_id=record_id)
    with transaction.atomic():
        policy = _policy_locked(proposal.university_id)
        if (
            proposal.status != RecordStatus.AWAITING_SECOND_APPROVAL
            or CreditRecord.objects.filter(settles=proposal).exists()
        ):
            raise Conflict(_("This is not a correction waiting for approval."), code="not_awaiting")
        if proposal.entered_by_id == actor.pk:
            _refuse(
                Forbidden(
                    _("Another registrar of the university must approve this correction."),
                    code="second_registrar_needed",
                ),
                actor=actor,
                action="consortium.correction_refused",
                target=proposal,
            )
        corrected = proposal.corrects
        assert corrected is not None
        status = RecordStatus.REFUSED
        why = _reason(reason, required=False)
        if approve:
            if not selectors.records_in_force().filter(pk=corrected.pk).exists():
                raise Conflict(
                    _("The entry this corrects was replaced meanwhile."), code="not_in_force"
                )
            _check_cap(
                actor=actor,
                policy=policy,
                resident_id=proposal.resident_id,
                adding=proposal.credits - corrected.credits,
                target=proposal,
            )
            status = RecordStatus.EFFECTIVE
        settled = CreditRecord.objects.create(
            university_id=proposal.university_id,
            resident_id=proposal.resident_id,
            application_id=proposal.application_id,
            agreement_id=proposal.agreement_id,
            credits=proposal.credits,
            grade=proposal.grade,
            kind=RecordKind.CORRECTION,
            corrects=corrected,
            settles=proposal,
            status=status,
            reason=why or proposal.reason,
            entered_by_id=proposal.entered_by_id,
            second_approver=actor,
        )
        audit_record(
            actor=actor,
            action=(
                "consortium.correction_approved" if approve else "consortium.correction_declined"
            ),
            target=settled,
            detail={"proposal": proposal.pk, "corrects": corrected.pk},
        )
        if approve:
            # The corrected entry's credentials say what is no longer so: revoked, so the
            # verify page says so; a new download gives the corrected one.
            credit_credentials.credit_credentials_revoke(actor=actor, record_id=corrected.pk)
            application = CreditApplication.objects.select_related(
                "resident", "university", "agreement"
            ).get(pk=proposal.application_id)
            _notify(application, _CORRECTED)
    return settled


# --- Registrars' systems: their tokens ------------------------------------------------------------

TOKEN_NAME_MAX_LENGTH = 100


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def system_token_create(
    *, actor: Resident, university_id: int, name: str
) -> tuple[RegistrarSystemToken, str]:
    """A registrar gives their university's system a token for the systems API.  Returns the
    token and its key (``<prefix>.<secret>``), shown only this once: only a hash of the secret
    is kept.  Audited (``consortium.system_token_created``)."""
    university = selectors.registrar_university_get(actor=actor, university_id=university_id)
    errors: dict[str, list[str]] = {}
    label = _short_text(errors, "name", name, TOKEN_NAME_MAX_LENGTH)
    _fail(errors)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = RegistrarSystemToken.objects.create(
            university=university,
            name=label,
            key_prefix=prefix,
            secret_hash=_secret_hash(secret),
            created_by=actor,
        )
        audit_record(actor=actor, action="consortium.system_token_created", target=token)
    return token, f"{prefix}.{secret}"


def system_token_revoke(
    *, actor: Resident, university_id: int, token_id: int
) -> RegistrarSystemToken:
    """A registrar revokes one of their university's tokens: it answers 401 from then on, and
    the decisions it recorded still name it.  Revoking twice answers ``Conflict``
    (``already_revoked``).  Audited (``consortium.system_token_revoked``)."""
    university = selectors.registrar_university_get(actor=actor, university_id=university_id)
    with transaction.atomic():
        token = (
            RegistrarSystemToken.objects.select_for_update()
            .filter(pk=token_id, university=university)
            .first()
            if isinstance(token_id, int)
            else None
        )
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is not None:
            raise Conflict(_("This token is already revoked."), code="already_revoked")
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action="consortium.system_token_revoked", target=token)
    return token


def system_token_authenticate(*, key: str) -> RegistrarSystemToken | None:
    """The token a key belongs to if it is not revoked, or ``None``.  Notes when it was last
    used."""
    prefix, _sep, secret = key.partition(".")
    if not prefix or not secret:
        return None
    token = (
        RegistrarSystemToken.objects.select_related("university")
        .filter(key_prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, _secret_hash(secret)):
        return None
    now = timezone.now()
    RegistrarSystemToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token
