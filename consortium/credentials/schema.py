"""Checking a credential's shape against 1EdTech's published JSON Schema for an Open Badges 3.0
``AchievementCredential`` (the local copy in ``reference/``, draft 2019-09)."""

import json
from functools import cache
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

from consortium.credentials.contexts import REFERENCE_DIR

ACHIEVEMENT_SCHEMA_FILE = REFERENCE_DIR / "ob_v3p0_achievementcredential_schema.json"


@cache
def _achievement_validator() -> Draft201909Validator:
    schema = json.loads(ACHIEVEMENT_SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=FormatChecker())


def achievement_errors(credential: Any) -> list[str]:
    """Where the credential breaks the schema (``path: message``), none when it conforms."""
    errors = sorted(_achievement_validator().iter_errors(credential), key=lambda e: list(e.path))
    return [
        f"{'/'.join(str(part) for part in error.path) or '(root)'}: {error.message}"
        for error in errors
    ]


def clr_errors(credential: Any) -> list[str]:
    """A CLR 2.0 ``ClrCredential``'s shape: its envelope, and each credential it bundles
    against the Open Badges schema.  (1EdTech's CLR schema is not among the local copies; these
    are the rules of CLR 2.0 that our credentials rely on.)"""
    problems: list[str] = []
    if not isinstance(credential, dict):
        return ["(root): is not an object"]
    for name in ("@context", "id", "type", "issuer", "validFrom", "credentialSubject"):
        if name not in credential:
            problems.append(f"(root): '{name}' is a required property")
    types = credential.get("type")
    if not isinstance(types, list) or not {"VerifiableCredential", "ClrCredential"} <= set(types):
        problems.append("type: must contain 'VerifiableCredential' and 'ClrCredential'")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or "ClrSubject" not in (subject.get("type") or []):
        problems.append("credentialSubject: must be a 'ClrSubject'")
        return problems
    bundled = subject.get("verifiableCredential")
    if not isinstance(bundled, list) or not bundled:
        problems.append("credentialSubject/verifiableCredential: must list the credentials")
        return problems
    for index, inner in enumerate(bundled):
        problems.extend(
            f"credentialSubject/verifiableCredential/{index}/{problem}"
            for problem in achievement_errors(inner)
        )
    return problems
