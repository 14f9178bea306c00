"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server, or,
where websockets are needed, against Daphne (``asgi_live_server``, from ``asgi_server.py``).

Run them on their own (``make test-browser``): the asyncio plugin clashes with Playwright.
"""

import os
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from campus_social.identity.models import Resident
from tests.browser.asgi_server import (  # noqa: F401  (fixtures)
    asgi_live_server,
    django_db_modify_db_settings,
)
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN
from tests.factories import CardFactory, ResidentFactory

# Playwright's sync API runs an event loop in the test thread; the factories that build the
# test data there are ordinary synchronous ORM calls, which Django would otherwise refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(axe: Axe) -> Callable[[Page], None]:
    """Fails on any axe-core violation of serious or critical impact on the current page."""

    def check(page: Page) -> None:
        results = axe.run(page)
        blocking = [
            violation
            for violation in results.response["violations"]
            if violation.get("impact") in BLOCKING_IMPACTS
        ]
        report = "\n".join(
            f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
            + "\n".join(
                f"    {node['target']}: {node['html'][:200]}" for node in violation["nodes"]
            )
            for violation in blocking
        )
        assert not blocking, f"Accessibility violations on {page.url}:\n{report}"

    return check


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """Browser tests find things by their English source text, which stays put when the Japanese
    catalogue changes; the test of the Japanese default sets Japanese back.  (Test residents
    choose English too, since signing in switches to the resident's language.)"""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def site(live_server) -> str:
    return live_server.url


@pytest.fixture
def resident(transactional_db) -> Resident:
    """A resident who signs in with ``signing_in.DEFAULT_CARD`` and ``DEFAULT_PIN``."""
    card = CardFactory(
        card_id=DEFAULT_CARD,
        pin=DEFAULT_PIN,
        resident=ResidentFactory(name="山田 花子", language="en"),
    )
    return card.resident
