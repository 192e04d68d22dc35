"""The sample catalogue loads on first start only, through the ordinary import."""
import pytest

from core.catalog import sample
from core.catalog.store import catalogue_status
from tests.factories import make_products, product

pytestmark = pytest.mark.skipif(not sample.available(), reason="data/sample_catalogue.csv not generated yet")


def test_ensure_loaded_imports_the_sample_once(con):
    result = sample.ensure_loaded(con)
    assert result is not None and result.rows >= 300
    assert result.column_map["sku"] == "sku"
    status = catalogue_status(con)
    assert (status.products, status.last_file) == (result.rows, "sample_catalogue.csv")
    assert status.categories >= 5 and status.suppliers >= 4
    assert sample.ensure_loaded(con) is None        # a catalogue exists: nothing happens


def test_ensure_loaded_never_replaces_a_catalogue(con):
    make_products(con, [product(sku="MINE")])
    assert sample.ensure_loaded(con) is None
    assert con.execute("SELECT list(sku) FROM products").fetchone()[0] == ["MINE"]


def test_bootstrap_loads_the_sample(db_file):
    from core import bootstrap, db
    bootstrap.main()
    con = db.connect(db_file)
    try:
        assert catalogue_status(con).products >= 300
    finally:
        con.close()
