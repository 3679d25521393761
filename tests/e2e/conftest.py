"""Browser tests: Playwright for Python driving Debian's Chromium against `live_server`."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# With UX_SHOTS set to a folder, the browser tests save their screenshots there (1280 and 390 px).
SHOTS = os.environ.get("UX_SHOTS")

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, accept_downloads=True
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.close()
    browser.clear_cookies()


def fill_contact_and_address(page) -> None:
    """The checkout form, as a Swedish customer fills it in."""
    page.get_by_label("Email").fill("asa@example.com")
    page.get_by_label("First name").fill("Åsa")
    page.get_by_label("Last name").fill("Öberg")
    page.get_by_label("Address", exact=True).fill("Storgatan 12")
    page.get_by_label("Postal code").fill("831 30")
    page.get_by_label("City").fill("Östersund")


def fill_card(page, number: str = "4242 4242 4242 4242") -> None:
    """The demo payment form; the test card succeeds, any other number is declined."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVC").fill("123")


def shoot(page, name: str) -> None:
    """Save a full-page screenshot as `<name>-<width>.png` in UX_SHOTS, when it is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
