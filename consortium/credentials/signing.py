"""VC-JOSE: a credential is signed as a compact JWS whose payload is the credential's JSON,
with ``typ`` ``vc+jwt``, ``cty`` ``vc`` and the signing key's ``kid`` in the protected header.
``inspect`` checks everything that needs no database: the header, the signature against the
published keys, the contexts, the schema, the issuer and the dates."""

import datetime as dt
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError

from consortium.credentials import contexts, keys, schema

TYP = "vc+jwt"
CTY = "vc"
# A pasted credential larger than this is not one of ours (our largest, a CLR, is far smaller).
MAX_TOKEN_CHARS = 200_000


@dataclass(frozen=True)
class Finding:
    """One reason a credential fails: a stable ``code`` and a message for people."""

    code: str
    message: str
    details: tuple[str, ...] = ()


@dataclass
class Inspection:
    header: dict[str, Any] = field(default_factory=dict)
    credential: dict[str, Any] | None = None
    signature_valid: bool = False
    findings: list[Finding] = field(default_factory=list)


def sign_credential(credential: dict[str, Any], *, key: keys.IssuerKey | None = None) -> str:
    """The credential as a VC-JOSE compact JWS, signed with the issuer's current key."""
    key = key or keys.signing_key()
    header = {"alg": key.alg, "typ": TYP, "cty": CTY, "kid": key.kid}
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by RFC 9864's "Ed25519"; verifiers know "EdDSA".
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, payload.encode(), key.key, algorithms=[key.alg])


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def inspect(token: str, *, issuer_id: str, now: dt.datetime) -> Inspection:
    """Everything about a pasted credential that needs no database (revocation is the
    selector's).  ``findings`` is empty when it is genuine and within its dates."""
    result = Inspection()
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        result.findings.append(
            Finding("malformed", _("This is not a signed credential (a JWT in three parts)."))
        )
        return result
    try:
        extracted = jws.extract_compact(token.encode())
    except (JoseError, ValueError):
        result.findings.append(
            Finding("malformed", _("This is not a signed credential (a JWT in three parts)."))
        )
        return result
    header = dict(extracted.headers())
    result.header = header
    if header.get("typ") != TYP:
        result.findings.append(
            Finding(
                "wrong_type", _("The credential's type is not a verifiable credential (vc+jwt).")
            )
        )
    if header.get("alg") not in keys.VERIFYING_ALGORITHMS:
        result.findings.append(
            Finding(
                "unsupported_algorithm",
                _("The credential is signed with an algorithm we do not accept."),
            )
        )
        return result
    published = {key.kid: key for key in keys.published_keys()}
    key = published.get(str(header.get("kid", "")))
    if key is None:
        result.findings.append(
            Finding(
                "unknown_key", _("The credential was not signed with one of our published keys.")
            )
        )
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            verified = jws.deserialize_compact(
                token.encode(), key.key, algorithms=list(keys.VERIFYING_ALGORITHMS)
            )
    except (JoseError, ValueError):  # BadSignatureError, or a part that does not decode
        result.findings.append(
            Finding(
                "bad_signature",
                _("The signature does not match: the credential was changed after it was signed."),
            )
        )
        return result
    result.signature_valid = True
    try:
        credential = json.loads(verified.payload)
    except ValueError:
        credential = None
    if not isinstance(credential, dict):
        result.findings.append(Finding("malformed", _("The signed content is not a credential.")))
        return result
    result.credential = credential
    result.findings.extend(_content_findings(credential, issuer_id=issuer_id, now=now))
    return result


def _content_findings(
    credential: dict[str, Any], *, issuer_id: str, now: dt.datetime
) -> list[Finding]:
    findings: list[Finding] = []
    named = credential.get("@context")
    unknown = (
        [url for url in named if not isinstance(url, str) or url not in contexts.CONTEXTS]
        if isinstance(named, list)
        else ["@context"]
    )
    if unknown:
        findings.append(
            Finding(
                "unknown_context",
                _("The credential names a JSON-LD context we do not know."),
                tuple(map(str, unknown)),
            )
        )
    types = credential.get("type") or []
    problems = (
        schema.clr_errors(credential)
        if "ClrCredential" in types
        else schema.achievement_errors(credential)
    )
    if problems:
        findings.append(
            Finding(
                "schema",
                _("The credential does not match the Open Badges 3.0 schema."),
                tuple(problems[:20]),
            )
        )
    issuer = credential.get("issuer")
    issuer_ref = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_ref != issuer_id:
        findings.append(Finding("wrong_issuer", _("The credential names another issuer.")))
    valid_from = _parse_time(credential.get("validFrom"))
    if valid_from is not None and valid_from > now:
        findings.append(Finding("not_yet_valid", _("The credential is not valid yet.")))
    if "validUntil" in credential:
        valid_until = _parse_time(credential.get("validUntil"))
        if valid_until is None or valid_until <= now:
            findings.append(Finding("expired", _("The credential has expired.")))
    return findings
