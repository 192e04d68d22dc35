"""The rules' content checks computed once per import (core.rules.features, core.catalog.derived):
the stored bits say exactly what the predicates say, selection-wide checks stay in the scan, and a
catalogue without (or with stale) derived columns is brought up to date before it is validated."""
from __future__ import annotations

import pytest

from core.catalog import derived
from core.rules import engine, features
from core.rules.definitions import EXAMPLE_FIXTURES, RULES
from core.rules.engine import validate
from tests.factories import make_products, product

# Every rule's good and bad example, and each fixture's other products, in one catalogue.
CASES = [(r.code, kind) for r in RULES for kind in ("good", "bad")]
EXAMPLES = [product(**{"sku": f"{code}-{kind}", **getattr(next(r for r in RULES if r.code == code), kind)})
            for code, kind in CASES] + [
    product(**{"ean": f"{400638133393 + i}1", **o}) for f in EXAMPLE_FIXTURES.values() for i, o in
    enumerate(f.get("others", []))]


def _hits(con, flags: bool) -> list[tuple]:
    """The detection pass's hit rows (row id and masks) with or without the stored bits."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {engine.SEL_VIEW} AS SELECT p.rowid AS _rid, p.* FROM products AS p")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {engine.CATEGORY_STATS_VIEW} AS {engine._category_stats_sql(con)}")
    checks = engine._checks(engine.plan(con)[0])
    return con.execute(f"SELECT * FROM ({engine.detect_sql(checks, ('sku',), flags)}) ORDER BY _rid").fetchall()


def _violations(con) -> list[tuple]:
    return con.execute("SELECT sku, code, field, value, message FROM violations WHERE source = 'rule' "
                       "ORDER BY ALL").fetchall()


def test_stored_bits_flag_exactly_what_the_predicates_flag(con):
    make_products(con, EXAMPLES)
    with_bits = _hits(con, True)
    assert with_bits == _hits(con, False)
    flags = dict(con.execute(f"SELECT _row, {features.FLAGS_COLUMN} FROM products").fetchall())
    for code in {f.code for f in features.FEATURES}:
        # each content rule's bad example sets one of its bits (the comparison above is not vacuous)
        bits = sum(1 << f.bit for f in features.FEATURES if f.code == code)
        assert flags[CASES.index((code, "bad")) + 1] & bits, code
    assert any(row[1] for row in with_bits)


def test_only_per_product_checks_are_stored():
    stored = {f.code for f in features.FEATURES}
    # duplicates and category statistics depend on the selection: they stay in the detection scan
    for code in ("SKU_DUPLICATE", "EAN_DUPLICATE", "PRICE_OUTLIER", "PRODUCT_TYPE_GENERIC", "CATEGORY_RESTRICTED",
                 "BRAND_MISSING", "MANUFACTURER_RECOMMENDED"):
        assert code not in stored
    for code in ("TITLE_WORD_REPEATED", "DESCRIPTION_EMAIL", "IMAGE_URL_INVALID", "BULLET_FORMULA", "EAN_CHECK_DIGIT"):
        assert code in stored
    assert {f.column for f in features.FEATURES if f.code == "TEXT_FORMULA"} == set(
        next(r for r in RULES if r.code == "TEXT_FORMULA").per_field)
    assert len({f.bit for f in features.FEATURES}) == len(features.FEATURES) <= features.FLAG_BITS
    # a predicate reading another table, or the selection, is never stored
    assert not features.is_content("p.sku IN (SELECT sku FROM blocked_skus)")
    assert not features.is_content("p.sku IN (SELECT sku FROM {sel})") and features.is_content("length(p.sku) > 4")


def test_scratch_expressions_are_not_stored_and_the_version_is(con):
    make_products(con, [product()])
    columns = [r[0] for r in con.execute("DESCRIBE products").fetchall()]
    assert features.FLAGS_COLUMN in columns and derived.VERSION_COLUMN in columns
    assert not set(features.SCRATCH) & set(columns)
    assert con.execute(f"SELECT {derived.VERSION_COLUMN} FROM products").fetchone()[0] == derived.fingerprint()
    assert derived.ensure(con) is False      # built by the current definitions: nothing to do


def test_a_catalogue_without_the_features_is_completed_before_validation(con):
    make_products(con, EXAMPLES)
    validate(con)
    expected = _violations(con)
    # as a catalogue imported before the features existed
    con.execute(f"ALTER TABLE products DROP COLUMN {features.FLAGS_COLUMN}")
    con.execute(f"ALTER TABLE products DROP COLUMN {derived.VERSION_COLUMN}")
    validate(con)
    assert _violations(con) == expected
    columns = [r[0] for r in con.execute("DESCRIBE products").fetchall()]
    assert columns[-2:] == [features.FLAGS_COLUMN, derived.VERSION_COLUMN]
    assert con.execute("SELECT count(*) FROM products").fetchone()[0] == len(EXAMPLES)
    # rewritten as the import writes products: rows in _row order (store contract)
    assert con.execute("SELECT list(_row ORDER BY rowid) = list(_row ORDER BY _row) FROM products").fetchone()[0]


def test_stale_features_are_recomputed_once(con):
    make_products(con, [product(sku="A", title="Marque Lampe !")])
    # as a table built by older definitions: wrong bits and another fingerprint
    con.execute(f"UPDATE products SET {features.FLAGS_COLUMN} = 0, {derived.VERSION_COLUMN} = 'older'")
    validate(con)
    assert ("A", "TITLE_FORBIDDEN_CHARS") in {(s, c) for s, c, *_ in _violations(con)}
    assert con.execute(f"SELECT {derived.VERSION_COLUMN} FROM products").fetchone()[0] == derived.fingerprint()
    assert derived.ensure(con) is False
    # no staging table left behind
    assert not con.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE starts_with(table_name, '_products_import_')").fetchall()


def test_without_a_column_the_mask_is_left_out_and_the_scan_decides(con):
    make_products(con, [product(sku="A", weight="lourd", title="Marque Lampe !", ean="3760000000001")])
    con.execute("ALTER TABLE products DROP COLUMN weight_raw")
    run = validate(con)
    assert features.FLAGS_COLUMN not in {r[0] for r in con.execute("DESCRIBE products").fetchall()}
    assert "WEIGHT_INVALID" in {n.code for n in run.not_evaluated}
    assert {"TITLE_FORBIDDEN_CHARS", "EAN_CHECK_DIGIT"} <= {c for s, c, *_ in _violations(con) if s == "A"}


def test_import_stores_the_features_and_bootstrap_keeps_them_current(db_file):
    from core import bootstrap, db
    from tests.factories import load_sample
    con = db.connect(db_file)
    try:
        load_sample(con)
        assert con.execute(f"SELECT DISTINCT {derived.VERSION_COLUMN} FROM products").fetchall() == [
            (derived.fingerprint(),)]
        assert derived.ensure(con) is False            # the import computed them: no second pass
        con.execute(f"ALTER TABLE products DROP COLUMN {features.FLAGS_COLUMN}")
    finally:
        con.close()
    bootstrap.main()
    con = db.connect(db_file)
    try:
        assert features.FLAGS_COLUMN in {r[0] for r in con.execute("DESCRIBE products").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(features.SCRATCH) + [features.FLAGS_COLUMN, derived.VERSION_COLUMN])
def test_a_file_column_cannot_take_a_derived_name(name):
    from core.catalog.names import INTERNAL_NAMES
    assert name in INTERNAL_NAMES


def test_an_empty_catalogue_is_rebuilt_only_when_a_column_is_missing(con):
    make_products(con, [])
    assert derived.ensure(con) is False      # no row can hold a stale value
    con.execute(f"ALTER TABLE products DROP COLUMN {features.FLAGS_COLUMN}")
    assert derived.ensure(con) is True and derived.ensure(con) is False
    assert validate(con).products == 0
