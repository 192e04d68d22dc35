"""Tolerant matching of file headers to canonical columns, and the delimiter sniffer."""
import pytest

from core.catalog.columns import COLUMNS, REQUIRED_NAMES
from core.catalog.dialect import sniff_delimiter
from core.catalog.errors import CatalogImportError, MissingColumns
from core.catalog.names import clean_headers, column_letter, match_columns, normalise_name


@pytest.mark.parametrize("header, canonical", [
    ("Prix", "price"), ("PRIX TTC", "price"), ("Prix (€)", "price"), ("EAN13", "ean"), ("EAN-13", "ean"),
    ("Stock", "stock_quantity"), ("Quantité", "stock_quantity"), ("Marque", "brand"), ("Référence", "sku"),
    ("Catégorie", "category"), ("Fournisseur", "supplier"), ("Poids (g)", "weight"), ("Désignation", "title"),
])
def test_common_synonyms(header, canonical):
    headers = ["sku", "title", "description", "price", "stock_quantity"]
    headers = [h for h in headers if h != canonical] + [header]
    match = match_columns(headers)
    assert headers[match.canonical[canonical]] == header


def test_normalise_name_folds_case_accents_and_punctuation():
    assert normalise_name("  Quantité   disponible ") == "quantite_disponible"
    assert normalise_name("Prix (€)") == "prix"


def test_canonical_name_wins_over_a_synonym_and_the_rest_is_kept():
    match = match_columns(["Prix", "price", "sku", "title", "description", "stock", "Couleur"])
    assert match.canonical["price"] == 1
    assert match.extras == {0: "Prix", 6: "Couleur"}


def test_extra_column_named_like_an_internal_one_is_renamed():
    match = match_columns(["sku", "title", "description", "price", "stock_quantity", "price_raw", "_row"])
    assert sorted(match.extras.values()) == ["file__row", "file_price_raw"]


def test_missing_required_columns_are_all_listed():
    with pytest.raises(MissingColumns) as info:
        match_columns(["ref interne", "libellé produit", "Prix"])
    assert info.value.missing == ("sku", "description", "stock_quantity")
    assert info.value.matched == {"title": "libellé produit", "price": "Prix"}
    assert info.value.file_columns == ("ref interne", "libellé produit", "Prix")


def test_required_names_are_those_of_the_guide():
    assert REQUIRED_NAMES == ("sku", "title", "description", "price", "stock_quantity")
    assert len({c.name for c in COLUMNS}) == len(COLUMNS)


def test_duplicate_headers_compare_without_case():
    with pytest.raises(CatalogImportError) as info:
        clean_headers(["sku", "Titre", "TITRE"])
    assert info.value.params == {"column": "TITRE", "first": "B", "second": "C"}
    assert clean_headers(["sku", "", None]) == ["sku", "column_2", "column_3"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize("text, expected", [
    ("a;b;c\n1;2,5;3\n", ";"),
    ("a,b,c\n1,\"2;5\",3\n", ","),
    ("a\tb\tc\n1\t2, 5\t3\n", "\t"),
    ("a|b|c\n1|2;5|3\n", "|"),
    ("titre;prix\nLampe, LED, noire;12,50\nChaise, bois;3,00\n", ";"),
])
def test_sniff_delimiter(text, expected):
    assert sniff_delimiter(text) == expected
