"""Small Playwright helpers for Streamlit pages (data-testid locators, waiting for a script run to end).

Used by every browser test; the fixtures they need (``app_url``, ``browser_page``) are in conftest.py.
"""
from __future__ import annotations

import re
import time

from playwright.sync_api import Page

from core.i18n import message

IDLE = "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until the app is connected and its script run (or rerun) is over."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    # A run starts a moment after a click or an upload: give it that moment, then wait for the end.
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_screen(page: Page, screen_id: str, lang: str = "fr") -> None:
    """Click the sidebar link of ``screen_id`` and wait for that page to have run."""
    label = message("nav." + screen_id, lang)
    # Link text is the icon's ligature name followed by the label: match the label at the end.
    link = page.locator("[data-testid=stSidebar] a").filter(has_text=re.compile(re.escape(label) + r"\s*$"))
    link.first.click()
    page.wait_for_function("title => document.title.startsWith(title)", arg=label + " ·", timeout=30_000)
    wait_for_app(page)


def exceptions(page: Page) -> list[str]:
    """Texts of the exception boxes Streamlit shows for uncaught errors."""
    return page.locator("[data-testid=stException]").all_inner_texts()


def metric_value(page: Page, label: str) -> str | None:
    """The displayed value of the first ``st.metric`` whose label is exactly ``label``."""
    for metric in page.locator("[data-testid=stMetric]").all():
        if metric.locator("[data-testid=stMetricLabel]").inner_text().strip() == label:
            return metric.locator("[data-testid=stMetricValue]").inner_text().strip()
    return None


def as_int(text: str | None) -> int | None:
    """``"1 234"`` (any space, narrow or not) → 1234; None when not a whole number."""
    if text is None:
        return None
    digits = re.sub(r"[\s\u202f\u00a0,.]", "", text)
    return int(digits) if digits.isdigit() else None


def wait_for_metric(page: Page, label: str, expected: int, timeout: float = 60) -> int | None:
    """Poll until the metric ``label`` shows ``expected``; returns the last value seen."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = as_int(metric_value(page, label))
        if seen == expected:
            return seen
        page.wait_for_timeout(250)
    return seen
