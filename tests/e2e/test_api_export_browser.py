"""API export in the real server and Chromium: the job runs in the server, and the live widget
(``@st.fragment(run_every=…)``) updates the counts without any click until the job is done."""
from __future__ import annotations

import pytest

from core.i18n import message
from tests.e2e.browser import exceptions, open_screen, wait_for_app, wait_for_metric

pytestmark = pytest.mark.e2e


def test_api_export_progress_updates_live(private_app_url, browser_page):
    page = browser_page
    page.goto(private_app_url)
    wait_for_app(page)
    open_screen(page, "export")
    page.get_by_text(message("export.mode.api", "fr"), exact=True).click()
    wait_for_app(page)
    # JSON_LISTINGS_FEED: the sample's 251 sendable products in one feed (seconds, not 50 s of puts).
    page.locator("[data-testid=stSelectbox]").filter(has_text=message("api_export.method", "fr")).click()
    page.get_by_role("option", name=message("api_export.methods.feed", "fr")).click()
    wait_for_app(page)
    page.get_by_role("button", name=message("api_export.launch", "fr")).click()
    wait_for_app(page)
    assert exceptions(page) == []
    # No click from here: only the fragment's own reruns can bring the final count.
    done = wait_for_metric(page, message("jobs.waiting", "fr"), 0, timeout=90)
    assert done == 0
    page.get_by_text(message("jobs.status.done", "fr")).first.wait_for(timeout=30_000)
    assert wait_for_metric(page, message("jobs.total", "fr"), 251, timeout=5) == 251
    assert exceptions(page) == []
