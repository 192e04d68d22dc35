"""The Amazon Flat File fields the dashboard writes, and their labels in the templates' languages.

Row 3 of a Seller Central category template holds these attribute names (the key Amazon reads);
row 2 holds labels in the marketplace's language. Labels are given for the languages of the EU
marketplaces the guide names; other languages fall back to English (row 2 is informative only).
"""
from __future__ import annotations

# label templates per language: fr, de, en, it, es. "{n}" is the index of numbered fields.
_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    "feed_product_type": ("Type de produit", "Produkttyp", "Product Type", "Tipo di prodotto", "Tipo de producto"),
    "item_sku": ("SKU vendeur", "Verkäufer-SKU", "Seller SKU", "SKU venditore", "SKU del vendedor"),
    "update_delete": ("Mise à jour/Suppression", "Aktualisieren/Löschen", "Update Delete", "Aggiorna/Elimina",
                      "Actualización/Eliminación"),
    "item_name": ("Nom du produit", "Produktname", "Item Name", "Nome dell'articolo", "Nombre del producto"),
    "product_description": ("Description du produit", "Produktbeschreibung", "Product Description",
                            "Descrizione del prodotto", "Descripción del producto"),
    "standard_price": ("Prix", "Preis", "Standard Price", "Prezzo", "Precio"),
    "quantity": ("Quantité", "Menge", "Quantity", "Quantità", "Cantidad"),
    "main_image_url": ("URL de l'image principale", "URL des Hauptbilds", "Main Image URL",
                       "URL immagine principale", "URL de la imagen principal"),
    "other_image_url": ("URL d'une autre image {n}", "URL eines anderen Bildes {n}", "Other Image URL{n}",
                        "URL altra immagine {n}", "URL de otra imagen {n}"),
    "brand_name": ("Marque", "Marke", "Brand Name", "Marca", "Marca"),
    "manufacturer": ("Fabricant", "Hersteller", "Manufacturer", "Produttore", "Fabricante"),
    "external_product_id": ("ID du produit", "Hersteller-Barcode", "Product ID", "Codice prodotto",
                            "ID de producto"),
    "external_product_id_type": ("Type d'ID du produit", "Barcode-Typ", "Product ID Type",
                                 "Tipo di codice prodotto", "Tipo de ID de producto"),
    "item_weight": ("Poids de l'article", "Artikelgewicht", "Item Weight", "Peso articolo", "Peso del producto"),
    "item_weight_unit_of_measure": ("Unité de mesure du poids de l'article", "Maßeinheit des Artikelgewichts",
                                    "Item Weight Unit Of Measure", "Unità di misura del peso",
                                    "Unidad de medida del peso"),
    "bullet_point": ("Caractéristique clé du produit {n}", "Aufzählungspunkt {n}", "Key Product Features{n}",
                     "Punto elenco {n}", "Viñeta {n}"),
    "condition_type": ("État de l'article", "Zustand", "Item Condition", "Condizione", "Estado"),
    "recommended_browse_nodes": ("Nœud de navigation recommandé", "Empfohlener Browse-Node",
                                 "Recommended Browse Nodes", "Nodo di navigazione consigliato",
                                 "Nodo de navegación recomendado"),
}
_LANGS = ("fr", "de", "en", "it", "es")


def _split(field: str) -> tuple[str, str]:
    # "other_image_url3" -> ("other_image_url", "3"); "bullet_point5" -> ("bullet_point", "5")
    base = field.rstrip("0123456789")
    return base, field[len(base):]


def label(field: str, language_tag: str) -> str:
    """Row-2 label of ``field`` for a template in ``language_tag`` (``fr_FR`` …); English fallback."""
    base, n = _split(field)
    labels = _LABELS.get(field) or _LABELS.get(base)
    if labels is None:
        return field
    lang = language_tag.split("_")[0].lower()
    text = labels[_LANGS.index(lang)] if lang in _LANGS else labels[_LANGS.index("en")]
    return text.format(n=n)


def known(field: str) -> bool:
    """True when ``field`` is an attribute name this module knows a label for."""
    base, _ = _split(field)
    return field in _LABELS or base in _LABELS
