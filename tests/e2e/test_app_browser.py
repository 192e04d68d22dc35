"""The dashboard in a real browser: home with the sample catalogue, a CSV upload on Catalogue that
changes the product count, then every screen of the sidebar opened without an exception."""
from __future__ import annotations

import csv

import pytest

from core.db import DATA_DIR
from core.i18n import message
from core.ui.nav import SCREENS
from tests.e2e.browser import exceptions, open_screen, wait_for_app, wait_for_metric

SAMPLE = DATA_DIR / "sample_catalogue.csv"
UPLOAD_ROWS = 12


def sample_rows() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        return header, list(reader)


@pytest.fixture
def small_csv(tmp_path):
    """The sample's first products, as a user's own small export (same format)."""
    header, rows = sample_rows()
    path = tmp_path / "mon_catalogue.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows[:UPLOAD_ROWS])
    return path


@pytest.mark.e2e
def test_upload_then_open_every_screen(private_app_url, browser_page, small_csv):
    page = browser_page
    products = message("common.products", "fr")
    page.goto(private_app_url)
    wait_for_app(page)
    assert exceptions(page) == []
    # The sample catalogue was loaded by core.bootstrap before the server started.
    assert wait_for_metric(page, products, len(sample_rows()[1]), timeout=20) == len(sample_rows()[1])

    open_screen(page, "catalogue")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(small_csv))
    seen = wait_for_metric(page, products, UPLOAD_ROWS)
    assert seen == UPLOAD_ROWS, f"product count shows {seen} after uploading {UPLOAD_ROWS} products"
    assert exceptions(page) == []

    for s in SCREENS:
        open_screen(page, s.id)
        assert exceptions(page) == [], (s.id, exceptions(page))

    # The new catalogue is what Home counts now.
    open_screen(page, "home")
    assert wait_for_metric(page, products, UPLOAD_ROWS, timeout=10) == UPLOAD_ROWS


@pytest.mark.e2e
def test_language_switch_translates_the_app(app_url, browser_page):
    page = browser_page
    page.goto(app_url)
    wait_for_app(page)
    count = len(sample_rows()[1])
    assert wait_for_metric(page, message("common.products", "fr"), count, timeout=20) == count
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name="English").click()
    page.wait_for_function("title => document.title.startsWith(title)", arg=message("nav.home", "en") + " ·")
    wait_for_app(page)
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    for s in SCREENS:
        assert message("nav." + s.id, "en") in sidebar
    assert wait_for_metric(page, message("common.products", "en"), count, timeout=10) == count
    # The language is kept when moving to another screen.
    open_screen(page, "quality", "en")
    assert exceptions(page) == []


def test_missing_chromium_fails_with_instructions(monkeypatch, tmp_path):
    from tests.e2e import conftest
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="scripts/test.sh"):
        conftest.chromium_executable(fallback=tmp_path / "no-chromium")
    monkeypatch.setattr(conftest.shutil, "which", lambda name: "/opt/chromium/chrome")
    assert conftest.chromium_executable(fallback=tmp_path / "no-chromium") == "/opt/chromium/chrome"
