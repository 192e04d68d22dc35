"""The engine's contracts: the violations table's columns, NOT_EVALUATED instead of "bad data",
selections, Amazon's issues kept, runs recorded, localisation, the GS1 check digit, and the read
side used by the Qualité page (aggregates, pages, product view, neutralised export)."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from core.reports import to_csv_bytes
from core.rules import queries
from core.rules.definitions import gtin_check_ok_sql, gtin_type_sql, rule
from core.rules.engine import blocking_skus_sql, validate
from core.rules.store import VIOLATION_COLUMNS, current_import_id, is_current, last_run
from core.selection import Selection, save
from tests.factories import make_products, product

EXPECTED_COLUMNS = ("source", "sku", "field", "amazon_attribute", "code", "severity", "category", "value",
                    "message", "hint")


def _violations(con) -> set[tuple[str, str]]:
    return set(con.execute("SELECT sku, code FROM violations").fetchall())


def test_violations_columns_are_pinned(con):
    assert VIOLATION_COLUMNS == EXPECTED_COLUMNS
    make_products(con, [product(sku="A", title="")])
    validate(con)
    assert tuple(r[0] for r in con.execute("DESCRIBE violations").fetchall()) == EXPECTED_COLUMNS
    row = con.execute("SELECT * FROM violations WHERE code = 'TITLE_MISSING'").fetchone()
    assert row[:8] == ("rule", "A", "title", "item_name", "TITLE_MISSING", "ERROR", "MISSING_ATTRIBUTE", "")
    assert row[8] == "Titre (item_name) manquant" and row[9].startswith("Rédigez un titre")


def test_a_missing_column_is_not_evaluated_never_bad_data(con):
    make_products(con, [product(sku="A", weight="lourd", title="Marque Lampe !")])
    con.execute("ALTER TABLE products DROP COLUMN weight_raw")
    run = validate(con)
    skipped = {n.code: n.missing for n in run.not_evaluated}
    assert skipped["WEIGHT_INVALID"] == ("weight_raw",)
    assert ("A", "WEIGHT_INVALID") not in _violations(con)
    assert ("A", "TITLE_FORBIDDEN_CHARS") in _violations(con)       # the other rules still ran
    assert "WEIGHT_INVALID" in last_run(con).not_evaluated


def test_product_type_from_mapping_or_suggestion(con):
    make_products(con, [product(sku="A", category="Maison"), product(sku="B", category="Rayon X", ean=None,
                                                                     gtin_exempt=True),
                        product(sku="C", category="Rayon Y", ean="5901234123457")])
    validate(con)
    # "Maison" has a suggestion (HOME); the two others fall back to the generic PRODUCT type
    assert {s for s, c in _violations(con) if c == "PRODUCT_TYPE_GENERIC"} == {"B", "C"}
    con.execute("INSERT INTO category_product_types (marketplace, category, product_type) "
                "VALUES ('A13V1IB3VIYZZH', 'Rayon X', 'LAMP')")
    validate(con)
    assert {s for s, c in _violations(con) if c == "PRODUCT_TYPE_GENERIC"} == {"C"}
    con.execute("DROP TABLE category_product_types")
    run = validate(con)
    assert {n.code: n.missing for n in run.not_evaluated}["PRODUCT_TYPE_GENERIC"] == ("category_product_types",)


def test_only_the_selection_is_checked(con):
    make_products(con, [product(sku="A", category="Maison", title=""),
                        product(sku="B", category="Jardin", title="", ean="5901234123457")])
    save(con, Selection("jardin", categories=("Jardin",)))
    run = validate(con, Selection("jardin", categories=("Jardin",)))
    assert run.products == 1 and run.selection == "jardin"
    assert {s for s, _ in _violations(con)} == {"B"}
    assert is_current(con, last_run(con), "jardin") and not is_current(con, last_run(con), "")


def test_duplicates_are_counted_within_the_selection(con):
    make_products(con, [product(sku="A", category="Maison"), product(sku="A", category="Jardin", ean="5901234123457")])
    validate(con, Selection("m", categories=("Maison",)))
    assert ("A", "SKU_DUPLICATE") not in _violations(con)
    validate(con)
    assert ("A", "SKU_DUPLICATE") in _violations(con)


def test_amazon_issues_survive_a_rules_run_and_blocking_skus(con):
    make_products(con, [product(sku="A", price="0"), product(sku="B", title="MARQUE LAMPE DE BUREAU",
                                                            ean="5901234123457")])
    con.execute("INSERT INTO violations_other VALUES ('amazon', 'Z', 'brand', 'brand', '8541', 'ERROR', "
                "'INVALID_ATTRIBUTE', 'x', 'conflict', 'fix')")
    validate(con)
    validate(con)
    assert con.execute("SELECT count(*) FROM violations WHERE source = 'amazon'").fetchone()[0] == 1
    blocking = {r[0] for r in con.execute(blocking_skus_sql()).fetchall()}
    assert blocking == {"A", "Z"}         # B has a WARNING (capitals) only


def test_runs_are_recorded_with_counts_and_import(con):
    make_products(con, [product(sku="A", price="abc"), product(sku="B", ean="5901234123457")])
    run = validate(con, lang="en")
    record = last_run(con)
    assert record.run_id == run.run_id and record.lang == "en" and record.products == 2
    assert (record.errors, record.blocked_products) == (run.counts["ERROR"], 1) and record.score == 0.5
    assert record.import_id == current_import_id(con) is None
    con.execute("INSERT INTO catalog_imports (file_name, status) VALUES ('x.csv', 'ok')")
    assert not is_current(con, record, "")       # a newer import makes the run stale


def test_messages_follow_the_language_of_the_run(con):
    make_products(con, [product(sku="A", title="Marque " + "x" * 250)])
    validate(con, lang="en")
    msg, hint = con.execute("SELECT message, hint FROM violations WHERE code = 'TITLE_TOO_LONG'").fetchone()
    assert msg == "Title of 257 characters (max 200)" and hint.startswith("Shorten the title")
    validate(con, lang="fr")
    assert con.execute("SELECT message FROM violations WHERE code = 'TITLE_TOO_LONG'").fetchone()[0] == \
        "Titre de 257 caractères (max 200)"


def test_violation_values_and_messages_carry_the_detail(con):
    make_products(con, [
        product(sku="P", title="Marque Lampe LED - Livraison gratuite", ean="2001234567893"),
        product(sku="D", description="<p>Écrivez à sav@marque.fr ou au +33 1 23 45 67 89</p>", ean="5901234123457"),
    ])
    validate(con)
    rows = {(s, c): (v, m) for s, c, v, m in con.execute("SELECT sku, code, value, message FROM violations").fetchall()}
    assert rows[("P", "TITLE_PROMO")][0] == "Livraison gratuite"
    assert rows[("P", "EAN_RESTRICTED_PREFIX")][1].startswith("Préfixe 200")
    assert rows[("D", "DESCRIPTION_EMAIL")][0] == "sav@marque.fr"
    assert ("D", "DESCRIPTION_PHONE") in rows


@pytest.mark.parametrize("code,valid,kind", [
    ("4006381333931", True, "EAN"), ("0887276302195", True, "EAN"), ("5901234123457", True, "EAN"),
    ("3760000000001", False, "EAN"), ("887276302195", True, "UPC"), ("887276302196", False, "UPC"),
    ("036000291452", True, "UPC"),
])
def test_gs1_check_digit_in_sql(con, code, valid, kind):
    ok = con.execute(f"SELECT {gtin_check_ok_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [code]).fetchone()[0]
    typ = con.execute(f"SELECT {gtin_type_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [code]).fetchone()[0]
    assert (ok, typ) == (valid, kind)


def test_promo_words_need_word_boundaries_beyond_ascii(con):
    # DuckDB's \b is ASCII-only: "gratuité" must not match "gratuit", "Soldes" must match.
    make_products(con, [product(sku="A", title="Marque Lampe gratuité totale"),
                        product(sku="B", title="Marque Lampe Soldes", ean="5901234123457")])
    validate(con, rules=(rule("TITLE_PROMO"),))
    assert _violations(con) == {("B", "TITLE_PROMO")}


def test_page_queries_aggregate_paginate_and_export_safely(con):
    make_products(con, [product(sku=f"S{i:02d}", title="=1+1", ean=None, supplier=f"F{i % 2}")
                        for i in range(30)])
    validate(con)
    assert queries.count_rows(con) == queries.count_rows(con, {"code": ["TEXT_FORMULA"]}) + \
        queries.count_rows(con, {"code": ["EAN_MISSING"]}) + queries.count_rows(con, {"code": ["TITLE_BRAND_NOT_FIRST"]})
    by_supplier = queries.counts_by(con, "supplier", {"code": ["EAN_MISSING"]})
    assert dict(zip(by_supplier["label"], by_supplier["n"])) == {"F0": 15, "F1": 15}
    first, second = queries.page_rows(con, {}, 1, 25), queries.page_rows(con, {}, 2, 25)
    assert len(first) == 25 and not set(map(tuple, first.values)) & set(map(tuple, second.values))
    assert list(first["severity"].iloc[:1]) == ["ERROR"]       # errors first
    exported = pd.read_csv(io.BytesIO(to_csv_bytes(queries.export_rows(con, {"code": ["TEXT_FORMULA"]}))),
                           sep=";", encoding="utf-8-sig", dtype=str)
    assert len(exported) == 30 and (exported["value"] == "'=1+1").all()
    view = queries.product_view(con, "S03")
    problems = dict(zip(view["field"], view["severity"]))
    assert problems["ean"] == "ERROR" and problems["title"] == "WARNING" and pd.isna(problems["price"])
