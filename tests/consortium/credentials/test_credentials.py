"""Portable credentials: built from plain data, valid against 1EdTech's schema, signed as
VC-JOSE, verified — and every kind of tampering fails with its reason."""

import base64
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Invalid
from consortium.credentials import builders, contexts, keys, schema, selectors, services, signing
from consortium.credentials.models import IssuedCredential
from tests.consortium.credentials.conftest import make_claim
from tests.factories import ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_key")]


def _issue(resident, source="credit-record:12", **claim):
    return services.achievement_credential_issue(
        resident=resident, claim=make_claim(resident.pk, **claim), source=source
    )


def _codes(verification) -> list[str]:
    return [reason.code for reason in verification.reasons]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- building -------------------------------------------------------------------------------


def test_the_schema_copy_accepts_the_specifications_own_example():
    example = json.loads(
        (contexts.REFERENCE_DIR / "example_complete_openbadgecredential.json").read_text()
    )
    assert schema.achievement_errors(example) == []


def test_an_approved_credit_becomes_an_achievement_credential_valid_against_the_official_schema():
    resident = ResidentFactory()
    signed = _issue(resident)
    credential = signed.credential

    assert schema.achievement_errors(credential) == []
    assert credential["@context"] == [contexts.VC_V2, contexts.OB_V3P0]
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["id"] == signed.record.urn
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"]["id"] == "https://campus.example.jp/credentials/issuer"
    subject = credential["credentialSubject"]
    assert subject["id"] == selectors.learner_subject_id(resident_id=resident.pk)
    assert subject["identifier"][0]["identityHash"] == "山田 花子"
    achievement = subject["achievement"]
    assert achievement["name"] == "地域史演習"
    assert achievement["humanCode"] == "LOC101"
    assert achievement["creditsAvailable"] == 2
    assert achievement["creator"] == {
        "id": "https://minato-u.example.jp/",
        "type": ["Profile"],
        "name": "港大学",
    }
    assert "90 hours" in achievement["criteria"]["narrative"]
    assert subject["creditsEarned"] == 2
    assert subject["result"][0]["value"] == "A"
    assert credential["awardedDate"] == "2026-03-15T00:00:00Z"
    assert credential["credentialStatus"] == {
        "id": f"https://campus.example.jp/credentials/status/{signed.record.credential_id}",
        "type": "1EdTechRevocationList",
    }


def test_the_subject_id_is_a_pseudonym_never_the_resident_number():
    resident = ResidentFactory()
    subject_id = selectors.learner_subject_id(resident_id=resident.pk)

    assert subject_id == selectors.learner_subject_id(resident_id=resident.pk)
    assert subject_id != selectors.learner_subject_id(resident_id=resident.pk + 1)
    assert subject_id.startswith("urn:uuid:")
    assert str(resident.pk) not in subject_id.split("-")


def test_half_credits_stay_numbers():
    credential = _issue(ResidentFactory(), credits=builders.Decimal("1.5")).credential
    assert credential["credentialSubject"]["creditsEarned"] == 1.5
    assert schema.achievement_errors(credential) == []


def test_downloading_again_gives_the_same_credential_until_it_is_revoked():
    resident = ResidentFactory()
    first = _issue(resident)
    again = _issue(resident)
    assert again.record.pk == first.record.pk
    assert again.credential == first.credential

    services.credential_revoke(actor=None, source="credit-record:12", reason="Grade corrected")
    renewed = _issue(resident)
    assert renewed.record.pk != first.record.pk


def test_a_credit_of_one_learner_is_not_issued_to_another():
    _issue(ResidentFactory())
    with pytest.raises(Invalid) as refused:
        _issue(ResidentFactory())
    assert refused.value.code == "source_taken"


def test_issuing_is_audited_without_personal_data():
    signed = _issue(ResidentFactory())
    event = AuditEvent.objects.get(action="credential.issued")
    assert event.target_id == str(signed.record.pk)
    assert "山田" not in json.dumps(event.detail)


def test_a_learners_credits_bundle_into_a_clr_credential_that_verifies():
    resident = ResidentFactory()
    signed = services.clr_credential_issue(
        resident=resident,
        learner_name="山田 花子",
        learner_id=selectors.learner_subject_id(resident_id=resident.pk),
        credits=[
            ("credit-record:1", make_claim(resident.pk)),
            ("credit-record:2", make_claim(resident.pk, subject_code="ART200", grade="合")),
        ],
        source=f"learner-record:{resident.pk}",
    )
    credential = signed.credential

    assert credential["type"] == ["VerifiableCredential", "ClrCredential"]
    assert contexts.CLR_V2P0 in credential["@context"]
    bundled = credential["credentialSubject"]["verifiableCredential"]
    assert [inner["credentialSubject"]["achievement"]["humanCode"] for inner in bundled] == [
        "LOC101",
        "ART200",
    ]
    assert schema.clr_errors(credential) == []
    assert IssuedCredential.objects.filter(kind="achievement", resident=resident).count() == 2
    verification = selectors.credential_verify(token=signed.token)
    assert verification.valid, verification.reasons
    assert verification.summary["kind"] == "clr"
    assert [c["grade"] for c in verification.summary["credits"]] == ["A", "合"]


def test_a_clr_needs_at_least_one_credit():
    resident = ResidentFactory()
    with pytest.raises(Invalid) as refused:
        services.clr_credential_issue(
            resident=resident, learner_name="x", learner_id="urn:uuid:x", credits=[], source="l:1"
        )
    assert refused.value.code == "no_credit"


# --- signing and verifying ------------------------------------------------------------------


def test_a_signed_credential_verifies(issuer_key):
    signed = _issue(ResidentFactory())
    header = json.loads(_unb64(signed.token.split(".")[0]))
    assert header == {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": issuer_key["kid"]}
    assert json.loads(_unb64(signed.token.split(".")[1])) == signed.credential

    verification = selectors.credential_verify(token=signed.token)

    assert verification.valid
    assert verification.genuine
    assert not verification.revoked
    assert verification.reasons == ()
    assert verification.key_id == issuer_key["kid"]
    assert verification.summary["credits"] == [
        {
            "subject": "地域史演習",
            "code": "LOC101",
            "university": "港大学",
            "credits": 2,
            "grade": "A",
        }
    ]


def _resign(credential, *, header_changes=None, key=None) -> str:
    """A credential signed with our key (or ``key``) and the given header changes."""
    key = key or keys.signing_key()
    header = {
        "alg": key.alg,
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": key.kid,
        **(header_changes or {}),
    }
    from joserfc import jws

    return jws.serialize_compact(header, json.dumps(credential).encode(), key.key)


def _tampered_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    credential = json.loads(_unb64(payload))
    credential["credentialSubject"]["creditsEarned"] = 20
    return ".".join([header, _b64(json.dumps(credential).encode()), signature])


def _tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(_unb64(signature))
    raw[5] ^= 0x01
    return ".".join([header, payload, _b64(bytes(raw))])


def _other_key(kid: str | None = None) -> keys.IssuerKey:
    jwk = keys.generate_private_jwk()
    if kid is not None:
        jwk["kid"] = kid
    return keys.parse_private_key(json.dumps(jwk))


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("payload changed", "bad_signature"),
        ("signature changed", "bad_signature"),
        ("signed with another key under our kid", "bad_signature"),
        ("signed with another key", "unknown_key"),
        ("wrong typ", "wrong_type"),
        ("not a JWT", "malformed"),
        ("unsigned (alg none)", "unsupported_algorithm"),
    ],
)
def test_a_tampered_credential_is_not_genuine(tamper, code):
    signed = _issue(ResidentFactory())
    token = {
        "payload changed": lambda: _tampered_payload(signed.token),
        "signature changed": lambda: _tampered_signature(signed.token),
        "signed with another key under our kid": lambda: _resign(
            signed.credential, key=_other_key(kid=keys.signing_key().kid)
        ),
        "signed with another key": lambda: _resign(signed.credential, key=_other_key()),
        "wrong typ": lambda: _resign(signed.credential, header_changes={"typ": "JWT"}),
        "not a JWT": lambda: "hello.world",
        "unsigned (alg none)": lambda: ".".join(
            [_b64(b'{"alg":"none","typ":"vc+jwt"}'), signed.token.split(".")[1], ""]
        ),
    }[tamper]()

    verification = selectors.credential_verify(token=token)

    assert not verification.valid
    assert not verification.genuine
    assert code in _codes(verification)
    assert all(reason.message for reason in verification.reasons)


def test_an_expired_credential_is_genuine_but_not_valid():
    signed = _issue(ResidentFactory())
    credential = {**signed.credential, "validUntil": "2026-01-01T00:00:00Z"}

    verification = selectors.credential_verify(token=_resign(credential))

    assert verification.genuine
    assert not verification.valid
    assert _codes(verification) == ["expired"]


def test_a_credential_not_yet_valid_is_not_valid():
    signed = _issue(ResidentFactory())
    later = timezone.now() + dt.timedelta(days=3)
    credential = {**signed.credential, "validFrom": builders.iso_instant(later)}
    assert _codes(selectors.credential_verify(token=_resign(credential))) == ["not_yet_valid"]


def test_a_revoked_credential_says_so_with_the_reason():
    signed = _issue(ResidentFactory())

    assert (
        services.credential_revoke(actor=None, source="credit-record:12", reason="Grade corrected")
        == 1
    )

    verification = selectors.credential_verify(token=signed.token)
    assert verification.genuine
    assert verification.revoked
    assert not verification.valid
    assert _codes(verification) == ["revoked"]
    assert verification.revocation_reason == "Grade corrected"
    assert AuditEvent.objects.filter(action="credential.revoked").count() == 1


def test_revoking_needs_a_reason_and_changes_nothing_without_one():
    signed = _issue(ResidentFactory())
    with pytest.raises(Invalid) as refused:
        services.credential_revoke(actor=None, source="credit-record:12", reason="  ")
    assert refused.value.code == "reason_required"
    assert selectors.credential_verify(token=signed.token).valid


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("never issued", "unknown_credential"),
        ("schema broken", "schema"),
        ("another issuer", "wrong_issuer"),
        ("unknown context", "unknown_context"),
    ],
)
def test_a_credential_we_signed_but_did_not_issue_so_is_not_genuine(change, code):
    credential = _issue(ResidentFactory()).credential
    if change == "never issued":
        credential = {**credential, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    elif change == "schema broken":
        credential = {**credential, "credentialSubject": {"type": ["AchievementSubject"]}}
    elif change == "another issuer":
        credential = {
            **credential,
            "issuer": {**credential["issuer"], "id": "https://evil.example/"},
        }
    else:
        credential = {
            **credential,
            "@context": [*credential["@context"], "https://evil.example/ctx"],
        }

    verification = selectors.credential_verify(token=_resign(credential))

    assert not verification.genuine
    assert code in _codes(verification)


def test_a_retired_key_still_verifies_old_credentials(settings, issuer_key):
    signed = _issue(ResidentFactory())
    old_public = keys.public_jwk(keys.signing_key())

    # Rotate: a new signing key; the old one's public part stays published.
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(keys.generate_private_jwk())
    settings.CREDENTIAL_RETIRED_KEYS = json.dumps({"keys": [old_public]})

    assert selectors.credential_verify(token=signed.token).valid
    assert [key["kid"] for key in keys.jwks()["keys"]][1] == issuer_key["kid"]
    newer = _issue(ResidentFactory(), source="credit-record:13")
    assert json.loads(_unb64(newer.token.split(".")[0]))["kid"] != issuer_key["kid"]
    assert selectors.credential_verify(token=newer.token).valid

    # Dropped from the published keys, the old credentials no longer verify.
    settings.CREDENTIAL_RETIRED_KEYS = ""
    assert _codes(selectors.credential_verify(token=signed.token)) == ["unknown_key"]


def test_an_ed25519_key_signs_eddsa(settings):
    from joserfc.jwk import OKPKey

    settings.CREDENTIAL_SIGNING_KEY = (
        OKPKey.generate_key("Ed25519", private=True).as_pem(private=True).decode()
    )
    signed = _issue(ResidentFactory())
    assert json.loads(_unb64(signed.token.split(".")[0]))["alg"] == "EdDSA"
    assert selectors.credential_verify(token=signed.token).valid


@pytest.mark.parametrize(
    "text",
    ["", "not a key", '{"kty": "oct", "k": "c2VjcmV0"}', "PUBLIC"],
)
def test_unusable_signing_keys_are_refused(text):
    if text == "PUBLIC":
        text = json.dumps(keys.public_jwk(keys.signing_key()))
    with pytest.raises(keys.CredentialKeyError):
        keys.parse_private_key(text)


def test_the_published_keys_are_public_only():
    published = keys.jwks()["keys"]
    assert len(published) == 1
    assert "d" not in published[0]
    assert published[0]["kid"] == keys.signing_key().kid


def test_the_development_key_is_generated_once_into_the_var_directory(settings, tmp_path):
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.CREDENTIAL_DEV_KEY_PATH = tmp_path / "key.jwk"
    first = keys.signing_key()
    assert (tmp_path / "key.jwk").stat().st_mode & 0o777 == 0o600
    keys._configured.cache_clear()
    assert keys.signing_key().kid == first.kid


def test_the_command_prints_a_new_private_key():
    out = StringIO()
    call_command("consortium_signing_key_create", stdout=out)
    key = keys.parse_private_key(out.getvalue())
    assert key.alg == "ES256"
    assert key.kid == json.loads(out.getvalue())["kid"]

    public = StringIO()
    call_command("consortium_signing_key_create", "--public", stdout=public)
    assert "d" not in json.loads(public.getvalue())
    assert json.loads(public.getvalue())["kid"] == keys.signing_key().kid


def test_signing_uses_the_current_key():
    token = signing.sign_credential({"id": "x"})
    assert json.loads(_unb64(token.split(".")[0]))["kid"] == keys.signing_key().kid


def test_a_clr_with_a_revoked_credit_in_it_is_revoked():
    resident = ResidentFactory()
    signed = services.clr_credential_issue(
        resident=resident,
        learner_name="山田 花子",
        learner_id=selectors.learner_subject_id(resident_id=resident.pk),
        credits=[("credit-record:1", make_claim(resident.pk))],
        source=f"learner-record:{resident.pk}",
    )
    services.credential_revoke(actor=None, source="credit-record:1", reason="Corrected")

    verification = selectors.credential_verify(token=signed.token)

    assert verification.genuine
    assert not verification.valid
    assert _codes(verification) == ["revoked"]


def test_a_lost_race_to_issue_the_first_credential_gives_the_winners(monkeypatch):
    resident = ResidentFactory()
    winner = _issue(resident)
    real = IssuedCredential.objects.select_for_update
    calls = {"n": 0}

    def first_read_misses(*args, **kwargs):
        calls["n"] += 1
        query = real(*args, **kwargs)
        return query.none() if calls["n"] == 1 else query

    monkeypatch.setattr(IssuedCredential.objects, "select_for_update", first_read_misses)
    assert _issue(resident).record.pk == winner.record.pk
    assert calls["n"] == 2
    assert IssuedCredential.objects.count() == 1
