"""Every screen renders without exception, in both languages, with the sample catalogue imported.

The catalogue goes in through the real import (core.catalog.importer.import_file) when it exists;
otherwise the sample CSV is loaded with tests.factories so the pages are still exercised on it.
"""
from __future__ import annotations


import pytest

from core import db as core_db
from core.i18n import LANGUAGES, message
from core.ui.nav import SCREENS
from tests.apptest import run_screen
from tests.factories import load_sample



@pytest.fixture
def sample_count(sample_db) -> int:
    """The number of products of the sample catalogue loaded by ``sample_db``."""
    con = core_db.connect(sample_db)
    try:
        return con.execute("SELECT count(*) FROM products").fetchone()[0]
    finally:
        con.close()   # the page opens the file itself, as the server does


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_screen_renders_with_the_sample_catalogue(sample_db, screen, lang):
    at = run_screen(screen.id, lang, {"selection": ""})
    assert not at.exception, [e.value for e in at.exception]
    labels = [link.label for link in at.sidebar.get("page_link")]
    assert message("nav." + screen.id, lang) in labels


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_home_counts_the_sample_products(sample_count, lang):
    at = run_screen("home", lang)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[message("common.products", lang)].replace("\u202f", "").replace(" ", "") == str(sample_count)
    assert sample_count >= 300


@pytest.fixture
def sample_with_selection(db_file) -> str:
    """The sample catalogue plus a saved selection (two categories, one supplier), made current."""
    from core.selection import Selection, save
    con = core_db.connect(db_file)
    try:
        load_sample(con)
        save(con, Selection("Maison et cuisine", categories=("Maison", "Cuisine"), suppliers=("Maison & Co Import",)))
    finally:
        con.close()
    return "Maison et cuisine"


@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_screen_renders_on_a_saved_selection(sample_with_selection, screen):
    at = run_screen(screen.id, "fr", {"selection": sample_with_selection})
    assert not at.exception, [e.value for e in at.exception]
