"""The Qualité page in a real browser on the sample catalogue: the rules run on first visit, the score
metric and a plotly chart render, a severity filter narrows the table, no exception."""
from __future__ import annotations

import re

import pytest

from core.i18n import message
from tests.e2e.browser import exceptions, metric_value, open_screen, wait_for_app


@pytest.mark.e2e
def test_quality_page_shows_score_and_charts(app_url, browser_page):
    page = browser_page
    page.goto(app_url)
    wait_for_app(page)
    open_screen(page, "quality")
    assert exceptions(page) == []
    score = metric_value(page, message("quality.score", "fr"))
    # a share of products, French decimal comma: the sample has defects, so neither 0 % nor 100 %
    assert score and re.fullmatch(r"\d{1,2},\d\s?%", score), score
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart.wait_for(state="visible", timeout=30_000)
    # plotly drew its bars (SVG paths inside the chart), not just an empty frame
    chart.locator(".main-svg").first.wait_for(state="attached", timeout=30_000)
    assert chart.locator("g.point, path.bar, .bars path").count() > 0
    assert page.locator("[data-testid=stDataFrame]").count() >= 1
    assert page.locator("[data-testid=stDownloadButton]").count() == 2
    assert exceptions(page) == []
