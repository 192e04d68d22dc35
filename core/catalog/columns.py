"""The canonical catalogue columns (Products Manager fields of the guide's mapping table), as data.

Every imported file is normalised to these columns in the ``products`` table. Numeric fields keep
their text as read in ``<name>_raw`` so that rules can tell "missing" from "not a number".
Synonyms are compared after :func:`core.catalog.names.normalise_name` (lower case, no accents,
non-alphanumerics folded to ``_``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str                 # canonical name in the products table
    sql_type: str             # DuckDB type after import
    required: bool            # the import asks the user to pick a file column when unmatched
    synonyms: tuple[str, ...] # normalised header names accepted for this column
    keeps_raw: bool = False   # also stored as text in <name>_raw


COLUMNS: tuple[Column, ...] = (
    Column("sku", "VARCHAR", True, ("sku", "reference", "ref", "item_sku", "seller_sku", "code_article",
                                    "ref_produit", "reference_produit", "article")),
    Column("title", "VARCHAR", True, ("title", "titre", "nom", "name", "item_name", "product_name",
                                      "nom_produit", "libelle", "designation",
                                      "libelle_produit", "titre_produit", "nom_du_produit", "intitule")),
    Column("description", "VARCHAR", True, ("description", "desc", "product_description",
                                            "description_html", "descriptif",
                                            "description_longue", "long_description")),
    Column("price", "DOUBLE", True, ("price", "prix", "prix_ttc", "price_ttc", "standard_price",
                                     "prix_vente", "tarif", "prix_public",
                                     "prix_de_vente", "prix_de_vente_ttc"), keeps_raw=True),
    Column("stock_quantity", "BIGINT", True, ("stock_quantity", "stock", "quantity", "quantite", "qty",
                                              "qte", "stock_disponible", "inventaire",
                                              "quantite_en_stock", "qte_stock", "stock_qty"), keeps_raw=True),
    Column("images", "VARCHAR[]", False, ("images", "image", "image_urls", "images_urls", "photos",
                                          "image_url", "main_image_url", "url_images")),
    Column("brand", "VARCHAR", False, ("brand", "marque", "brand_name")),
    Column("manufacturer", "VARCHAR", False, ("manufacturer", "fabricant", "constructeur")),
    Column("ean", "VARCHAR", False, ("ean", "ean13", "ean_13", "gtin", "gtin13", "upc", "code_ean",
                                     "code_barre", "code_barres", "barcode", "external_product_id")),
    Column("weight", "DOUBLE", False, ("weight", "poids", "poids_g", "weight_g", "poids_grammes",
                                       "item_weight"), keeps_raw=True),
    Column("bullet_points", "VARCHAR[]", False, ("bullet_points", "bullets", "points_forts",
                                                 "caracteristiques", "bullet_point", "avantages")),
    Column("category", "VARCHAR", False, ("category", "categorie", "categories", "rayon", "famille",
                                          "product_category")),
    Column("supplier", "VARCHAR", False, ("supplier", "fournisseur", "vendor", "distributeur")),
    Column("gtin_exempt", "BOOLEAN", False, ("gtin_exempt", "exemption_gtin", "marque_propre",
                                             "own_brand", "sans_ean")),
)

CANONICAL_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)


def column(name: str) -> Column:
    """The canonical column called ``name``."""
    return next(c for c in COLUMNS if c.name == name)
