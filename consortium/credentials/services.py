"""Issuing and revoking credentials.  The credit domain calls these with plain data
(``values.CreditClaim``) and a plain key of what the credential is for (``"credit-record:12"``);
the rules on who may download or revoke a credit are the credit domain's."""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Invalid
from consortium.credentials import builders, keys, signing
from consortium.credentials.models import IssuedCredential
from consortium.credentials.values import CreditClaim

if TYPE_CHECKING:
    from campus_social.identity.models import Resident

SOURCE_MAX = 100
REASON_MAX = 500


@dataclass(frozen=True)
class SignedCredential:
    record: IssuedCredential
    credential: dict[str, Any]
    token: str  # the VC-JOSE compact JWS: what the learner downloads


def _issuer() -> dict[str, Any]:
    return builders.issuer_profile(
        base_url=settings.CREDENTIAL_ISSUER_URL, name=settings.CREDENTIAL_ISSUER_NAME
    )


def _check_source(source: str) -> None:
    if not source or len(source) > SOURCE_MAX:
        raise Invalid(_("A credential must say what it was issued for."), code="source_invalid")


def _achievement(record: IssuedCredential, claim: CreditClaim) -> dict[str, Any]:
    return builders.achievement_credential(
        dataclasses.replace(claim, credential_id=record.urn),
        issuer=_issuer(),
        base_url=settings.CREDENTIAL_ISSUER_URL,
        valid_from=record.issued_at,
    )


def _current_achievement(
    *, resident: "Resident", claim: CreditClaim, source: str
) -> IssuedCredential:
    existing = (
        IssuedCredential.objects.select_for_update()
        .filter(kind=IssuedCredential.Kind.ACHIEVEMENT, source=source, revoked_at__isnull=True)
        .first()
    )
    if existing is not None:
        if existing.resident_id != resident.pk:
            raise Invalid(_("This credit belongs to another learner."), code="source_taken")
        return existing
    try:
        with transaction.atomic():
            record = IssuedCredential.objects.create(
                kind=IssuedCredential.Kind.ACHIEVEMENT,
                resident=resident,
                source=source,
                key_id=keys.signing_key().kid,
            )
    except IntegrityError:
        # Two first downloads at once: the constraint let one in; the other gives its credential.
        return _current_achievement(resident=resident, claim=claim, source=source)
    audit_record(
        actor=resident,
        action="credential.issued",
        target=record,
        detail={"kind": record.kind, "source": source},
    )
    return record


def _current_achievements(
    *, resident: "Resident", credits: Sequence[tuple[str, CreditClaim]]
) -> list[IssuedCredential]:
    """``_current_achievement`` for each credit: those issued already in one query (so that a
    learner's record downloads in the same number of queries however many credits it holds),
    the others issued now."""
    issued = {
        record.source: record
        for record in IssuedCredential.objects.select_for_update().filter(
            kind=IssuedCredential.Kind.ACHIEVEMENT,
            source__in=[source for source, _claim in credits],
            revoked_at__isnull=True,
        )
    }
    records = []
    for source, claim in credits:
        record = issued.get(source)
        if record is None:
            record = _current_achievement(resident=resident, claim=claim, source=source)
        elif record.resident_id != resident.pk:
            raise Invalid(_("This credit belongs to another learner."), code="source_taken")
        records.append(record)
    return records


def achievement_credential_issue(
    *, resident: "Resident", claim: CreditClaim, source: str
) -> SignedCredential:
    """The signed Open Badges 3.0 ``AchievementCredential`` for one approved credit.  The first
    call records it; later calls for the same ``source`` give the same credential (same id,
    same ``validFrom``) until it is revoked, and then a new one."""
    _check_source(source)
    with transaction.atomic():
        record = _current_achievement(resident=resident, claim=claim, source=source)
    credential = _achievement(record, claim)
    return SignedCredential(
        record=record, credential=credential, token=signing.sign_credential(credential)
    )


def clr_credential_issue(
    *,
    resident: "Resident",
    learner_name: str,
    learner_id: str,
    credits: Sequence[tuple[str, CreditClaim]],
    source: str,
) -> SignedCredential:
    """A signed CLR 2.0 ``ClrCredential`` of a learner's credits (``(source, claim)`` pairs, each
    also issued as its own achievement credential).  Each call is a new snapshot."""
    _check_source(source)
    if not credits:
        raise Invalid(_("There is no approved credit to put in a record yet."), code="no_credit")
    with transaction.atomic():
        records = _current_achievements(resident=resident, credits=credits)
        achievements = [
            _achievement(record, claim)
            for record, (_source, claim) in zip(records, credits, strict=True)
        ]
        record = IssuedCredential.objects.create(
            kind=IssuedCredential.Kind.CLR,
            resident=resident,
            source=source,
            key_id=keys.signing_key().kid,
        )
        audit_record(
            actor=resident,
            action="credential.issued",
            target=record,
            detail={"kind": record.kind, "source": source, "credits": len(achievements)},
        )
    credential = builders.clr_credential(
        credential_id=record.urn,
        learner_name=learner_name,
        learner_id=learner_id,
        achievements=achievements,
        issuer=_issuer(),
        base_url=settings.CREDENTIAL_ISSUER_URL,
        valid_from=record.issued_at,
    )
    return SignedCredential(
        record=record, credential=credential, token=signing.sign_credential(credential)
    )


def credential_revoke(*, actor: "Resident | None", source: str, reason: str) -> int:
    """Revokes every current credential issued for ``source`` (a corrected or withdrawn credit):
    verification answers "revoked" with the reason from now on.  Returns how many."""
    reason = reason.strip()
    if not reason:
        raise Invalid(
            _("Say why the credential is revoked."),
            code="reason_required",
            fields={"reason": [_("Say why the credential is revoked.")]},
        )
    if len(reason) > REASON_MAX:
        raise Invalid(_("The reason is too long."), code="reason_too_long")
    with transaction.atomic():
        records = list(
            IssuedCredential.objects.select_for_update().filter(
                source=source, revoked_at__isnull=True
            )
        )
        now = timezone.now()
        for record in records:
            record.revoked_at = now
            record.revocation_reason = reason
            record.save(update_fields=["revoked_at", "revocation_reason"])
            audit_record(
                actor=actor,
                action="credential.revoked",
                target=record,
                detail={"kind": record.kind, "source": source},
            )
    return len(records)
