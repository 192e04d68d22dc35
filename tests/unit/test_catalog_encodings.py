"""Encodings decided partly by DuckDB: a CSV whose beginning is UTF-8 is read as UTF-8, DuckDB's reader
refuses invalid UTF-8 further on, and the import then reads the file as Windows-1252 — the same
table, encoding and errors as a full UTF-8 check before reading gave."""
from __future__ import annotations

import pytest

from core.catalog import textfile
from core.catalog.errors import CatalogImportError
from core.catalog.importer import import_file
from tests.factories import make_products, product

HEADER = "sku;title;description;price;stock_quantity\n"
# Enough plain records that the bytes under test lie past the sample checked in Python.
FILLER_ROWS = textfile.SAMPLE_BYTES // 20 + 10


def late_file(tmp_path, tail: bytes, name="late.csv"):
    """A CSV whose first SAMPLE_BYTES are ASCII, then ``tail`` (raw bytes: records or part of one)."""
    path = tmp_path / name
    body = "".join(f"A{i:07d};Lampe;ok;1;1\n" for i in range(FILLER_ROWS)).encode()
    assert len(body) > textfile.SAMPLE_BYTES
    path.write_bytes(HEADER.encode() + body + tail)
    return path


def last_row(con):
    return con.execute("SELECT title, _row FROM products ORDER BY _row DESC LIMIT 1").fetchone()


def test_windows_1252_past_the_sample_is_read_as_windows_1252(con, tmp_path):
    path = late_file(tmp_path, "Z1;Chaise été – 12€;ok;12,50;3\n".encode("cp1252"))
    result = import_file(con, path)
    assert (result.encoding, result.rows) == ("cp1252", FILLER_ROWS + 1)
    assert last_row(con) == ("Chaise été – 12€", FILLER_ROWS + 1)
    assert con.execute("SELECT price FROM products WHERE sku = 'Z1'").fetchone() == (12.5,)
    assert not list((tmp_path / "runtime").glob("**/import-*.csv"))   # the re-encoded copy is gone


def test_utf8_past_the_sample_stays_utf8(con, tmp_path):
    path = late_file(tmp_path, "Z1;Chaise été – 12€ 😀;ok;1;1\n".encode())
    assert import_file(con, path).encoding == "utf-8"
    assert last_row(con) == ("Chaise été – 12€ 😀", FILLER_ROWS + 1)


# Byte sequences a full UTF-8 check refuses (and two it accepts): DuckDB must decide the same.
SEQUENCES = {"surrogate": b"\xed\xa0\x80", "overlong": b"\xc0\xaf", "overlong3": b"\xe0\x80\xaf",
             "above_max": b"\xf4\x90\x80\x80", "f5": b"\xf5\x80\x80\x80", "lone_continuation": b"\x80",
             "cut_char": b"\xe2\x82", "five_bytes": b"\xf8\x88\x80\x80\x80", "c1_control": b"\xc2\x80",
             "noncharacter": b"\xef\xbf\xbe"}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
@pytest.mark.parametrize("where", ["cell", "quoted_multiline", "end_of_file"])
def test_reader_refuses_exactly_what_a_full_utf8_check_refuses(con, tmp_path, name, where):
    seq = SEQUENCES[name]
    tail = {"cell": b"Z1;a" + seq + b"b;ok;1;1\n",
            "quoted_multiline": b'Z1;"a\n' + seq + b'b";ok;1;1\n',
            "end_of_file": b"Z1;Lampe;ok;1;x" + seq}[where]
    path = late_file(tmp_path, tail)
    full_check_says_utf8 = textfile._scan(path, True)
    try:
        encoding = import_file(con, path).encoding
    except CatalogImportError as error:     # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252 too
        undefined = next(b for b in seq if b in b"\x81\x8d\x8f\x90\x9d")
        assert error.code == "catalogue.errors.encoding" and not full_check_says_utf8
        assert error.params == {"line": FILLER_ROWS + 2 + (where == "quoted_multiline"), "byte": f"0x{undefined:02X}"}
        return
    assert encoding == ("utf-8" if full_check_says_utf8 else "cp1252")


def test_header_is_matched_again_when_the_file_turns_out_windows_1252(con, tmp_path):
    path = tmp_path / "header.csv"
    body = "".join(f"A{i:07d};Lampe;ok;1;1\n" for i in range(FILLER_ROWS))
    # "Désignation" in UTF-8 reads "DÃ©signation" in Windows-1252: no longer a title synonym.
    path.write_bytes(("sku;Désignation;description;price;stock_quantity\n" + body).encode()
                     + "Z1;été;ok;1;1\n".encode("cp1252"))
    with pytest.raises(CatalogImportError) as info:
        import_file(con, path)
    assert info.value.code == "catalogue.errors.missing_columns"
    assert "DÃ©signation" in info.value.file_columns


def test_errors_after_the_windows_1252_retry_keep_the_old_catalogue(con, tmp_path):
    make_products(con, [product(sku="OLD-1")])
    ragged = late_file(tmp_path, "Z1;été;ok;1;1\nZ2;too;few\n".encode("cp1252"), "ragged.csv")
    with pytest.raises(CatalogImportError) as info:
        import_file(con, ragged)
    assert info.value.code == "catalogue.errors.ragged"
    assert info.value.params["line"] == FILLER_ROWS + 3
    undefined = late_file(tmp_path, b"Z1;\x81;ok;1;1\n", "undefined.csv")
    with pytest.raises(CatalogImportError) as info:
        import_file(con, undefined)
    assert (info.value.code, info.value.params) == ("catalogue.errors.encoding",
                                                    {"line": FILLER_ROWS + 2, "byte": "0x81"})
    assert con.execute("SELECT list(sku) FROM products").fetchone()[0] == ["OLD-1"]
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '_products_import_%'"
                       ).fetchone()[0] == 0


def test_nul_byte_past_the_sample_is_refused_with_its_line(con, tmp_path):
    path = late_file(tmp_path, b"Z1;a\x00b;ok;1;1\n")
    with pytest.raises(CatalogImportError) as info:
        import_file(con, path)
    assert (info.value.code, info.value.params) == ("catalogue.errors.binary", {"line": FILLER_ROWS + 2})
