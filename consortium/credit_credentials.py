"""A learner's portable credentials from their credit (issue #12): the credit domain's rules on
who may download what, and the plain claims (``credentials.values.CreditClaim``) it builds from
its records for ``consortium.credentials`` to sign.

Only the resident's own entries **in force** become credentials (another resident's, or an
entry a correction replaced: ``NotFound``).  Each is issued for ``"credit-record:<id>"`` of the
entry in force, so a correction — a new entry in force — gives a new credential, and
``services.correction_decide`` revokes the old one (reason ``"corrected"``).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import NotFound
from campus_social.identity.models import Resident
from consortium import selectors
from consortium.credentials import selectors as credentials
from consortium.credentials import services as issuing
from consortium.credentials.services import SignedCredential
from consortium.credentials.values import CreditClaim
from consortium.models import CreditRecord
from courses import selectors as courses

REVOKED_ON_CORRECTION = "corrected"


def credit_source(record_id: int) -> str:
    """What a credit's credential is issued for: the plain key of its entry in force."""
    return f"credit-record:{record_id}"


def clr_source(resident_id: int) -> str:
    return f"credit-clr:resident:{resident_id}"


def university_uri(slug: str) -> str:
    """The university's id in credentials: its place in our public catalogue."""
    return f"{settings.CREDENTIAL_ISSUER_URL}/consortium/#university-{slug}"


def _my_records(resident: Resident) -> QuerySet[CreditRecord]:
    return selectors.my_credit(resident=resident).select_related(
        "university", "agreement", "application"
    )


def my_credit_record_get(*, actor: object, record_id: object) -> CreditRecord:
    """One of the actor's own credit entries in force; another resident's, an unknown one or
    one a correction replaced answers ``NotFound``."""
    record = (
        _my_records(actor).filter(pk=record_id).first()
        if isinstance(actor, Resident) and isinstance(record_id, int)
        else None
    )
    if record is None:
        raise NotFound(_("No such credit record."))
    return record


def credit_claims(*, resident: Resident, records: Iterable[CreditRecord]) -> list[CreditClaim]:
    """What each entry (with its university, agreement and application loaded) says, as plain
    data: the course titles and hours from ``courses.selectors`` in one query."""
    records = list(records)
    course_list = courses.credit_courses(
        course_ids=sorted({record.agreement.course_id for record in records})
    )
    learner_id = credentials.learner_subject_id(resident_id=resident.pk)
    claims = []
    for record in records:
        course = course_list[record.agreement.course_id]
        awarded = record.application.decided_at or record.created_at
        claims.append(
            CreditClaim(
                learner_name=resident.name,
                learner_id=learner_id,
                university_name=record.university.name,
                university_id=university_uri(record.university.slug),
                subject_code=record.agreement.subject_code,
                subject_name=record.agreement.subject_name,
                credits=record.credits,
                grade=record.grade,
                course_title=course.title,
                course_hours=course.study_hours,
                awarded_on=timezone.localdate(awarded),
            )
        )
    return claims


def credit_credential_download(*, actor: object, record_id: object) -> SignedCredential:
    """The signed Open Badges 3.0 ``AchievementCredential`` of one of the actor's entries in
    force (the same one on every download until a correction revokes it)."""
    record = my_credit_record_get(actor=actor, record_id=record_id)
    assert isinstance(actor, Resident)
    (claim,) = credit_claims(resident=actor, records=[record])
    return issuing.achievement_credential_issue(
        resident=actor, claim=claim, source=credit_source(record.pk)
    )


def credit_clr_download(*, actor: object) -> SignedCredential:
    """A signed CLR 2.0 of all the actor's credit in force (``NotFound`` when they have none)."""
    records = list(_my_records(actor)) if isinstance(actor, Resident) else []
    if not records:
        raise NotFound(_("You have no approved credit yet."))
    assert isinstance(actor, Resident)
    claims = credit_claims(resident=actor, records=records)
    return issuing.clr_credential_issue(
        resident=actor,
        learner_name=actor.name,
        learner_id=credentials.learner_subject_id(resident_id=actor.pk),
        credits=[
            (credit_source(record.pk), claim) for record, claim in zip(records, claims, strict=True)
        ],
        source=clr_source(actor.pk),
    )


def credit_credentials_revoke(*, actor: Resident, record_id: int) -> int:
    """Revokes the credentials issued for an entry a correction replaced."""
    return issuing.credential_revoke(
        actor=actor, source=credit_source(record_id), reason=REVOKED_ON_CORRECTION
    )
