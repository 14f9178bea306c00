"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Run them on their own (``make test-browser``): the asyncio plugin clashes with Playwright.
"""

import os
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

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
