"""The Catalogue page under AppTest: upload, import report, column question, selection, in FR and EN."""
from pathlib import Path

import pytest

from core import selection as selections
from core.catalog.store import catalogue_status
from core.db import connect
from core.i18n import message
from tests.apptest import run_screen
from tests.factories import make_products, product

DATA = Path(__file__).resolve().parent.parent / "data"
LANGS = ["fr", "en"]


@pytest.fixture(autouse=True)
def imports_end_within_the_run(monkeypatch):
    """The page waits for its import job as long as it takes (a busy test machine may need more than the
    page's SETTLE_S): these tests are about the page's outcome; tests/app/test_catalogue_import_job.py
    covers the progress shown while a job runs."""
    from core.ui import catalogue_import
    monkeypatch.setattr(catalogue_import, "SETTLE_S", 60.0)


def metric(at, key, lang):
    return next(m.value for m in at.metric if m.label == message(key, lang))


def seed(db_file, n=120):
    con = connect(db_file)
    make_products(con, [product(sku=f"SKU-{i:03d}", title=f"Produit {i}", category=("Maison", "Jouets")[i % 2],
                                supplier=("A", "B", "C")[i % 3]) for i in range(n)])
    con.close()


@pytest.mark.parametrize("lang", LANGS)
def test_upload_imports_and_shows_count(db_file, lang):
    at = run_screen("catalogue", lang)
    assert metric(at, "common.products", lang) == "0"
    at.file_uploader(key="catalogue_upload").set_value(
        ("duplicate-skus.csv", (DATA / "duplicate-skus.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "common.products", lang) == "5"
    assert any("duplicate-skus.csv" in s.value for s in at.success)
    assert message("catalogue.duplicates", lang, n=2) in [w.value for w in at.warning]
    # The upload was imported from disk, then removed.
    uploads = db_file.parent / "runtime" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize("lang", LANGS)
def test_bad_upload_shows_message_and_keeps_catalogue(db_file, lang):
    seed(db_file, 3)
    at = run_screen("catalogue", lang)
    at.file_uploader(key="catalogue_upload").set_value(
        ("ragged-rows.csv", (DATA / "ragged-rows.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    expected = message("catalogue.errors.ragged", lang, line=3, expected=9, found=8, column="I")
    assert expected in [e.value for e in at.error]
    assert metric(at, "common.products", lang) == "3"


@pytest.mark.parametrize("lang", LANGS)
def test_column_question_then_import(db_file, lang):
    at = run_screen("catalogue", lang)
    at.file_uploader(key="catalogue_upload").set_value(
        ("missing-sku.csv", (DATA / "missing-sku.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    question = at.selectbox(key="catalogue_map_sku")
    assert question.label == message("catalogue.fields.sku", lang)
    assert "Référence interne" in question.options
    assert metric(at, "common.products", lang) == "0"
    question.set_value("Référence interne")
    at.button(key="catalogue_map_submit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "common.products", lang) == "2"
    assert not [s for s in at.selectbox if s.key == "catalogue_map_sku"]


@pytest.mark.parametrize("lang", LANGS)
def test_save_a_category_selection(db_file, lang):
    seed(db_file)
    at = run_screen("catalogue", lang)
    assert metric(at, "common.products", lang) == "120"
    at.radio(key="catalogue_mode").set_value("category").run()
    at.multiselect(key="catalogue_categories").set_value(["Jouets"]).run()
    assert metric(at, "common.selection", lang) == "60"
    at.text_input(key="catalogue_name").input("jouets").run()
    at.button(key="catalogue_save").click().run()
    assert not at.exception
    assert at.session_state["selection"] == "jouets"
    assert message("catalogue.saved", lang, name="jouets") in [s.value for s in at.success]
    con = connect(db_file)
    assert selections.load(con, "jouets").categories == ("Jouets",)
    con.close()


def test_handpicked_selection_from_the_table(db_file):
    seed(db_file)
    at = run_screen("catalogue", "fr")
    at.radio(key="catalogue_mode").set_value("handpicked").run()
    at.text_input(key="catalogue_search").input("SKU-01").run()
    # A tick in the editor, as the browser would send it (rows 0 and 2 of the page).
    at.session_state["catalogue_editor_50_1_SKU-01"] = {
        "edited_rows": {0: {"_pick": True}, 2: {"_pick": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.session_state["catalogue_picks"] == ["SKU-010", "SKU-012"]
    at.text_input(key="catalogue_name").input("choix").run()
    at.button(key="catalogue_save").click().run()
    assert not at.exception
    con = connect(db_file)
    assert selections.handpicked_skus(con, "choix") == ["SKU-010", "SKU-012"]
    con.close()


def test_only_one_page_of_rows_reaches_the_browser(db_file):
    seed(db_file, 120)
    at = run_screen("catalogue", "en")
    (table,) = at.dataframe          # no import report on this run: the product table only
    assert len(table.value) == 50
    at.number_input(key="catalogue_page").set_value(3).run()
    (table,) = at.dataframe
    assert list(table.value["sku"])[:2] == ["SKU-100", "SKU-101"]
    assert len(table.value) == 20


def test_sample_button_loads_the_sample(db_file):
    from core.catalog import sample
    if not sample.available():
        pytest.skip("sample not generated yet")
    at = run_screen("catalogue", "fr")
    at.button(key="catalogue_sample").click().run()
    assert not at.exception
    con = connect(db_file)
    assert catalogue_status(con).last_file == "sample_catalogue.csv"
    con.close()
