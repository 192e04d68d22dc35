"""Every screen renders without exception, in both languages, with the sample catalogue imported.

The catalogue goes in through the real import (core.catalog.importer.import_file) when it exists;
otherwise the sample CSV is loaded with tests.factories so the pages are still exercised on it.
"""
from __future__ import annotations

import csv

import pytest

from core import db as core_db
from core.i18n import LANGUAGES, message
from core.ui.nav import SCREENS
from tests.apptest import run_screen
from tests.factories import make_products

SAMPLE = core_db.DATA_DIR / "sample_catalogue.csv"


def load_sample(con) -> int:
    """Import the sample catalogue into ``con``; the number of products."""
    try:
        from core.catalog.importer import import_file
    except ImportError:      # the import module is another issue's work: same table through the factory
        with open(SAMPLE, encoding="utf-8", newline="") as fh:
            rows = [{**r, "images": r["images"].split("|") if r["images"] else [],
                     "bullet_points": r["bullet_points"].split("|") if r["bullet_points"] else []}
                    for r in csv.DictReader(fh, delimiter=";")]
        make_products(con, rows)
        return len(rows)
    return import_file(con, SAMPLE).rows


@pytest.fixture
def sample_db(db_file) -> int:
    con = core_db.connect(db_file)
    try:
        count = load_sample(con)
    finally:
        con.close()   # the page opens the file itself, as the server does
    return count


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_screen_renders_with_the_sample_catalogue(sample_db, screen, lang):
    at = run_screen(screen.id, lang, {"selection": ""})
    assert not at.exception, [e.value for e in at.exception]
    labels = [link.label for link in at.sidebar.get("page_link")]
    assert message("nav." + screen.id, lang) in labels


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_home_counts_the_sample_products(sample_db, lang):
    at = run_screen("home", lang)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[message("common.products", lang)].replace("\u202f", "").replace(" ", "") == str(sample_db)
    assert sample_db >= 300
