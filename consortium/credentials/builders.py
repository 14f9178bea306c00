"""Credentials as JSON: an Open Badges 3.0 ``AchievementCredential`` for one approved credit and
a CLR 2.0 ``ClrCredential`` bundling a learner's credits, both on the W3C Verifiable Credentials
data model 2.0.  Pure functions of plain data; signing is ``signing.py``'s."""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from consortium.credentials import contexts
from consortium.credentials.values import CreditClaim

OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
STATUS_TYPE = "1EdTechRevocationList"


def iso_instant(moment: dt.datetime) -> str:
    """An XML Schema dateTime in UTC, to the second: ``2026-04-01T09:30:00Z``."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _uuid_part(credential_id: str) -> str:
    return str(uuid.UUID(credential_id.removeprefix("urn:uuid:")))


def status_entry(*, base_url: str, credential_id: str) -> dict[str, str]:
    return {
        "id": f"{base_url}/credentials/status/{_uuid_part(credential_id)}",
        "type": STATUS_TYPE,
    }


def issuer_profile(*, base_url: str, name: str) -> dict[str, Any]:
    """The issuer's Open Badges ``Profile``, as embedded in credentials and served at its id."""
    return {
        "id": f"{base_url}/credentials/issuer",
        "type": ["Profile"],
        "name": name,
        "url": f"{base_url}/",
    }


def _achievement(claim: CreditClaim) -> dict[str, Any]:
    achievement_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{claim.university_id}#{claim.subject_code}")
    grade_id = uuid.uuid5(achievement_id, "grade")
    return {
        "id": achievement_id.urn,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": claim.subject_name,
        "humanCode": claim.subject_code,
        "description": (
            f"{claim.subject_name} ({claim.subject_code}), {claim.university_name}: recognised "
            f"for the town-campus course “{claim.course_title}” ({claim.course_hours} hours)."
        ),
        "criteria": {
            "narrative": (
                f"Completed the town-campus course “{claim.course_title}” "
                f"({claim.course_hours} hours of study) and approved for credit by the "
                f"registrar of {claim.university_name}."
            )
        },
        "creditsAvailable": _number(claim.credits),
        "creator": {"id": claim.university_id, "type": ["Profile"], "name": claim.university_name},
        "resultDescription": [
            {
                "id": grade_id.urn,
                "type": ["ResultDescription"],
                "name": "Grade",
                "resultType": "LetterGrade",
            }
        ],
    }


def _learner_identifier(claim: CreditClaim) -> list[dict[str, Any]]:
    return [
        {
            "type": "IdentityObject",
            "identityHash": claim.learner_name,
            "identityType": "name",
            "hashed": False,
        }
    ]


def achievement_credential(
    claim: CreditClaim, *, issuer: dict[str, Any], base_url: str, valid_from: dt.datetime
) -> dict[str, Any]:
    """An Open Badges 3.0 ``AchievementCredential`` for one approved credit (unsigned)."""
    if not claim.credential_id:
        raise ValueError("A credential needs its id (urn:uuid:) before it is built.")
    achievement = _achievement(claim)
    awarded = dt.datetime.combine(claim.awarded_on, dt.time(0, 0), tzinfo=dt.UTC)
    return {
        "@context": [contexts.VC_V2, contexts.OB_V3P0],
        "id": claim.credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{claim.subject_name} — {claim.university_name}",
        "issuer": issuer,
        "validFrom": iso_instant(valid_from),
        "awardedDate": iso_instant(awarded),
        "credentialSubject": {
            "id": claim.learner_id,
            "type": ["AchievementSubject"],
            "identifier": _learner_identifier(claim),
            "achievement": achievement,
            "creditsEarned": _number(claim.credits),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": achievement["resultDescription"][0]["id"],
                    "value": claim.grade,
                }
            ],
        },
        "credentialStatus": status_entry(base_url=base_url, credential_id=claim.credential_id),
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def clr_credential(
    *,
    credential_id: str,
    learner_name: str,
    learner_id: str,
    achievements: Sequence[dict[str, Any]],
    issuer: dict[str, Any],
    base_url: str,
    valid_from: dt.datetime,
) -> dict[str, Any]:
    """A CLR 2.0 ``ClrCredential`` bundling a learner's ``AchievementCredential``s (each as built
    by ``achievement_credential``; the CLR's own signature covers them all)."""
    return {
        "@context": [contexts.VC_V2, contexts.CLR_V2P0, contexts.OB_V3P0],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Town campus credit record — {learner_name}",
        "issuer": issuer,
        "validFrom": iso_instant(valid_from),
        "credentialSubject": {
            "id": learner_id,
            "type": ["ClrSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": learner_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "verifiableCredential": list(achievements),
            "achievement": [
                credential["credentialSubject"]["achievement"] for credential in achievements
            ],
        },
        "credentialStatus": status_entry(base_url=base_url, credential_id=credential_id),
    }
