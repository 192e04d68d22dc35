"""Home: catalogue status (products, categories, suppliers, last import) and the current selection."""
import pytest

from core import selection as selections
from core.catalog.importer import import_file
from core.db import connect
from core.i18n import message
from tests.apptest import run_screen
from tests.app.test_catalogue_page import DATA, metric


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_empty_points_to_the_catalogue(db_file, lang):
    at = run_screen("home", lang)
    assert not at.exception
    assert metric(at, "common.products", lang) == "0"
    assert metric(at, "common.last_import", lang) == message("common.never", lang)
    assert message("common.no_catalogue", lang) in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_shows_status_and_selection(db_file, lang):
    con = connect(db_file)
    import_file(con, DATA / "synonym-headers.csv")
    selections.save(con, selections.Selection("maison", categories=("Maison",)))
    con.close()
    at = run_screen("home", lang, {"selection": "maison"})
    assert not at.exception
    assert metric(at, "common.products", lang) == "1"
    assert metric(at, "common.categories", lang) == "1"
    assert metric(at, "common.suppliers", lang) == "1"
    assert metric(at, "common.last_import", lang) != message("common.never", lang)
    assert message("catalogue.home_selection", lang, name="maison", n=1) in at.caption.values
    assert "synonym-headers.csv" in at.caption.values
