"""Code2ASIN on the real server in Chromium: the mapping job runs in a server thread against the local
sandbox the page starts, the progress fragment refreshes until the end, and the CSV is built on click."""
from __future__ import annotations

import csv
import io

import pytest

from core.i18n import message
from tests.e2e.browser import as_int, exceptions, metric_value, open_screen, wait_for_app, wait_for_metric


@pytest.mark.e2e
def test_mapping_runs_to_the_end_and_exports(private_app_url, browser_page):
    page = browser_page
    t = lambda key, **p: message(key, "fr", **p)  # noqa: E731
    page.goto(private_app_url)
    wait_for_app(page)
    open_screen(page, "code2asin")
    assert exceptions(page) == []
    pending = as_int(metric_value(page, t("code2asin.metric.pending")))
    assert pending and pending > 250

    page.get_by_role("button", name=t("code2asin.run")).click()
    # No click after this one: the fragment polls the job and reruns the page when it is over.
    assert wait_for_metric(page, t("code2asin.metric.pending"), 0, timeout=90) == 0
    page.get_by_text(t("code2asin.finished", total=pending)).wait_for(timeout=30_000)
    assert exceptions(page) == []
    matched = as_int(metric_value(page, t("code2asin.metric.MATCHED")))
    assert matched and as_int(metric_value(page, t("code2asin.metric.chosen"))) == matched

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=t("code2asin.export")).click()
    data = open(info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    assert info.value.suggested_filename == t("code2asin.export_file", marketplace="FR")
    statuses = {r[t("code2asin.col.match_status")] for r in rows}
    assert t("code2asin.status.MATCHED") in statuses and t("code2asin.status.NOT_FOUND") in statuses
    assert len({r[t("code2asin.col.ean")] for r in rows}) == pending
