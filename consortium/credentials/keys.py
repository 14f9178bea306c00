"""The issuer's signing key and the public keys it publishes.

``CREDENTIAL_SIGNING_KEY`` is a private JWK (JSON) or a PEM: an EC P-256 key (signs ES256) or an
Ed25519 key (signs EdDSA).  Its ``kid`` is the JWK's own ``kid``, else its RFC 7638 thumbprint.
Without the variable (embedded default only — production refuses to start) a development key
is generated once into ``CREDENTIAL_DEV_KEY_PATH`` under the var directory and kept there.
``CREDENTIAL_RETIRED_KEYS`` lists the public keys of earlier signing keys (a JWKS or a JSON list
of JWKs), still published so that credentials signed with them keep verifying.
"""

import json
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from joserfc.jwk import ECKey, KeySet, OKPKey, import_key

SigningKey = ECKey | OKPKey

SIGNING_ALGORITHMS = {"EC": "ES256", "OKP": "EdDSA"}
# What verification accepts: the signing algorithms, and Ed25519 by its RFC 9864 name.
VERIFYING_ALGORITHMS = ("ES256", "EdDSA", "Ed25519")


class CredentialKeyError(ValueError):
    """A configured key is unusable (the message says why)."""


@dataclass(frozen=True)
class IssuerKey:
    key: SigningKey
    kid: str
    alg: str


def _import(data: str | dict[str, Any]) -> SigningKey:
    """A key from a JWK or a PEM: EC P-256 or Ed25519, else ``CredentialKeyError``."""
    if isinstance(data, str):
        text = data.strip()
        try:
            data = json.loads(text) if text.startswith("{") else text
        except ValueError as error:
            raise CredentialKeyError(f"The key is neither a JWK nor a PEM: {error}") from error
    if isinstance(data, dict) and data.get("kty") not in ("EC", "OKP"):
        raise CredentialKeyError("Credential keys are EC P-256 or Ed25519 keys.")
    key: object = None
    for kty in ("EC", "OKP"):
        if isinstance(data, dict) and data.get("kty") != kty:
            continue
        try:
            key = import_key(data, kty)
            break
        except Exception:  # noqa: S112 - joserfc and cryptography raise many kinds
            continue
    if not isinstance(key, ECKey | OKPKey):
        raise CredentialKeyError("The key cannot be read as an EC P-256 or Ed25519 key.")
    if key.get("crv") not in ("P-256", "Ed25519"):
        raise CredentialKeyError("Credential keys are EC P-256 or Ed25519 keys.")
    return key


def _kid(key: SigningKey) -> str:
    return key.kid or key.thumbprint()


def parse_private_key(text: str) -> IssuerKey:
    """The signing key from its configured text; ``CredentialKeyError`` when it is no usable private key."""
    key = _import(text)
    if not key.is_private:
        raise CredentialKeyError(
            "CREDENTIAL_SIGNING_KEY must be a private key (it has no private part)."
        )
    return IssuerKey(key=key, kid=_kid(key), alg=SIGNING_ALGORITHMS[key.key_type])


def generate_private_jwk() -> dict[str, Any]:
    """A new EC P-256 private JWK, with its thumbprint as ``kid`` (what
    ``manage.py consortium_signing_key_create`` prints)."""
    key = ECKey.generate_key("P-256", private=True)
    jwk: dict[str, Any] = key.as_dict(private=True)
    jwk["kid"] = key.thumbprint()
    jwk["alg"] = "ES256"
    jwk["use"] = "sig"
    return jwk


def _development_key_text(path: Path) -> str:
    """The development key, generated once into ``path`` (mode 0600).  Parallel first starts race
    harmlessly: each writes a temporary file and only the first link wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(generate_private_jwk(), file)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8")


def parse_public_keys(text: str) -> list[IssuerKey]:
    """Retired keys from their configured text: a JWKS (``{"keys": [...]}``) or a JSON list."""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CredentialKeyError(f"CREDENTIAL_RETIRED_KEYS is not JSON: {error}") from error
    entries = data.get("keys") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise CredentialKeyError(
            'CREDENTIAL_RETIRED_KEYS must be a JWKS ({"keys": [...]}) or a list of JWKs.'
        )
    keys = []
    for entry in entries:
        key = _import(entry)
        public = _import(key.as_dict(private=False) | {"kid": _kid(key)})
        keys.append(IssuerKey(key=public, kid=_kid(key), alg=SIGNING_ALGORITHMS[key.key_type]))
    return keys


@cache
def _configured(
    signing_text: str, dev_path: str, retired_text: str
) -> tuple[IssuerKey, list[IssuerKey]]:
    text = signing_text or _development_key_text(Path(dev_path))
    current = parse_private_key(text)
    retired = [key for key in parse_public_keys(retired_text) if key.kid != current.kid]
    return current, retired


def signing_key() -> IssuerKey:
    return _configured(
        settings.CREDENTIAL_SIGNING_KEY,
        str(settings.CREDENTIAL_DEV_KEY_PATH),
        settings.CREDENTIAL_RETIRED_KEYS,
    )[0]


def published_keys() -> list[IssuerKey]:
    """The keys anyone may verify with: the current one first, then the retired ones."""
    current, retired = _configured(
        settings.CREDENTIAL_SIGNING_KEY,
        str(settings.CREDENTIAL_DEV_KEY_PATH),
        settings.CREDENTIAL_RETIRED_KEYS,
    )
    return [current, *retired]


def public_jwk(key: IssuerKey) -> dict[str, Any]:
    jwk: dict[str, Any] = key.key.as_dict(private=False)
    jwk.update(kid=key.kid, alg=key.alg, use="sig")
    return jwk


def jwks() -> dict[str, list[dict[str, Any]]]:
    """The published JSON Web Key Set: public parts only."""
    return {"keys": [public_jwk(key) for key in published_keys()]}


def verifying_key_set() -> KeySet:
    return KeySet([import_key(public_jwk(key), public_jwk(key)["kty"]) for key in published_keys()])
