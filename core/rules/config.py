"""Configurable data the Amazon rules read: limits, word lists and category lists.

Each value is plain data so that a change of policy is a one-line edit (and the tests follow it).
Category names are compared after ``lower(strip_accents(trim(…)))``, so "Électronique" matches
"electronique". A ``"*"`` in a category list means "every category".
"""
from __future__ import annotations

# Flat-file / Listings limits (sources: the guide and ../shared/amazon/spapi-reference.md §d, §k).
TITLE_MAX_CHARS = 200                 # guide: "max 200 caractères"
DESCRIPTION_MAX_CHARS = 2000          # legacy flat-file templates cut product_description at 2000
DESCRIPTION_MAX_BYTES = 10000         # JSON PRODUCT schema: maxUtf8ByteLength 10000
BULLET_MAX_COUNT = 5                  # bullet_point1..5 for sellers; the rest would be dropped
BULLET_MAX_CHARS = 700                # PRODUCT schema value limit (per product type in reality)
SKU_MAX_CHARS = 40                    # Seller Central item_sku
IMAGE_MAX_SECONDARY = 8               # other_image_url1..8 (PT01–PT08)
TITLE_MAX_WORD_REPEAT = 2             # the same word at most twice (articles etc. excepted)

# "Potential pricing error": a price this many times above or below its category's median, in a
# category with at least PRICE_OUTLIER_MIN_PRODUCTS priced products, is flagged.
PRICE_OUTLIER_FACTOR = 10.0
PRICE_OUTLIER_MIN_PRODUCTS = 5

# Categories where Amazon requires brand_name and manufacturer ("Oui (selon catégorie)").
BRAND_REQUIRED_CATEGORIES: tuple[str, ...] = (
    "electronique", "informatique", "high-tech", "telephonie", "jouets", "jeux et jouets",
    "beaute", "sante", "hygiene", "bricolage", "outillage", "auto", "automobile", "bebe",
    "puericulture", "sport", "sports et loisirs", "cuisine", "electromenager", "jardin", "maison",
    "animalerie", "luminaires", "montres", "bijoux", "chaussures", "vetements", "mode",
)

# Categories that need Amazon's approval before listing (Seller Central "Category requires approval").
RESTRICTED_CATEGORIES: tuple[str, ...] = (
    "bijoux", "joaillerie", "montres", "sante", "hygiene et sante", "alimentation", "epicerie",
    "boissons", "vins et spiritueux", "complements alimentaires", "produits pharmaceutiques",
    "automobile", "pieces auto", "objets de collection", "produits de collection", "jeux video",
)

# Promotional phrases refused in titles (FR, EN, DE, IT, ES), matched case-insensitively as whole
# words/phrases. Kept lower case and without regex metacharacters.
PROMO_PHRASES: tuple[str, ...] = (
    # français
    "promo", "promotion", "gratuit", "gratuite", "livraison gratuite", "meilleur prix", "soldes",
    "prix choc", "offre spéciale", "offre speciale", "pas cher", "meilleure vente", "destockage",
    "déstockage", "nouveauté", "remise", "réduction", "bon plan", "exclusivité",
    # English
    "free shipping", "best seller", "bestseller", "best price", "discount",
    "hot item", "hot deal", "limited offer", "cheap", "clearance", "100% quality guaranteed",
    # Deutsch
    "kostenlos", "gratis", "versandkostenfrei", "angebot", "sonderangebot", "bestpreis",
    "ausverkauf", "rabatt", "schnäppchen",
    # italiano
    "spedizione gratuita", "offerta", "sconto", "saldi", "miglior prezzo", "più venduto",
    # español
    "envío gratis", "envio gratis", "oferta", "rebajas", "descuento", "mejor precio", "más vendido",
)

# Words that may repeat in a title (articles, prepositions, conjunctions), FR/EN/DE/IT/ES.
TITLE_REPEAT_EXEMPT: tuple[str, ...] = (
    "de", "des", "du", "la", "le", "les", "et", "ou", "en", "un", "une", "pour", "avec", "sans",
    "sur", "par", "au", "aux", "the", "and", "or", "of", "for", "with", "in", "on", "to", "an",
    "by", "der", "die", "das", "und", "mit", "für", "von", "zu", "il", "lo", "gli", "di", "da",
    "per", "con", "el", "los", "las", "y", "para", "del", "al", "e", "a", "x",
)

# Title characters Amazon forbids (Seller Central title requirements).
TITLE_FORBIDDEN_CHARS = "!$?_{}^¬¦"
