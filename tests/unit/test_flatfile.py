"""The Flat File writer and the export service: golden file, read-back, header rows, cleaning,
encodings, atomic writes, rejects, history and the command line."""
import csv
import hashlib
from pathlib import Path

import pytest

from core import export as cli
from core import flatfile
from core.exports import flatfile_export, history
from core.exports.flatfile_export import ExportError, ExportRequest, run
from core.mapping.default import DEFAULT_MAPPING, FIELDS
from core.mapping.query import mapped_sql
from core.marketplaces import marketplace
from core.selection import Selection, save as save_selection
from tests.factories import make_products, product
from tests.unit.flatfile_cases import GOLDEN_PRODUCTS

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden" / "flatfile_fr.txt"


def write_golden_catalogue(con, path, market="FR", encoding="utf-8"):
    make_products(con, GOLDEN_PRODUCTS)
    return flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, market), list(FIELDS), path, marketplace(market),
                          ["LAMP", "PRODUCT"], encoding)


def read_tsv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_golden_file_byte_for_byte(con, tmp_path):
    out = tmp_path / "flat.txt"
    result = write_golden_catalogue(con, out)
    assert out.read_bytes() == GOLDEN.read_bytes()
    assert result.rows == 3 and result.bytes == out.stat().st_size
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_read_back_with_csv_gives_the_same_values(con, tmp_path):
    out = tmp_path / "flat.txt"
    write_golden_catalogue(con, out)
    rows = read_tsv(out)
    assert rows[2] == list(FIELDS)
    expected = con.execute(f"SELECT {', '.join(chr(34) + f + chr(34) for f in FIELDS)} FROM "
                           f"({mapped_sql(con, DEFAULT_MAPPING, 'FR')}) ORDER BY _row").fetchall()
    assert rows[3:] == [["" if v is None else v for v in r] for r in expected]
    by_sku = {r[1]: dict(zip(FIELDS, r)) for r in rows[3:]}
    lamp = by_sku["LAMP-001"]
    assert lamp["standard_price"] == "29.90" and lamp["external_product_id_type"] == "EAN"
    assert lamp["main_image_url"].endswith("lamp-0.jpg") and lamp["other_image_url8"].endswith("lamp-8.jpg")
    assert lamp["bullet_point5"] == "Garantie 2 ans"          # the 6th bullet point is not written
    assert lamp["item_weight"] == "1.2" and lamp["item_weight_unit_of_measure"] == "KG"
    quoted = by_sku['TAB"QUOTE']
    assert quoted["item_name"] == 'Titre avec tabulation et "guillemets"'   # tab gone, quotes kept, not quoted
    assert quoted["product_description"] == "Texte brut sur deux lignes & une entité"
    assert quoted["brand_name"] == "=Marque"                                # never prefixed for Amazon
    assert quoted["external_product_id_type"] == "UPC" and quoted["item_weight"] == "0.35"
    long = by_sku["LONG-🦆"]
    assert len(long["item_name"]) <= 200 and long["item_name"].endswith("très")


def test_three_header_rows_every_row_same_width(con, tmp_path):
    out = tmp_path / "flat.txt"
    write_golden_catalogue(con, out, market="DE")
    rows = read_tsv(out)
    assert rows[0][0] == "TemplateType=fptcustom" and rows[0][1].startswith("Version=")
    assert "contentLanguageTag=de_DE" in rows[0][3] and "primaryMarketplaceId=amzn1.mp.o.A1PA6795UKMFR9" in rows[0][3]
    assert rows[1][:4] == ["Produkttyp", "Verkäufer-SKU", "Aktualisieren/Löschen", "Produktname"]
    assert {len(r) for r in rows} == {len(FIELDS)}
    raw = out.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n") and raw.count(b"\n") == 3 + 3


def test_no_value_holds_a_tab_or_line_break(con, tmp_path):
    make_products(con, [product(sku="A", title="a\tb\r\nc", bullet_points=["x\ny", "z\tw"], brand="B\rC")])
    out = tmp_path / "f.txt"
    flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), out, marketplace("FR"), [])
    rows = read_tsv(out)
    assert len(rows) == 4 and len(rows[3]) == len(FIELDS)
    values = dict(zip(FIELDS, rows[3]))
    assert values["item_name"] == "a b  c" and values["bullet_point1"] == "x y" and values["brand_name"] == "B C"


def test_write_after_a_partly_fetched_result(con, tmp_path):
    make_products(con, [product(sku=f"S{i}", ean=None) for i in range(3)])
    con.execute("SELECT * FROM range(100000)").fetchone()      # a caller left a result half read
    result = flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), tmp_path / "f.txt",
                            marketplace("FR"), [])
    assert result.rows == 3


def test_empty_selection_writes_the_header_only(con, tmp_path):
    make_products(con, [product()])
    out = tmp_path / "f.txt"
    sql = mapped_sql(con, DEFAULT_MAPPING, "FR", Selection(categories=("Nothing",)))
    result = flatfile.write(con, sql, list(FIELDS), out, marketplace("FR"), [])
    assert result.rows == 0 and len(read_tsv(out)) == 3 and out.read_text().count("\n") == 3


def test_write_is_atomic(con, tmp_path):
    out = tmp_path / "f.txt"
    out.write_text("previous export")
    make_products(con, [product()])
    with pytest.raises(Exception):
        flatfile.write(con, "SELECT no_such_column FROM products", ["no_such_column"], out, marketplace("FR"), [])
    assert out.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".flatfile-")] == []   # no temp left


def test_windows_1252_file(con, tmp_path):
    make_products(con, [product(sku="E", title="Lampe 29 € – œuvre « déco »")])
    out = tmp_path / "f.txt"
    flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), out, marketplace("FR"), [], "cp1252")
    raw = out.read_bytes()
    assert b"\x80" in raw and "Lampe 29 € – œuvre « déco »".encode("cp1252") in raw
    assert read_tsv(out, "cp1252")[3][3] == "Lampe 29 € – œuvre « déco »"


def test_windows_1252_refuses_a_character_it_cannot_hold_and_keeps_the_previous_file(con, tmp_path):
    # The encoding runs on the writer thread: its error must reach the caller, and nothing is replaced.
    out = tmp_path / "f.txt"
    out.write_text("previous export")
    make_products(con, [product(sku="KO", title="Lampe 🦆")])
    with pytest.raises(UnicodeEncodeError):
        flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), out, marketplace("FR"), [], "cp1252")
    assert out.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".flatfile-")] == []


def test_cp1252_check_finds_the_cells_it_cannot_hold(con):
    make_products(con, [product(sku="OK", title="Café € ‰"), product(sku="KO", title="Lampe 🦆", brand="Żubr")])
    sql = flatfile.cp1252_problems_sql(mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS))
    assert sorted(con.execute(f"SELECT sku, field FROM ({sql})").fetchall()) == [("KO", "brand_name"), ("KO", "item_name")]


# --- the export service -----------------------------------------------------------------------

@pytest.fixture
def no_rules(monkeypatch):
    """Use the violations table the test creates (the rules engine is another module's job)."""
    monkeypatch.setattr(flatfile_export, "_validate", lambda con, sel, lang: None)


def violations(con, rows):
    # ``violations`` is a view (core.rules.store): rows put in its plain-rows table are read like rule rows.
    con.execute("DELETE FROM violations_other")
    for sku, code, severity in rows:
        con.execute("INSERT INTO violations_other VALUES ('rule', ?, 'title', 'item_name', ?, ?, 'INVALID_ATTRIBUTE', '', "
                    "'Titre trop long', 'Raccourcissez le titre')", [sku, code, severity])


def test_error_products_are_rejected_by_default_and_listed(con, no_rules):
    make_products(con, [product(sku="A"), product(sku="B"), product(sku="C")])
    violations(con, [("B", "TITLE_TOO_LONG", "ERROR"), ("B", "OTHER", "ERROR"), ("C", "STYLE", "WARNING")])
    out = run(con, ExportRequest(marketplace="FR", user="tester"))
    assert (out.rows_selected, out.rows_written, out.rows_rejected) == (3, 2, 1)
    skus = [r[1] for r in read_tsv(out.file_path)[3:]]
    assert sorted(skus) == ["A", "C"]
    rejects = out.rejects_path.read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0].split(";") == ["SKU", "Titre", "Champ", "Code", "Problème", "Solution"]
    assert [line.split(";")[0] for line in rejects[1:]] == ["B", "B"] and "Raccourcissez le titre" in rejects[1]
    rec = history.get(con, out.export_id)
    assert rec["status"] == "done" and rec["user"] == "tester" and rec["mode"] == "flat_file"
    assert (rec["rows_selected"], rec["rows_written"], rec["rows_rejected"]) == (3, 2, 1)
    assert rec["sha256"] == hashlib.sha256(Path(rec["file_path"]).read_bytes()).hexdigest()
    assert Path(rec["file_path"]).parent == history.exports_dir()


def test_include_rejected_writes_them(con, no_rules):
    make_products(con, [product(sku="A"), product(sku="B")])
    violations(con, [("B", "TITLE_TOO_LONG", "ERROR")])
    out = run(con, ExportRequest(include_rejected=True))
    assert (out.rows_written, out.rows_rejected, out.rejects_path) == (2, 0, None)


def test_cp1252_export_rejects_what_it_cannot_hold(con, no_rules, tmp_path):
    make_products(con, [product(sku="A", title="Lampe €"), product(sku="B", title="Lampe 🦆 ✓")])
    out = run(con, ExportRequest(encoding="cp1252", out=tmp_path / "f.txt", lang="en"))
    assert (out.rows_written, out.rows_rejected) == (1, 1)
    assert [r[1] for r in read_tsv(out.file_path, "cp1252")[3:]] == ["A"]
    line = out.rejects_path.read_text(encoding="utf-8-sig").splitlines()[1]
    assert line.startswith("B;") and "ENCODING_CP1252" in line and "🦆" in line and "✓" in line
    assert "item_name" in line
    assert out.rejects_path == tmp_path / "f.rejects.csv"


def test_export_follows_the_selection_and_the_saved_profile(con, no_rules):
    from core.mapping import profiles
    make_products(con, [product(sku="A", category="Maison"), product(sku="B", category="Jardin")])
    save_selection(con, Selection("jardin", categories=("Jardin",)))
    rows = [{k: v for k, v in r.as_dict().items() if k != "locked"} for r in DEFAULT_MAPPING]
    rows[FIELDS.index("update_delete")]["constant"] = "PartialUpdate"
    profiles.save(con, "FR", "default", rows, based_on=0)
    out = run(con, ExportRequest(selection="jardin"))
    data = read_tsv(out.file_path)[3:]
    assert [r[1] for r in data] == ["B"] and data[0][2] == "PartialUpdate"
    rec = history.get(con, out.export_id)
    assert rec["selection"] == "jardin" and rec["profile_version"] == 1


def test_export_refuses_bad_requests_clearly(con):
    with pytest.raises(ExportError) as exc:
        run(con, ExportRequest())
    assert exc.value.key == "export.errors.no_catalogue"
    make_products(con, [product()])
    for req, key in [(ExportRequest(marketplace="XX"), "export.errors.marketplace"),
                     (ExportRequest(encoding="latin-9"), "export.errors.encoding"),
                     (ExportRequest(selection="nope"), "export.errors.selection"),
                     (ExportRequest(profile_version=7), "export.errors.profile_version")]:
        with pytest.raises(ExportError) as exc:
            run(con, req)
        assert exc.value.key == key
    assert history.recent(con).empty


def test_failed_export_is_recorded(con, no_rules, monkeypatch):
    make_products(con, [product()])

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(flatfile_export.flatfile, "write", boom)
    with pytest.raises(OSError):
        run(con, ExportRequest())
    rec = history.recent(con).iloc[0]
    assert rec["status"] == "failed" and "disk full" in rec["error"]


def test_export_with_the_rules_engine(con):
    # End to end with the real validation: a product without title is an ERROR and is left out.
    make_products(con, [product(sku="GOOD"), product(sku="NOTITLE", title="", ean="5901234123457")])
    out = run(con, ExportRequest())
    assert [r[1] for r in read_tsv(out.file_path)[3:]] == ["GOOD"]
    assert "NOTITLE" in out.rejects_path.read_text(encoding="utf-8-sig")


# --- command line -----------------------------------------------------------------------------

def test_cli_writes_the_file(db_file, tmp_path, capsys, monkeypatch):
    from core import db as core_db
    con = core_db.connect(db_file)
    make_products(con, [product(sku="A"), product(sku="B", category="Jardin")])
    save_selection(con, Selection("jardin", categories=("Jardin",)))
    con.close()
    out = tmp_path / "file.tsv"
    code = cli.main(["--marketplace", "FR", "--selection", "jardin", "--out", str(out), "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    assert [r[1] for r in read_tsv(out)[3:]] == ["B"]
    printed = capsys.readouterr().out
    assert "1 products written out of 1 selected" in printed and str(out) in printed
    assert cli.main(["--marketplace", "XX", "--out", str(out)]) == 1
    assert "Marketplace inconnue : XX." in capsys.readouterr().err


def test_cli_says_when_the_database_is_locked(db_file, tmp_path, capsys):
    import subprocess
    import sys
    from core import db as core_db
    con = core_db.connect(db_file)      # this process holds the file, like the running dashboard
    try:
        proc = subprocess.run([sys.executable, "-m", "core.export", "--out", str(tmp_path / "x.tsv"), "--lang", "en"],
                              capture_output=True, text=True, cwd=core_db.ROOT, timeout=60)
    finally:
        con.close()
    assert proc.returncode == 1 and "Cannot open the database" in proc.stderr


# --- in the background ------------------------------------------------------------------------

def test_background_export_and_recovery(con, no_rules):
    make_products(con, [product(sku="A"), product(sku="B", ean="5901234123457")])
    export_id = flatfile_export.launch(con, ExportRequest(user="dashboard"))
    assert history.get(con, export_id)["status"] in ("running", "done")     # recorded before the thread ends
    assert flatfile_export.wait(export_id, timeout=60) and not flatfile_export.is_running(export_id)
    rec = history.get(con, export_id)
    assert rec["status"] == "done" and rec["rows_written"] == 2
    # An export left "running" by a server that stopped is marked failed, never shown as running forever.
    stuck = history.start(con, user="x", marketplace="FR", mode="flat_file", profile="default", profile_version=0,
                          selection="")
    api = history.start(con, user="x", marketplace="FR", mode="api", profile="default", profile_version=0,
                        selection="")
    assert flatfile_export.recover(con) == 1
    assert history.get(con, stuck)["status"] == "failed" and history.get(con, stuck)["error"] == "interrupted"
    assert history.get(con, api)["status"] == "running"      # API exports are the jobs module's business
    with pytest.raises(ExportError):
        flatfile_export.launch(con, ExportRequest(marketplace="XX"))


def test_rejected_counts_products_not_skus(con, no_rules):
    # The same SKU twice in the catalogue (a rule flags it): both rows are left out and counted.
    make_products(con, [product(sku="DUP"), product(sku="DUP", ean="5901234123457"), product(sku="B", ean="0887276302195")])
    violations(con, [("DUP", "SKU_DUPLICATE", "ERROR")])
    out = run(con, ExportRequest())
    assert (out.rows_selected, out.rows_written, out.rows_rejected) == (3, 1, 2)
