"""Production mode: it refuses to start without its secrets, `check --deploy` is clean, and
responses carry the security headers.

Settings are read at start-up.  Whether production refuses or accepts its secrets is decided by
the settings module alone, so those tests execute ``campus_social/settings.py`` afresh in the
test's environment, exactly as Django's start-up imports it (no interpreter per case).  The tests
that need the whole of Django in production mode run a fresh interpreter with that environment.
"""

import importlib.util
import json
import os
import secrets
import subprocess
import sys
import textwrap
import traceback
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from campus_social import settings as settings_module

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    # Random, but public here: for tests only.
    "SECRET_KEY": "cTqzI0Qh-tZbG9r1OdwMz87n_MCvbXQ6xkrJJqDM_pdylK3mX0t-yyHBhBIlblhr",
    "CARD_HMAC_KEY": "fea8c22e7150d92cb0fe5ab46979a35fd130fd075a19e2a65311ff595e62d7b1",
    "CAMPUS_PRODUCTION": "true",
    "ALLOWED_HOSTS": "campus.example.jp",
    "CREDENTIAL_SIGNING_KEY": '{"crv":"P-256","x":"ae9nmIHdXVvpUJmDwRXArzwpOmNT4QB5CQgKUz7AyTo","y":"LTC9_1GnH-E1HIvfnHboNRGdzmd9Gdk9wwm5dh6r8TY","d":"ZNhlwt1QlgCbzZyt2a-mBRReOz-C4gyZBBDwkY7c3V0","kty":"EC","kid":"9fXRI0JJE1ZLZ1Qo_OG6kq4VZiJysiBGD3v9HSoOE-4","alg":"ES256","use":"sig"}',
}
# Set by the developer's or CI's environment, never by these tests' production environment.
UNSET = {
    "SECRET_KEY",
    "CARD_HMAC_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "WEBSOCKET_ALLOWED_ORIGINS",
    "CREDENTIAL_SIGNING_KEY",
    "CREDENTIAL_RETIRED_KEYS",
    "CREDENTIAL_ISSUER_URL",
}


def _start_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """Runs the settings module as Django's start-up does, in the given environment, as a module
    of its own (the settings in use by this test run are untouched); raises what it raises."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "campus_social.settings_under_test", settings_module.__file__
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    """The report of a refused start-up: the exception with its traceback, as it would be logged."""
    with pytest.raises(ImproperlyConfigured) as refused:
        _start_settings(monkeypatch, **env)
    return "".join(traceback.format_exception(refused.value))


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in UNSET}
    environment.update(env, DJANGO_SETTINGS_MODULE="campus_social.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "CARD_HMAC_KEY", "ALLOWED_HOSTS", "CREDENTIAL_SIGNING_KEY"]
)
def test_production_refuses_to_start_without_its_secrets(monkeypatch, missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    assert missing in _refusal(monkeypatch, **env)


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("CARD_HMAC_KEY", "x", "CARD_HMAC_KEY is too weak"),
        ("CARD_HMAC_KEY", "another-secret-for-card-hashes-in-tests-only", "too weak"),
        ("CARD_HMAC_KEY", "0123456789abcdef" * 4, "too weak"),
        # 16 random bytes, not 32 (drawn afresh each run; the id stays put for pytest-xdist)
        pytest.param("CARD_HMAC_KEY", secrets.token_hex(16), "too weak", id="token_hex(16)"),
        ("SECRET_KEY", "a" * 80, "SECRET_KEY is too weak"),
        ("CARD_HMAC_KEY", settings_module._DEV_CARD_HMAC_KEY, "public development key"),
        ("SECRET_KEY", settings_module._DEV_SECRET_KEY, "SECRET_KEY is a public development key"),
        ("SECRET_KEY", settings_module._DEV_CARD_HMAC_KEY, "public development key"),
        ("ALLOWED_HOSTS", "*", "without a wildcard"),
        ("ALLOWED_HOSTS", "campus.example.jp,*", "without a wildcard"),
        ("WEBSOCKET_ALLOWED_ORIGINS", "*", "without a wildcard"),
    ],
)
def test_production_refuses_to_start_with_weak_secrets_or_a_wildcard_host(
    monkeypatch, name, value, complaint
):
    report = _refusal(monkeypatch, **{**PRODUCTION_ENV, name: value})

    assert "ImproperlyConfigured" in report
    assert complaint in report
    if name.endswith("_KEY") and len(value) > 8:
        assert value not in report  # a refused secret is not echoed into a log


@pytest.mark.parametrize(
    "card_key",
    # Drawn afresh each run; the ids stay put, as pytest-xdist's workers must collect the same.
    [
        pytest.param(secrets.token_hex(32), id="token_hex(32)"),
        pytest.param(secrets.token_urlsafe(32), id="token_urlsafe(32)"),
        pytest.param(secrets.token_urlsafe(48), id="token_urlsafe(48)"),
    ],
)
def test_production_starts_with_a_random_key_of_32_bytes_or_more(monkeypatch, card_key):
    started = _start_settings(monkeypatch, **{**PRODUCTION_ENV, "CARD_HMAC_KEY": card_key})

    assert started.PRODUCTION
    assert card_key == started.CARD_HMAC_KEY


def _public_part(jwk_text: str) -> str:
    return json.dumps({k: v for k, v in json.loads(jwk_text).items() if k != "d"})


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("CREDENTIAL_SIGNING_KEY", "", "needs the environment variable CREDENTIAL_SIGNING_KEY"),
        ("CREDENTIAL_SIGNING_KEY", "not a key", "must be an EC P-256 or Ed25519 private key"),
        (
            "CREDENTIAL_SIGNING_KEY",
            '{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0"}',
            "must be an EC P-256 or Ed25519 private key",
        ),
        (
            "CREDENTIAL_SIGNING_KEY",
            _public_part(PRODUCTION_ENV["CREDENTIAL_SIGNING_KEY"]),
            "must be the private key",
        ),
        ("CREDENTIAL_RETIRED_KEYS", "[{", "CREDENTIAL_RETIRED_KEYS must be a JWKS"),
        ("CREDENTIAL_ISSUER_URL", "http://campus.example.jp", "must be the site's https://"),
    ],
)
def test_production_refuses_to_start_without_a_usable_credential_signing_key(
    monkeypatch, name, value, complaint
):
    report = _refusal(monkeypatch, **{**PRODUCTION_ENV, name: value})

    assert complaint in report
    assert json.loads(PRODUCTION_ENV["CREDENTIAL_SIGNING_KEY"])["d"] not in report


def test_production_starts_with_a_pem_or_ed25519_key_and_published_retired_keys(monkeypatch):
    from joserfc.jwk import ECKey, OKPKey

    for key in (ECKey.generate_key("P-256"), OKPKey.generate_key("Ed25519")):
        started = _start_settings(
            monkeypatch,
            **{
                **PRODUCTION_ENV,
                "CREDENTIAL_SIGNING_KEY": key.as_pem(private=True).decode(),
                "CREDENTIAL_RETIRED_KEYS": json.dumps(
                    {"keys": [json.loads(_public_part(PRODUCTION_ENV["CREDENTIAL_SIGNING_KEY"]))]}
                ),
            },
        )
        assert started.PRODUCTION
        assert started.CREDENTIAL_ISSUER_URL == "https://campus.example.jp"


def test_production_check_deploy_reports_nothing():
    result = _run(
        """
        import django
        from django.core.management import call_command
        django.setup()
        call_command("check", deploy=True, fail_level="WARNING")
        """,
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_responses_carry_hsts_csp_nosniff_and_referrer_policy():
    result = _run(
        """
        import django
        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        response = Client().get("/healthz", secure=True, HTTP_HOST="campus.example.jp")
        for header in ("Strict-Transport-Security", "Content-Security-Policy",
                       "X-Content-Type-Options", "Referrer-Policy"):
            print(header, "=", response.headers.get(header))
        plain = Client().get("/healthz", HTTP_HOST="campus.example.jp")
        print("plain", plain.status_code, plain.headers.get("Location"))
        """,
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Strict-Transport-Security = max-age=31536000; includeSubDomains; preload" in result.stdout
    )
    assert "Content-Security-Policy = default-src 'self'" in result.stdout
    assert "X-Content-Type-Options = nosniff" in result.stdout
    assert "Referrer-Policy = same-origin" in result.stdout
    assert "plain 301 https://campus.example.jp/healthz" in result.stdout


def test_the_embedded_default_serves_plain_http_without_secure_only_cookies(settings, client):
    assert not settings.SESSION_COOKIE_SECURE
    assert not settings.CSRF_COOKIE_SECURE
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
