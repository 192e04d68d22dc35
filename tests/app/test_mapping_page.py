"""Mapping page under AppTest: an edit seeded through session_state and saved; edits the browser
alone would block are refused on the server; a stale save is refused; preview and reset."""
import pytest

from core import db as core_db
from core.i18n import message
from core.mapping import profiles
from core.mapping.default import DEFAULT_MAPPING, FIELDS
from tests.apptest import run_screen
from tests.factories import make_products, product

TITLE = FIELDS.index("item_name")


@pytest.fixture
def catalogue(db_file):
    con = core_db.connect(db_file)
    make_products(con, [product(sku="A", title="Marque " + "mot " * 60, category="Luminaires"),
                        product(sku="B", title="Court", category="Maison")])
    con.close()        # the page opens the file itself, as the server does
    return db_file


def edits(edited_rows=None, added_rows=None, deleted_rows=None):
    return {"mapping_editor": {"edited_rows": edited_rows or {}, "added_rows": added_rows or [],
                               "deleted_rows": deleted_rows or []}}


def saved(db_file):
    con = core_db.connect(db_file)
    try:
        return profiles.latest_version(con, "FR", "default"), profiles.load(con, "FR")
    finally:
        con.close()


def errors(at):
    return [e.value for e in at.error]


def test_seeded_edit_is_saved_as_a_new_version(catalogue):
    at = run_screen("mapping", "fr", edits({TITLE: {"param": "150"}}))
    assert not at.exception, [e.value for e in at.exception]
    assert errors(at) == []
    at.button(key="mapping_save").click().run()
    assert not at.exception
    version, profile = saved(catalogue)
    assert version == 1 and profile.rows[TITLE].param == "150"
    assert profile.rows[FIELDS.index("item_sku")] == DEFAULT_MAPPING[FIELDS.index("item_sku")]
    assert message("mapping.saved", "fr", version=1, name="default") in [s.value for s in at.success]


def test_added_row_is_refused_on_save(catalogue):
    row = {"field": "evil_field", "source": "title", "constant": "", "transform": "none", "param": ""}
    at = run_screen("mapping", "en", edits(added_rows=[row]))
    at.button(key="mapping_save").click().run()
    assert not at.exception
    assert any(message("mapping.errors.rows_changed", "en", expected=len(FIELDS), got=len(FIELDS) + 1) in e
               for e in errors(at))
    assert saved(catalogue)[0] == 0


@pytest.mark.parametrize("cells,key,params", [
    ({0: {"field": "renamed"}}, "locked_column", {"field": "feed_product_type"}),   # disabled in the browser
    ({TITLE: {"transform": "rot13"}}, "unknown_transform", {"field": "item_name", "value": "rot13"}),  # not in list
    ({FIELDS.index("item_sku"): {"source": "ean"}}, "locked_row", {"field": "item_sku"}),
])
def test_edits_the_browser_would_block_are_refused(catalogue, cells, key, params):
    at = run_screen("mapping", "fr", edits(cells))
    at.button(key="mapping_save").click().run()
    assert not at.exception
    assert message("mapping.refused", "fr") in errors(at)
    assert any(e.endswith(message(f"mapping.errors.{key}", "fr", **params)) for e in errors(at)), errors(at)
    assert saved(catalogue)[0] == 0


def test_stale_save_is_refused_not_overwritten(catalogue):
    at = run_screen("mapping", "en", edits({TITLE: {"param": "150"}}))
    # Someone else saves version 1 while this page is open on version 0.
    con = core_db.connect(catalogue)
    rows = [{k: v for k, v in r.as_dict().items() if k != "locked"} for r in DEFAULT_MAPPING]
    rows[TITLE]["param"] = "120"
    profiles.save(con, "FR", "default", rows, based_on=0, user="bob")
    con.close()
    at.button(key="mapping_save").click().run()
    assert not at.exception
    assert message("mapping.conflict", "en", version=1, base=0) in errors(at)
    version, profile = saved(catalogue)
    assert version == 1 and profile.rows[TITLE].param == "120"


def test_preview_marks_the_cut_title_and_reset_restores_the_default(catalogue):
    at = run_screen("mapping", "fr")
    # Changed cells: A's title cut at 200, both descriptions (HTML to text), both weights (g to kg).
    assert message("mapping.preview_caption", "fr", n=2, changed=5) in [c.value for c in at.caption]
    at.button(key="mapping_reset").click().run()
    assert not at.exception
    version, profile = saved(catalogue)
    assert version == 1 and profile.rows == DEFAULT_MAPPING
