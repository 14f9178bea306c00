"""Reading credentials: verification of a pasted credential, the status (revocation) list
entry, the issuer's profile and keys, and a learner's pseudonymous subject id."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from campus_social.common.errors import NotFound, RateLimited
from campus_social.common.ratelimit import rate_limit_hit
from consortium.credentials import builders, contexts, keys, signing
from consortium.credentials.models import IssuedCredential
from consortium.credentials.signing import Finding

# Findings that mean the credential is not what we issued (the others — dates, revocation —
# are about a genuine credential).
NOT_GENUINE = frozenset(
    {
        "malformed",
        "wrong_type",
        "unsupported_algorithm",
        "unknown_key",
        "bad_signature",
        "unknown_context",
        "schema",
        "wrong_issuer",
        "unknown_credential",
    }
)


@dataclass(frozen=True)
class Verification:
    """The answer about a pasted credential.  ``valid``: genuine, unrevoked and within its dates."""

    genuine: bool
    revoked: bool
    reasons: tuple[Finding, ...]
    credential: dict[str, Any] | None = None
    key_id: str = ""
    revoked_at: dt.datetime | None = None
    revocation_reason: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.reasons


def learner_subject_id(*, resident_id: int) -> str:
    """The learner's pseudonymous subject id in credentials: a ``urn:uuid:`` keyed on the server
    secret, the same for every credential of one resident, never the resident number."""
    digest = salted_hmac("consortium.credentials.learner", str(resident_id), algorithm="sha256")
    return uuid.UUID(bytes=digest.digest()[:16], version=4).urn


def issuer_id() -> str:
    return f"{settings.CREDENTIAL_ISSUER_URL}/credentials/issuer"


def _summary(credential: dict[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject") or {}
    names = [
        entry.get("identityHash")
        for entry in subject.get("identifier") or []
        if isinstance(entry, dict) and entry.get("identityType") == "name"
    ]
    summary: dict[str, Any] = {
        "id": credential.get("id", ""),
        "name": credential.get("name", ""),
        "learner": names[0] if names else "",
        "valid_from": credential.get("validFrom", ""),
    }
    if "ClrCredential" in (credential.get("type") or []):
        summary["kind"] = IssuedCredential.Kind.CLR.value
        summary["credits"] = [
            _achievement_summary(inner) for inner in subject.get("verifiableCredential") or []
        ]
    else:
        summary["kind"] = IssuedCredential.Kind.ACHIEVEMENT.value
        summary["credits"] = [_achievement_summary(credential)]
    return summary


def _achievement_summary(credential: dict[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    creator = achievement.get("creator") or {}
    results = subject.get("result") or [{}]
    return {
        "subject": achievement.get("name", ""),
        "code": achievement.get("humanCode", ""),
        "university": creator.get("name", ""),
        "credits": subject.get("creditsEarned"),
        "grade": results[0].get("value", "") if isinstance(results[0], dict) else "",
    }


def _record(credential_id: Any) -> IssuedCredential | None:
    if not isinstance(credential_id, str):
        return None
    try:
        key = uuid.UUID(credential_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    return IssuedCredential.objects.filter(credential_id=key).first()


def _bundled_revocations(credential: dict[str, Any]) -> list[Finding]:
    """A record (CLR) is no better than its credits: one revoked credit in it revokes it."""
    subject = credential.get("credentialSubject") or {}
    ids = []
    for inner in subject.get("verifiableCredential") or []:
        try:
            ids.append(uuid.UUID(str(inner.get("id", "")).removeprefix("urn:uuid:")))
        except ValueError:
            continue
    revoked = IssuedCredential.objects.filter(credential_id__in=ids, revoked_at__isnull=False)
    if not revoked.exists():
        return []
    return [
        Finding(
            "revoked",
            _("A credit in this record has been revoked."),
            tuple(record.urn for record in revoked),
        )
    ]


def credential_verify(
    *, token: str, client: str | None = None, now: dt.datetime | None = None
) -> Verification:
    """Whether a pasted credential (a VC-JOSE JWT) is genuine, unrevoked and within its dates,
    with every reason it is not.  Public: it reads nothing but the credential's own status.
    ``client`` (the caller's address, from pages and the API) is held to
    ``CREDENTIAL_VERIFY_RATE``."""
    if client is not None:
        wait = rate_limit_hit(
            scope="credential_verify", ident=client, rate=settings.CREDENTIAL_VERIFY_RATE
        )
        if wait is not None:
            raise RateLimited(
                _("Too many checks from here. Try again in a minute."), retry_after=wait
            )
    now = now or timezone.now()
    inspection = signing.inspect(token, issuer_id=issuer_id(), now=now)
    findings = list(inspection.findings)
    credential = inspection.credential
    record = None
    if inspection.signature_valid and credential is not None:
        record = _record(credential.get("id"))
        if record is None:
            findings.append(
                Finding("unknown_credential", _("We have no record of issuing this credential."))
            )
        elif record.revoked_at is not None:
            findings.append(Finding("revoked", _("The issuer has revoked this credential.")))
        elif record.kind == IssuedCredential.Kind.CLR:
            findings.extend(_bundled_revocations(credential))
    return Verification(
        genuine=inspection.signature_valid and not any(f.code in NOT_GENUINE for f in findings),
        revoked=record is not None and record.revoked_at is not None,
        reasons=tuple(findings),
        credential=credential if inspection.signature_valid else None,
        key_id=str(inspection.header.get("kid", "")),
        revoked_at=record.revoked_at if record is not None else None,
        revocation_reason=record.revocation_reason if record is not None else "",
        summary=_summary(credential) if inspection.signature_valid and credential else {},
    )


def credential_status(*, credential_uuid: str) -> dict[str, Any]:
    """The credential's entry of the 1EdTech revocation list (``credentialStatus.id``)."""
    try:
        key = uuid.UUID(credential_uuid)
    except ValueError:
        raise NotFound(_("There is no such credential.")) from None
    record = IssuedCredential.objects.filter(credential_id=key).first()
    if record is None:
        raise NotFound(_("There is no such credential."))
    status_id = builders.status_entry(
        base_url=settings.CREDENTIAL_ISSUER_URL, credential_id=record.urn
    )["id"]
    revoked = record.revoked_at is not None
    entry: dict[str, Any] = {"id": record.urn, "revoked": revoked}
    if revoked:
        entry["revocationReason"] = record.revocation_reason
    return {
        "id": status_id,
        "issuer": issuer_id(),
        "revokedCredentials": [entry] if revoked else [],
        "credentials": [entry],
    }


def issuer_document() -> dict[str, Any]:
    """The issuer's Open Badges profile, with where its keys are published."""
    profile = builders.issuer_profile(
        base_url=settings.CREDENTIAL_ISSUER_URL, name=settings.CREDENTIAL_ISSUER_NAME
    )
    return {
        "@context": [contexts.VC_V2, contexts.OB_V3P0],
        **profile,
        "description": "Issuer of the town campus's portable credit credentials.",
        "jwks_uri": f"{settings.CREDENTIAL_ISSUER_URL}/credentials/jwks.json",
    }


def jwks_document() -> dict[str, list[dict[str, Any]]]:
    return keys.jwks()
