"""Bad files: a clear message (key + line/column) and nothing lost — the previous catalogue, its
selections and every other table stay exactly as they were, and the failure is recorded."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.catalog import textfile
from core.catalog.errors import CatalogImportError, MissingColumns
from core.catalog.importer import import_file
from core.i18n import message
from core.selection import Selection, names, save
from tests.factories import make_products, product

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def catalogue(con):
    """A catalogue of two products, a saved selection and another module's table to protect."""
    make_products(con, [product(sku="OLD-1"), product(sku="OLD-2")])
    save(con, Selection("garder", categories=("Maison",)))
    con.execute("CREATE TABLE other_module (sku VARCHAR, note VARCHAR)")
    con.execute("INSERT INTO other_module VALUES ('OLD-1', 'à garder')")
    return con


def assert_untouched(con):
    assert con.execute("SELECT list(sku ORDER BY sku) FROM products").fetchone()[0] == ["OLD-1", "OLD-2"]
    assert names(con) == ["garder"]
    assert con.execute("SELECT * FROM other_module").fetchall() == [("OLD-1", "à garder")]
    leftovers = con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name LIKE '_products_import_%'").fetchone()[0]
    assert leftovers == 0


def failed(con, path, **kwargs) -> CatalogImportError:
    with pytest.raises(CatalogImportError) as info:
        import_file(con, path, **kwargs)
    error = info.value
    status, code = con.execute("SELECT status, error_code FROM catalog_imports ORDER BY import_id DESC LIMIT 1"
                               ).fetchone()
    assert (status, code) == ("failed", error.code)
    # The message exists in both languages and names the parameters it was given.
    for lang in ("fr", "en"):
        text = error.message(lang)
        assert text != error.code and "{" not in text
    return error


@pytest.mark.parametrize("name, code, params", [
    ("empty.csv", "empty", {}),
    ("blank-lines-only.csv", "empty", {}),
    ("binary-garbage.csv", "binary", {"line": 1}),
    ("wrong-encoding.csv", "encoding", {"line": 3, "byte": "0x81"}),
    ("ragged-rows.csv", "ragged", {"line": 3, "expected": 9, "found": 8, "column": "I"}),
    ("too-many-cells.csv", "ragged", {"line": 3, "expected": 9, "found": 10, "column": "J"}),
    ("header-only.csv", "no_rows", {}),
    ("unclosed-quote.csv", "unclosed_quote", {"line": 3}),
    ("duplicate-column-names.csv", "duplicate_columns", {"column": "Price", "first": "D", "second": "F"}),
    ("json-not-objects.json", "json_not_objects", {"record": 2}),
    ("old-excel.xls", "xls_unsupported", {}),
])
def test_bad_file_is_refused_with_its_line(catalogue, name, code, params):
    error = failed(catalogue, DATA / name)
    assert error.code == "catalogue.errors." + code
    assert error.params == params
    assert_untouched(catalogue)


def test_invalid_json_message_names_no_internal_path(catalogue):
    error = failed(catalogue, DATA / "invalid-json.json")
    assert error.code == "catalogue.errors.invalid_json"
    assert "tests/data" not in error.params["detail"] and error.params["detail"]
    assert_untouched(catalogue)


def test_fifty_megabytes_in_one_cell(catalogue, tmp_path):
    path = tmp_path / "giant-cell.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("sku;title;description;price;stock_quantity\nA1;Lampe;ok;1;1\nA2;Lampe;")
        fh.write("x" * 50_000_000)
        fh.write(";1;1\nA3;Lampe;ok;1;1\n")
    error = failed(catalogue, path)
    assert error.code == "catalogue.errors.line_too_long"
    assert error.params == {"line": 3, "limit_mb": 8}
    assert "Ligne 3" in error.message("fr")
    assert_untouched(catalogue)


def test_a_long_cell_under_the_limit_is_kept(con, tmp_path):
    path = tmp_path / "long-cell.csv"
    path.write_text("sku;title;description;price;stock_quantity\nA1;Lampe;" + "é" * 3_000_000 + ";1;1\n",
                    encoding="utf-8")
    import_file(con, path)
    assert con.execute("SELECT length(description) FROM products").fetchone()[0] == 3_000_000
    assert textfile.MAX_LINE_BYTES > 6_000_000


def test_sql_in_column_names_is_just_a_name(catalogue):
    result = import_file(catalogue, DATA / "sql-in-column-names.csv")
    assert result.extra_columns == ('x"; DROP TABLE products; --', "'); DELETE FROM selections; --")
    assert names(catalogue) == ["garder"]
    assert catalogue.execute('SELECT "x""; DROP TABLE products; --" FROM products').fetchone() == ("v1",)
    assert catalogue.execute("SELECT count(*) FROM other_module").fetchone() == (1,)


def test_missing_sku_column_asks_which_column(catalogue):
    error = failed(catalogue, DATA / "missing-sku.csv")
    assert isinstance(error, MissingColumns)
    assert error.missing == ("sku",)
    assert error.file_columns == ("Référence interne", "title", "description", "price", "stock_quantity")
    assert error.matched["price"] == "price"
    assert "sku" in error.message("fr") and "Référence interne" in error.message("en")
    assert_untouched(catalogue)
    # The user's answer completes the import.
    result = import_file(catalogue, DATA / "missing-sku.csv", column_map={"sku": "Référence interne"})
    assert result.rows == 2 and result.column_map["sku"] == "Référence interne"
    assert catalogue.execute("SELECT list(sku ORDER BY _row) FROM products").fetchone()[0] == ["R-1", "R-2"]


def test_answer_must_name_a_file_column_and_sku_cannot_be_left_empty(catalogue):
    assert failed(catalogue, DATA / "missing-sku.csv", column_map={"sku": "nope"}).code == \
        "catalogue.errors.unknown_column"
    assert failed(catalogue, DATA / "missing-sku.csv", column_map={"sku": None}).code == \
        "catalogue.errors.sku_required"
    assert_untouched(catalogue)


def test_required_column_may_be_declared_absent(con, tmp_path):
    path = tmp_path / "no-description.csv"
    path.write_text("sku;title;price;stock_quantity\nA;T;1;1\n", encoding="utf-8")
    with pytest.raises(MissingColumns) as info:
        import_file(con, path)
    assert info.value.missing == ("description",)
    import_file(con, path, column_map={"description": None})
    assert con.execute("SELECT description, description_text FROM products").fetchone() == (None, None)


def test_duplicate_skus_are_kept_and_reported(con):
    result = import_file(con, DATA / "duplicate-skus.csv")
    assert result.rows == 5
    assert result.duplicate_count == 2
    assert [(d.sku, d.count, d.lines) for d in result.duplicate_skus] == [("A1", 3, (2, 4, 6)), ("A2", 2, (3, 5))]
    assert con.execute("SELECT duplicate_skus FROM catalog_imports WHERE status = 'ok'").fetchone() == (2,)
    assert message("catalogue.duplicates", "fr", n=2).startswith("2 SKU")


def test_missing_file(catalogue, tmp_path):
    assert failed(catalogue, tmp_path / "absent.csv").code == "catalogue.errors.not_found"
    assert_untouched(catalogue)


def test_success_records_a_new_import_id(con):
    first = import_file(con, DATA / "utf8-bom.csv")
    second = import_file(con, DATA / "duplicate-skus.csv")
    assert second.import_id > first.import_id
    assert con.execute("SELECT import_id, row_count FROM catalog_imports WHERE status = 'ok' ORDER BY import_id"
                       ).fetchall() == [(first.import_id, 1), (second.import_id, 5)]


def test_current_import_id_follows_successes_only(con):
    from core.catalog.store import current_import_id
    assert current_import_id(con) is None
    ok = import_file(con, DATA / "utf8-bom.csv")
    with pytest.raises(CatalogImportError):
        import_file(con, DATA / "empty.csv")
    assert current_import_id(con) == ok.import_id


def test_leftover_staging_table_is_dropped_at_start_up(con):
    from core.catalog.importer import STAGING_PREFIX, drop_leftovers
    con.execute(f'CREATE TABLE "{STAGING_PREFIX}dead" (x INTEGER)')
    drop_leftovers(con)
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '_products_import_%'"
                       ).fetchone()[0] == 0


def test_zip_that_is_no_workbook(catalogue, tmp_path):
    import zipfile
    path = tmp_path / "catalogue.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    assert failed(catalogue, path).code == "catalogue.errors.invalid_xlsx"
    assert_untouched(catalogue)


def test_two_imports_at_once_both_land_whole(con):
    import threading
    errors = []

    def run(name):
        cur = con.cursor()              # one cursor per thread, as the dashboard's sessions do
        try:
            for _ in range(3):
                import_file(cur, DATA / name)
        except Exception as exc:        # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("duplicate-skus.csv", "synonym-headers.csv")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert con.execute("SELECT count(*) FROM catalog_imports WHERE status = 'ok'").fetchone() == (6,)
    last = con.execute("SELECT row_count FROM catalog_imports WHERE status = 'ok' ORDER BY import_id DESC LIMIT 1"
                       ).fetchone()[0]
    assert con.execute("SELECT count(*) FROM products").fetchone()[0] == last
