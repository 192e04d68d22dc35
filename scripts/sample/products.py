"""Build the sample products: clean ones from the catalogue templates, a few special cases, then one
deliberate defect on each product picked for it (:data:`scripts.sample.defects.DEFECTS`)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .catalogue import CATEGORIES, CATEGORY_BY_NAME, DOC_EANS, OWN_BRAND, Item
from .checks import gs1_check_digit, max_word_repeats
from .defects import DEFECTS
from .images import SAMPLE_IMAGE_BASE

HEADER = ("sku", "title", "description", "price", "stock_quantity", "images", "brand", "manufacturer",
          "ean", "weight", "bullet_points", "category", "supplier", "gtin_exempt",
          # Beyond the guide's table: attributes Amazon's product types require for a NEW listing (90220
          # otherwise). Kept by the import as extra columns and sent by the API export under the same names.
          "color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation")

# Country of origin by the brand's GS1 prefix (the prefix names the issuing office, not the origin, but the
# sample's brands are made where they are registered); the shop's own brand (no EAN) is made in France.
ORIGIN_BY_PREFIX = {"376": "FR", "400": "DE", "401": "DE", "402": "DE", "403": "DE", "800": "IT", "840": "ES",
                    "843": "ES", "": "FR"}

@dataclass
class Product:
    sku: str
    title: str
    description: str
    price: str
    stock_quantity: str
    images: list[str]
    brand: str
    manufacturer: str
    ean: str
    weight: str
    bullet_points: list[str]
    category: str
    supplier: str
    gtin_exempt: str = ""
    color: str = ""
    country_of_origin: str = ""
    item_type_keyword: str = ""
    dg_hz_regulation: str = "not_applicable"
    # Not written to the CSV: what the generator did, for the seed and the README figures.
    defect: str = ""
    special: str = ""
    noun: str = ""
    product_type: str = ""

    def row(self) -> list[str]:
        return [self.sku, self.title, self.description, self.price, self.stock_quantity,
                "|".join(self.images), self.brand, self.manufacturer, self.ean, self.weight,
                "|".join(self.bullet_points), self.category, self.supplier, self.gtin_exempt,
                self.color, self.country_of_origin, self.item_type_keyword, self.dg_hz_regulation]


def _price_text(rng: random.Random, lo: float, hi: float) -> str:
    euros = rng.randint(int(lo), max(int(lo), int(hi) - 1))
    text = f"{euros}.{rng.choice(('90', '99', '50', '00', '95'))}"
    # French exports often write decimal commas; the importer accepts both.
    return text.replace(".", ",") if rng.random() < .3 else text


def _description(rng: random.Random, brand: str, item: Item, feature: str, colour: str, size: str,
                 bullets: list[str], weight: int) -> str:
    intro = (f"<p><strong>{brand}</strong> – {item.noun} {feature}, coloris {colour}. "
             f"Un produit pensé pour durer, sélectionné par nos équipes.</p>")
    details = "<ul>" + "".join(f"<li>{b}</li>" for b in bullets) + "</ul>"
    specs = f"<p>Format&nbsp;: {size}.<br>Poids&nbsp;: {weight}&nbsp;g.</p>"
    style = rng.random()
    if style < .15:       # plain text export, no HTML at all
        return f"{brand} – {item.noun} {feature}, coloris {colour}. Format : {size}. Poids : {weight} g."
    html = intro + details + specs
    if style < .35:       # encoded accents, as some PIMs export them
        html = html.replace("é", "&eacute;").replace("è", "&egrave;").replace("à", "&agrave;")
    elif style < .45:     # line breaks inside the cell (quoted in the CSV)
        html = intro + "\n" + details + "\n" + specs
    return html


def _keyword(noun: str) -> str:
    """Amazon's item_type_keyword style: lower-case ASCII words joined by hyphens ("lampe-de-bureau-led")."""
    import unicodedata
    ascii_noun = unicodedata.normalize("NFKD", noun).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_noun.lower()).strip("-")


def _base_products(rng: random.Random) -> list[Product]:
    products: list[Product] = []
    eans: set[str] = set()
    for cat in CATEGORIES:
        for n in range(1, cat.count + 1):
            item = cat.items[(n - 1) % len(cat.items)]
            brand = cat.brands[rng.randrange(len(cat.brands))]
            feature, colour, size = rng.choice(item.features), rng.choice(item.colours), rng.choice(item.sizes)
            title = f"{brand.name} {item.noun} {feature}, {colour}, {size}"
            if max_word_repeats(title) > 2 or len(title) > 200:
                title = f"{brand.name} {item.noun}, {colour}, {size}"
            bullets = rng.sample(list(item.bullets), rng.randint(3, min(5, len(item.bullets))))
            weight = rng.randint(*item.weight)
            while True:
                body = brand.gs1_prefix + brand.company + f"{rng.randrange(100000):05d}"
                ean = body + gs1_check_digit(body)
                if ean not in eans:
                    eans.add(ean)
                    break
            secondaries = [f for f in cat.secondary if f != item.image]
            images = [item.image] + rng.sample(secondaries, rng.randint(0, len(secondaries)))
            weight_text = str(weight) if rng.random() < .9 else f"{weight},5"
            stock = 0 if rng.random() < .08 else rng.randint(1, 250)
            products.append(Product(
                sku=f"{cat.code}-{n:04d}", title=title,
                description=_description(rng, brand.name, item, feature, colour, size, bullets, weight),
                price=_price_text(rng, *item.price), stock_quantity=str(stock),
                images=[SAMPLE_IMAGE_BASE + f for f in images], brand=brand.name,
                manufacturer=brand.manufacturer, ean=ean, weight=weight_text, bullet_points=bullets,
                category=cat.name, supplier=cat.suppliers[rng.randrange(len(cat.suppliers))],
                color=colour, country_of_origin=ORIGIN_BY_PREFIX.get(brand.gs1_prefix, "CN"),
                item_type_keyword=_keyword(item.noun),
                defect="restricted_category" if cat.restricted else "", noun=item.noun,
                product_type=cat.product_type))
    return products


def _rename(p: Product, brand: str, manufacturer: str, title: str, description_rng: random.Random | None = None,
            feature: str = "", colour: str = "", size: str = "") -> None:
    """Give ``p`` another brand and title, its description following (rewritten when details change)."""
    old_brand = p.brand
    p.brand, p.manufacturer, p.title = brand, manufacturer, title
    if description_rng is None:
        p.description = p.description.replace(old_brand, brand)
    else:
        item = next(i for i in CATEGORY_BY_NAME[p.category].items if i.noun == p.noun)
        weight = int(float(p.weight.replace(",", ".")))
        p.description = _description(description_rng, brand, item, feature, colour, size, p.bullet_points, weight)


def _set_specials(products: list[Product]) -> None:
    """Products the sandbox seed and the demo rely on; they stay clean."""
    by_sku = {p.sku: p for p in products}
    # The EANs of Amazon's and GS1's documentation (the UPC is a 12-digit code, written as such).
    for sku, ean in zip(("BRI-0001", "MAI-0001", "CUI-0003"), DOC_EANS):
        by_sku[sku].ean, by_sku[sku].special = ean, "doc_ean"
    # A T-shirt in three sizes: on Amazon, three children of one variation parent.
    for sku, size in zip(("SPO-0002", "SPO-0005", "SPO-0008"), ("taille S", "taille M", "taille L")):
        p = by_sku[sku]
        _rename(p, "Energym", "Energym SAS", f"Energym T-shirt de running respirant, bleu roi, {size}",
                random.Random(sku), "respirant", "bleu roi", size)
        p.special = "variation"
    # A brand Amazon gates (the sandbox answers 5461 without a brand approval).
    p = by_sku["HTE-0003"]
    _rename(p, "Lenovo", "Lenovo PC HK", "Lenovo Chargeur secteur USB-C 65 W, noir, 1 port",
            random.Random(p.sku), "65 W", "noir", "1 port")
    p.special = "gated_brand"
    # Own-brand products sold without EAN under a GTIN exemption.
    for sku in ("MAI-0004", "MAI-0007", "CUI-0004", "JAR-0002"):
        p = by_sku[sku]
        _rename(p, OWN_BRAND.name, OWN_BRAND.manufacturer, OWN_BRAND.name + p.title[p.title.index(" " + p.noun):])
        p.ean, p.gtin_exempt, p.special = "", "oui", "gtin_exempt"


def build_products(rng: random.Random) -> list[Product]:
    """The sample products in file order, each tagged with the defect it carries (or none)."""
    products = _base_products(rng)
    _set_specials(products)
    pool = [p for p in products if not p.defect and not p.special]
    rng.shuffle(pool)
    for code, mutations in DEFECTS:
        for mutate in mutations:
            wants = getattr(mutate, "wants", None)
            p = pool.pop(max(i for i, q in enumerate(pool) if wants is None or wants(q)))
            p.defect = code
            mutate(p, rng, pool)
    rng.shuffle(products)
    return products
