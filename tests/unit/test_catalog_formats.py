"""Import of every supported format and encoding, and the typing of canonical columns."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from core.catalog.importer import import_file

DATA = Path(__file__).resolve().parent.parent / "data"


def rows(con, sql="SELECT * FROM products ORDER BY _row"):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_windows_1252_french_excel_export(con):
    result = import_file(con, DATA / "windows-1252.csv")
    assert (result.encoding, result.delimiter, result.rows) == ("cp1252", ";", 2)
    first, second = rows(con)
    assert first["title"] == "Chaise pliante été"
    assert first["description_text"] == "Chaise légère, idéale pour l’été"
    assert first["brand"] == "Ébène & Cie"
    assert (first["price"], first["price_raw"]) == (12.5, "12,50")
    assert second["price"] == 1234.9          # "1 234,90": thousands space and decimal comma
    assert first["ean"] == "0012345678905"    # stays text: the leading zeros survive


def test_utf8_with_bom_keeps_first_header(con):
    result = import_file(con, DATA / "utf8-bom.csv")
    assert result.encoding == "utf-8-sig"
    assert result.column_map["sku"] == "sku"
    assert rows(con)[0]["title"] == "Lampe été"


def test_utf16_with_bom(con, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_text((DATA / "utf8-bom.csv").read_text(encoding="utf-8-sig"), encoding="utf-16")
    assert import_file(con, path).encoding == "utf-16"
    assert rows(con)[0]["title"] == "Lampe été"


@pytest.mark.parametrize("name, delimiter", [("tab-delimited.tsv", "\t"), ("pipe-delimited.csv", "|"),
                                             ("comma-delimited-quoted.csv", ","), ("duplicate-skus.csv", ";")])
def test_delimiter_is_detected(con, name, delimiter):
    assert import_file(con, DATA / name).delimiter == delimiter


def test_quotes_commas_and_newlines_inside_cells(con):
    import_file(con, DATA / "comma-delimited-quoted.csv")
    first, second = rows(con)
    assert first["title"] == 'Lampe, LED "pro"'
    assert first["description_text"] == "Ligne 1\nLigne 2"
    assert (first["price"], second["price"]) == (12.5, 1234.5)
    assert second["_row"] == 2                 # a record spanning two lines still counts as one


def test_tolerant_header_matching_and_conversions(con):
    result = import_file(con, DATA / "synonym-headers.csv")
    assert result.column_map == {
        "sku": "Réf. produit", "title": "NOM", "description": "Descriptif", "price": "Prix (€)",
        "stock_quantity": "Stock disponible", "images": "Photos", "brand": "MARQUE", "manufacturer": "Fabricant",
        "ean": "EAN 13", "weight": "Poids (g)", "bullet_points": "Points forts", "category": "Catégorie",
        "supplier": "Fournisseur", "gtin_exempt": "Exemption GTIN"}
    assert result.extra_columns == ("Couleur",)
    (p,) = rows(con)
    assert p["images"] == ["https://x.fr/a.jpg", "https://x.fr/b.jpg"]
    assert p["bullet_points"] == ["Doux", "Solide"]
    assert (p["weight"], p["stock_quantity"], p["gtin_exempt"], p["Couleur"]) == (1200.0, 5, True, "rouge")


def test_typed_columns_keep_their_raw_text(con, tmp_path):
    path = tmp_path / "types.csv"
    path.write_text("sku;title;description;price;stock_quantity;weight\n"
                    "A;T;D;abc;5,5;\nB;T;D;1.234,50;-2;0,8\nC;T;D;nan;inf;12.5 €\n", encoding="utf-8")
    import_file(con, path)
    a, b, c = rows(con)
    assert (c["price"], c["stock_quantity"], c["weight"]) == (None, None, 12.5)   # NaN is not a price
    assert (a["price"], a["price_raw"], a["stock_quantity"], a["stock_quantity_raw"]) == (None, "abc", None, "5,5")
    assert (b["price"], b["stock_quantity"], b["weight"]) == (1234.5, -2, 0.8)
    assert a["weight"] is None and a["weight_raw"] is None
    assert a["gtin_exempt"] is False


def test_json_array_with_lists_and_objects(con):
    result = import_file(con, DATA / "products.json")
    assert (result.file_format, result.rows, result.extra_columns) == ("json", 2, ("couleur",))
    j1, j2 = rows(con)
    assert j1["images"] == ["https://x.fr/1.jpg", "https://x.fr/2.jpg"]   # strings and {"url": …} objects
    assert j1["bullet_points"] == ["Doux", "Solide"]
    assert (j1["price"], j1["gtin_exempt"], j1["ean"]) == (12.5, True, "0012345678905")
    assert (j2["price"], j2["weight"], j2["couleur"]) == (9.9, 800.0, None)


def test_json_lines(con):
    result = import_file(con, DATA / "products.jsonl")
    assert (result.file_format, result.rows) == ("json", 2)
    assert [r["brand"] for r in rows(con)] == [None, "B"]


def test_xlsx_first_sheet(con, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SKU", "Titre", "Description", "Prix", "Quantité", "EAN13", "Remarque"])
    ws.append(["X1", "Lampe", "<p>ok</p>", 12.5, 3, 4006381333931, "à voir"])
    ws.append(["X2", "Chaise", "d", "9,90", 0, "0012345678905", None])
    wb.save(path)
    result = import_file(con, path)
    assert (result.file_format, result.rows, result.extra_columns) == ("xlsx", 2, ("Remarque",))
    x1, x2 = rows(con)
    assert x1["ean"] == "4006381333931"        # a number cell, not "4006381333931.0"
    assert (x1["price"], x2["price"], x1["stock_quantity"], x1["Remarque"]) == (12.5, 9.9, 3, "à voir")


def test_parquet_with_list_column(con, tmp_path):
    path = tmp_path / "catalogue.parquet"
    duckdb.execute(f"""COPY (SELECT * FROM (VALUES
        ('P1', 'Lampe', 'd', 12.5, 3, ['https://x.fr/1.jpg', 'https://x.fr/2.jpg'], 'gris'),
        ('P2', 'Chaise', 'd', 9.9, 0, NULL, NULL)) t(sku, title, description, price, stock_quantity, images, teinte))
        TO '{path}' (FORMAT PARQUET)""")
    result = import_file(con, path)
    assert (result.file_format, result.rows, result.extra_columns) == ("parquet", 2, ("teinte",))
    p1, p2 = rows(con)
    assert p1["images"] == ["https://x.fr/1.jpg", "https://x.fr/2.jpg"]
    assert (p1["price"], p2["stock_quantity"], p2["images"], p1["_row"], p2["_row"]) == (12.5, 0, None, 1, 2)


def test_format_comes_from_content_when_extension_lies(con, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(json.dumps([{"sku": "A", "title": "T", "description": "D", "price": 1, "stock_quantity": 1}]))
    path.rename(tmp_path / "export.dat")
    assert import_file(con, tmp_path / "export.dat").file_format == "json"


def test_trailing_empty_lines_are_not_products(con):
    assert import_file(con, DATA / "ragged-trailing-empty-lines.csv").rows == 1


def test_row_numbers_follow_the_file_on_a_parallel_read(con, tmp_path):
    # Several DuckDB blocks (122,880 rows) and two threads: _row must still be the file order.
    path = tmp_path / "many.csv"
    duckdb.execute(f"COPY (SELECT 'S' || i AS sku, 'T' AS title, 'D' AS description, i AS price, 1 AS stock "
                   f"FROM range(1, 300001) t(i)) TO '{path}' (HEADER, DELIMITER ';')")
    assert import_file(con, path).rows == 300_000
    bad = con.execute("SELECT count(*) FROM products WHERE sku <> 'S' || _row").fetchone()[0]
    assert bad == 0




def test_csv_records_are_numbered_in_file_order_when_read_by_several_threads(con, tmp_path):
    # DuckDB reads a CSV in parallel in 32 MB buffers: this file (~90 MB, wide rows to keep it fast)
    # spans several. _row comes from the file-order position, empty lines included in the count.
    path = tmp_path / "wide.csv"
    duckdb.execute(f"COPY (SELECT CASE WHEN i = 20000 THEN NULL ELSE 'S' || i END AS sku, "
                   f"CASE WHEN i <> 20000 THEN 'T' END AS title, CASE WHEN i <> 20000 THEN 'D' END AS description, "
                   f"CASE WHEN i <> 20000 THEN i END AS price, CASE WHEN i <> 20000 THEN 1 END AS stock, "
                   f"CASE WHEN i <> 20000 THEN repeat('x', 2000) END AS notes "
                   f"FROM range(1, 45001) t(i)) TO '{path}' (HEADER, DELIMITER ';')")
    con.execute("SET threads = 4")
    assert import_file(con, path).rows == 44_999          # line 20,001 (record 20,000) is empty
    assert con.execute("SELECT count(*) FROM products WHERE sku <> 'S' || _row").fetchone()[0] == 0
    assert con.execute("SELECT count(*), min(_row), max(_row) FROM products WHERE _row BETWEEN 19999 AND 20001"
                       ).fetchone() == (2, 19999, 20001)
    assert con.execute("SELECT count(*) FROM (SELECT _row, lag(_row) OVER (ORDER BY rowid) AS prev FROM products) "
                       "WHERE prev >= _row").fetchone()[0] == 0

def test_products_are_stored_in_file_order_after_a_parallel_read(con, tmp_path):
    # Contract of core.catalog.store: products sit in _row order (rowid = _row - 1), so a reader may
    # skip its ORDER BY _row. Many small Parquet row groups on 4 threads are read out of order.
    path = tmp_path / "groups.parquet"
    duckdb.execute(f"COPY (SELECT 'S' || i AS sku, 'T' AS title, '<p>D' || i || '</p>' AS description, i AS price, "
                   f"1 AS stock FROM range(1, 30001) t(i)) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1024)")
    con.execute("SET threads = 4")
    assert import_file(con, path).rows == 30_000
    assert con.execute("SELECT count(*) FROM products WHERE _row <> rowid + 1").fetchone()[0] == 0
    # The order is kept for the import's own statement only: the connection's setting is unchanged.
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False


def test_text_and_list_columns_are_stored_uncompressed(con):
    # Declared in importer.UNCOMPRESSED_TYPES (CPU of DuckDB's string compression at import); the
    # derived-version stamp, one value repeated, keeps DuckDB's compression.
    import_file(con, DATA / "windows-1252.csv")
    con.execute("CHECKPOINT")
    methods = dict(con.execute("SELECT column_name, string_agg(DISTINCT compression, ',') FROM "
                               "pragma_storage_info('products') WHERE segment_type <> 'VALIDITY' GROUP BY ALL").fetchall())
    for name in ("sku", "title", "description", "description_text", "ean", "brand", "category", "price_raw",
                 "images", "bullet_points"):
        assert methods[name] == "Uncompressed", name
    assert methods["_derived_version"] != "Uncompressed"


def test_old_mac_line_ends(con):
    result = import_file(con, DATA / "old-mac-line-ends.csv")
    assert (result.rows, result.delimiter) == (2, ";")
    assert [r["sku"] for r in rows(con)] == ["A1", "A2"]


def test_excel_sep_line_gives_the_delimiter(con):
    # "sep=;" on the first line: Excel's own hint, not the header.
    result = import_file(con, DATA / "excel-sep-line.csv")
    assert (result.rows, result.delimiter, result.column_map["sku"]) == (1, ";", "sku")
    (p,) = rows(con)
    assert (p["title"], p["price"]) == ("Lampe, LED", 1.5)


def test_memory_is_capped_during_the_import_and_restored_after(con, tmp_path, monkeypatch):
    from core.catalog import derived, importer
    from core.catalog.errors import CatalogImportError

    def limit():
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    before, seen = limit(), []
    real_prepare = derived.prepare
    monkeypatch.setattr(derived, "prepare", lambda c: (seen.append(limit()), real_prepare(c))[1])
    import_file(con, DATA / "windows-1252.csv")
    assert seen == ["953.6 MiB"]                     # importer.IMPORT_MEMORY_LIMIT, 1GB, while importing
    assert limit() == before and importer.IMPORT_MEMORY_LIMIT == "1GB"
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CatalogImportError):
        import_file(con, tmp_path / "empty.csv")    # a failed import restores it too
    assert limit() == before
