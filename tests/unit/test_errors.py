"""Amazon error codes → explanation and fix: complete in every language, the guide's table covered."""
import pytest

from core.errors import KNOWN_ERRORS, explain, find
from core.i18n import LANGUAGES, has_key, message

# The guide's "Erreurs courantes et solutions" table: error as Amazon words it -> the guide's fix.
GUIDE = {
    "SKU already exists": "Utilisez un SKU unique ou mettez à jour l'offre existante.",
    "Invalid product ID": "Vérifiez le format EAN (13 chiffres) et la validité du code.",
    "Image does not meet requirements": "Corrigez l'image (fond blanc, taille minimale 1000 px).",
    "Brand name not found": "Enregistrez votre marque ou utilisez le nom exact.",
    "Category requires approval": "Faites une demande d'approbation dans Seller Central.",
    "Price too low/high": "Vérifiez et ajustez le prix de vente.",
    "Throttling": "L'export reprendra automatiquement après un délai.",
}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_entry_has_its_texts(lang):
    for e in KNOWN_ERRORS:
        for part in ("title", "cause", "fix"):
            assert has_key(f"errors.{e.key}.{part}", lang), (e.key, part, lang)


def test_keys_and_codes_are_unique():
    keys = [e.key for e in KNOWN_ERRORS]
    codes = [c for e in KNOWN_ERRORS for c in e.codes]
    assert len(keys) == len(set(keys)) and len(codes) == len(set(codes))
    assert all(p == p.lower() for e in KNOWN_ERRORS for p in e.patterns)


def test_the_guides_errors_are_all_there_with_its_fix():
    assert len([e for e in KNOWN_ERRORS if e.in_guide]) == len(GUIDE)
    for text, fix in GUIDE.items():
        title, cause, found_fix = explain(None, f"Error: {text}.", "fr")
        assert title == text and found_fix == fix


def test_lookup_by_code_then_by_message():
    assert find("8541").key == "catalog_mismatch"
    assert find("90220").key == "missing_attribute"
    assert find("", "You exceeded your quota for the requested resource.").key == "throttling"
    assert find("99999", "The SKU already exists in your inventory").key == "sku_exists"
    assert find("99999", "something else") is None and explain(None, None, "fr") is None
    assert explain("8560", "", "en")[2] == message("errors.invalid_product_id.fix", "en")
