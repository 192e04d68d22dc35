"""Selections (all, by category, by supplier, hand-picked) and paged, searchable reading of products."""
import pytest

from core import selection as sel_mod
from core.catalog import browse
from core.selection import Selection
from tests.factories import make_products, product


@pytest.fixture
def shop(con):
    make_products(con, [
        product(sku="M-1", title="Lampe de bureau", ean="4006381333931", category="Maison", supplier="A"),
        product(sku="M-2", title="Chaise pliante", ean="0012345678905", category="Maison", supplier="B"),
        product(sku="J-1", title="Toupie en bois", ean="5901234123457", category="Jouets", supplier="A"),
        product(sku="S-1", title="Ballon", ean=None, category="Sport", supplier="C"),
        product(sku="X-1", title="Sans catégorie", category=None, supplier=None),
    ])
    return con


def skus(con, query, **kw):
    return list(browse.page(con, query, **kw)["sku"])


def test_all_products_in_file_order(shop):
    assert skus(shop, browse.ProductQuery()) == ["M-1", "M-2", "J-1", "S-1", "X-1"]
    assert browse.count(shop, browse.ProductQuery()) == 5


def test_category_and_supplier_filters_combine(shop):
    assert skus(shop, browse.ProductQuery(Selection(categories=("Maison",)))) == ["M-1", "M-2"]
    assert skus(shop, browse.ProductQuery(Selection(suppliers=("A",)))) == ["M-1", "J-1"]
    both = Selection(categories=("Maison", "Jouets"), suppliers=("A",))
    assert skus(shop, browse.ProductQuery(both)) == ["M-1", "J-1"]


@pytest.mark.parametrize("text, expected", [("m-", ["M-1", "M-2"]), ("BOIS", ["J-1"]),
                                            ("0012345", ["M-2"]), ("  chaise ", ["M-2"]), ("%", [])])
def test_search_over_sku_title_and_ean(shop, text, expected):
    assert skus(shop, browse.ProductQuery(search=text)) == expected


def test_pages_are_limited_in_sql(shop):
    assert skus(shop, browse.ProductQuery(), page_size=2, page_number=1) == ["M-1", "M-2"]
    assert skus(shop, browse.ProductQuery(), page_size=2, page_number=3) == ["X-1"]
    assert skus(shop, browse.ProductQuery(), page_size=2, page_number=4) == []
    assert len(browse.page(shop, browse.ProductQuery(), page_size=10_000)) <= 500


def test_facets_are_distinct_sorted_and_non_empty(shop):
    assert browse.distinct_values(shop, "category") == ["Jouets", "Maison", "Sport"]
    assert browse.distinct_values(shop, "supplier") == ["A", "B", "C"]
    with pytest.raises(ValueError):
        browse.distinct_values(shop, "title; DROP TABLE products")


def test_saved_selection_round_trip_and_products_sql(shop):
    sel_mod.save(shop, Selection("maison-a", categories=("Maison",), suppliers=("A",)))
    loaded = sel_mod.load(shop, "maison-a")
    assert (loaded.categories, loaded.suppliers, loaded.handpicked) == (("Maison",), ("A",), False)
    got = shop.execute(f"SELECT list(sku) FROM ({sel_mod.products_sql(loaded)})").fetchone()[0]
    assert got == ["M-1"]
    assert browse.selection_size(shop, "maison-a") == 1
    assert browse.selection_size(shop, "") == 5


def test_handpicked_selection_keeps_only_existing_skus(shop):
    picked = browse.existing_skus(shop, ["S-1", "NOPE", "M-2"])
    assert picked == ["M-2", "S-1"]
    sel_mod.save(shop, Selection("choix", handpicked=True, skus=tuple(picked)))
    assert sel_mod.handpicked_skus(shop, "choix") == ["M-2", "S-1"]
    got = shop.execute(f"SELECT list(sku ORDER BY sku) FROM ({sel_mod.products_sql(sel_mod.load(shop, 'choix'))})"
                       ).fetchone()[0]
    assert got == ["M-2", "S-1"]
    # Saving again under the same name replaces the picks.
    sel_mod.save(shop, Selection("choix", handpicked=True, skus=("J-1",)))
    assert sel_mod.handpicked_skus(shop, "choix") == ["J-1"]


def test_selection_names_with_quotes_are_safe(shop):
    name = "l'été\"; DROP TABLE products; --"
    sel_mod.save(shop, Selection(name, categories=("Maison",), handpicked=True, skus=("M-1",)))
    assert sel_mod.names(shop) == [name]
    assert browse.selection_size(shop, name) == 1
    sel_mod.delete(shop, name)
    assert sel_mod.names(shop) == [] and browse.count(shop, browse.ProductQuery()) == 5


def test_no_catalogue_yet(con):
    assert browse.count(con, browse.ProductQuery()) == 0
    assert browse.distinct_values(con, "category") == []
    assert browse.page(con, browse.ProductQuery()).empty
