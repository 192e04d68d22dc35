"""Export page under AppTest: Nouvel export in Flat File mode writes the file, records it and offers
the downloads; the API mode says what it needs and launches nothing."""
from pathlib import Path

import pytest

from core import db as core_db
from core.exports import flatfile_export, history
from core.i18n import message
from core.selection import Selection, save as save_selection
from tests.apptest import run_screen
from tests.factories import make_products, product


@pytest.fixture
def catalogue(db_file):
    con = core_db.connect(db_file)
    make_products(con, [product(sku="A", category="Maison"),
                        product(sku="B", category="Jardin", ean="5901234123457"),
                        product(sku="C", category="Jardin", title="", ean="0887276302195")])  # no title: ERROR
    save_selection(con, Selection("jardin", categories=("Jardin",)))
    con.close()
    return db_file


def exports(db_file):
    con = core_db.connect(db_file)
    try:
        return history.recent(con)
    finally:
        con.close()


def test_flat_file_export_from_the_page(catalogue):
    at = run_screen("export", "fr", {"selection": "jardin"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="export_selection").value == "jardin"     # the current selection is preselected
    at.button(key="export_launch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    export_id = at.session_state["export_last_id"]
    assert flatfile_export.wait(export_id, timeout=60)      # it runs in a server thread
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    rec = exports(catalogue).iloc[0]
    assert rec["status"] == "done" and rec["selection"] == "jardin"
    assert (rec["rows_selected"], rec["rows_written"], rec["rows_rejected"]) == (2, 1, 1)
    lines = Path(rec["file_path"]).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("TemplateType=fptcustom\t") and lines[3].split("\t")[1] == "B"
    assert message("export.done", "fr", written=1, selected=2, rejected=1) in [s.value for s in at.success]
    downloads = at.get("download_button")
    assert len(downloads) == 2        # the Flat File and the rejects
    # A rerun does not export again.
    at.run()
    assert len(exports(catalogue)) == 1


def test_api_mode_hides_the_flat_file_form_and_sends_nothing_by_itself(catalogue):
    # The API branch itself belongs to the API export (core.ui.api_export); choosing it writes no file.
    at = run_screen("export", "en")
    at.radio(key="export_mode").set_value("api").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.key == "export_launch"]
    assert not [s for s in at.selectbox if s.key == "export_encoding"]
    assert exports(catalogue).empty


def test_include_rejected_and_cp1252_options(catalogue):
    at = run_screen("export", "en")
    at.checkbox(key="export_include_rejected").check()
    at.selectbox(key="export_encoding").set_value("cp1252")
    at.button(key="export_launch").click().run()
    assert not at.exception
    assert flatfile_export.wait(at.session_state["export_last_id"], timeout=60)
    rec = exports(catalogue).iloc[0]
    assert (rec["rows_written"], rec["rows_rejected"], rec["encoding"]) == (3, 0, "cp1252")
