"""The Flat File export in a real browser: Export > Lancer l'export, then the download button gives
a file whose three header rows are Seller Central's, and the exports dashboard lists it as Terminé."""
from __future__ import annotations

import csv

import pytest

from core.i18n import message
from core.mapping.default import FIELDS
from tests.e2e.browser import exceptions, open_screen, wait_for_app


@pytest.mark.e2e
def test_export_and_download_the_flat_file(app_url, browser_page, tmp_path):
    page = browser_page
    page.goto(app_url)
    wait_for_app(page)
    open_screen(page, "export")
    page.get_by_role("button", name=message("export.launch", "fr")).click()
    wait_for_app(page, timeout=120_000)
    assert exceptions(page) == []
    button = page.locator("[data-testid=stDownloadButton] button").first
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0][0] == "TemplateType=fptcustom" and rows[0][1].startswith("Version=")
    assert "contentLanguageTag=fr_FR" in rows[0][3]
    assert rows[1][:4] == ["Type de produit", "SKU vendeur", "Mise à jour/Suppression", "Nom du produit"]
    assert rows[2] == list(FIELDS)
    assert len(rows) > 3 and all(len(r) == len(FIELDS) for r in rows)

    open_screen(page, "dashboard")
    assert exceptions(page) == []
    assert page.get_by_text(message("dashboard.status.done", "fr")).first.is_visible()
