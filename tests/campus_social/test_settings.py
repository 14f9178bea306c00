"""Production mode: it refuses to start without its secrets, `check --deploy` is clean, and
responses carry the security headers.  Settings are read at start-up, so these run a fresh
interpreter with the production environment."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "CAMPUS_PRODUCTION": "true",
    "SECRET_KEY": "x9!k2-production-secret-for-tests-only-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "CARD_HMAC_KEY": "another-secret-for-card-hashes-in-tests-only",
    "ALLOWED_HOSTS": "campus.example.jp",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "CARD_HMAC_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
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


@pytest.mark.parametrize("missing", ["SECRET_KEY", "CARD_HMAC_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = _run("import django; django.setup()", **env)
    assert result.returncode != 0
    assert missing in result.stderr


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
