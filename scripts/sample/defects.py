"""Every deliberate defect of the sample, as data: a code and the mutations that put it on products."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .checks import gs1_check_digit
from .images import IMAGES, SAMPLE_IMAGE_BASE

if TYPE_CHECKING:
    from .products import Product

def _img(file: str) -> str:
    return SAMPLE_IMAGE_BASE + file


def _with_image_main(file: str, replaces: str):
    """Swap the main image ``replaces`` for its defective variant ``file`` (same product drawn)."""
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.images = [_img(file)] + p.images[1:]
    # build_products gives this mutation a product whose main image is ``replaces``.
    apply.wants = lambda p: bool(p.images) and p.images[0] == _img(replaces)
    return apply


def _title_suffix(suffix: str):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.title = f"{p.title} {suffix}"
    return apply


def _set(**values):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        for k, v in values.items():
            setattr(p, k, v)
    return apply


def _long_title(p: Product, rng: random.Random, others: list[Product]) -> None:
    p.title += (" – idéal pour le salon, une chambre d'enfant, un atelier créatif ou un bureau partagé, "
                "livré avec notice illustrée en français, emballage recyclable et garantie fabricant "
                "étendue pendant deux années complètes")


def _repeat_word(p: Product, rng: random.Random, others: list[Product]) -> None:
    head = p.noun.split()[0]
    p.title = f"{p.brand} {head} {p.noun} {head.lower()} pratique, {head.lower()} moderne"


def _brand_last(p: Product, rng: random.Random, others: list[Product]) -> None:
    p.title = p.title[len(p.brand) + 1:] + f" – {p.brand}"


def _control_char(p: Product, rng: random.Random, others: list[Product]) -> None:
    p.title = p.title.replace(p.noun, p.noun + "\x07", 1)


def _description_append(html: str):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.description = p.description + html
    return apply


def _long_description(p: Product, rng: random.Random, others: list[Product]) -> None:
    paragraph = ("<p>Conçu dans notre atelier, ce produit a fait l'objet de nombreux essais : résistance, "
                 "confort d'utilisation, entretien, durabilité des matériaux et des finitions. Chaque étape "
                 "de fabrication est contrôlée avant expédition.</p>")
    p.description = p.description + paragraph * 60   # ≈ 13,000 characters: over every description limit


def _more_bullets(n: int):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        extra = ["Notice en français incluse", "Emballage recyclable", "Garantie deux ans",
                 "Service client basé en France", "Pièces détachées disponibles", "Livré monté",
                 "Produit testé en laboratoire", "Expédié sous 48 heures", "Disponible en plusieurs coloris"]
        p.bullet_points = (p.bullet_points + extra)[:n]
    return apply


def _empty_bullet(blank: str):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.bullet_points = p.bullet_points[:1] + [blank] + p.bullet_points[1:4]   # still at most 5
    return apply


def _long_bullet(p: Product, rng: random.Random, others: list[Product]) -> None:
    p.bullet_points[0] = ("Conception robuste et soignée, " + "matériaux sélectionnés pour leur durabilité, "
                          * 18).strip().rstrip(",")


def _bad_check(shift: int):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.ean = p.ean[:-1] + str((int(p.ean[-1]) + shift) % 10)
    return apply


def _restricted_prefix(prefix: str):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        body = prefix + p.ean[len(prefix):12]
        p.ean = body + gs1_check_digit(body)
    return apply


def _copy_from_previous(attr: str):
    """Give this product the ``attr`` of another clean product (which is marked with the defect too)."""
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        twin = others.pop()
        twin.defect = p.defect
        setattr(p, attr, getattr(twin, attr))
    return apply


def _too_many_images(n: int):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        pool = [i.file for i in IMAGES if i.background in ("white", "scene") and i.format in ("PNG", "JPEG")
                and i.size[0] >= 1000 and _img(i.file) != p.images[0]]
        p.images = p.images[:1] + [_img(f) for f in rng.sample(pool, n - 1)]
    return apply


# Every deliberate defect: (code, mutations applied to one product each). Codes are also what the
# README lists. Products keep their other fields clean so that each defect shows on its own.
DEFECTS: tuple[tuple[str, tuple], ...] = (
    ("title_too_long", (_long_title, _long_title)),
    ("title_all_caps", (lambda p, r, o: setattr(p, "title", p.title.upper()),) * 2),
    ("title_promo", tuple(_title_suffix(f"– {w}") for w in (
        "Promo", "Cadeau gratuit", "Meilleur prix", "Soldes", "Free shipping", "Best seller",
        "Versand kostenlos", "Angebot", "Spedizione gratuita", "Offerta", "Envío gratis", "Oferta"))),
    ("title_forbidden_chars", (_title_suffix("!"), _title_suffix("à 19 $ ?"), _title_suffix("{édition 2026}"),
                               lambda p, r, o: setattr(p, "title", p.title.replace(" ", "_", 2)),
                               _title_suffix("^ ¬ ¦"))),
    ("title_repeated_word", (_repeat_word, _repeat_word)),
    ("title_brand_not_first", (_brand_last,) * 3),
    ("title_formula", tuple((lambda c: lambda p, r, o: setattr(p, "title", c + p.title))(c) for c in "=+@")),
    ("title_control_char", (_control_char,)),
    ("description_empty", (_set(description="<p>&nbsp;</p>"), _set(description="<div><br/></div>\n<p> </p>"),
                           _set(description=""))),
    ("description_contact", (_description_append("<p>Contact : service.client@exemple-boutique.fr</p>"),
                             _description_append("<p>Appelez-nous au 01 23 45 67 89.</p>"),
                             _description_append("<p>Plus d'infos sur https://www.exemple-boutique.fr/conseils</p>"))),
    ("description_too_long", (_long_description,)),
    ("bullets_too_many", (_more_bullets(6), _more_bullets(8))),
    ("bullet_empty", (_empty_bullet(""), _empty_bullet("   "))),
    ("bullet_too_long", (_long_bullet,)),
    ("price_zero", (_set(price="0.00"),)),
    ("price_negative", (_set(price="-12.90"),)),
    ("price_three_decimals", (_set(price="19.999"), _set(price="7,125"))),
    ("price_missing", (_set(price=""),)),
    ("price_not_number", (_set(price="NC"),)),
    ("price_outlier", (_set(price="0.29"), _set(price="15000.00"))),
    ("stock_not_integer", (_set(stock_quantity="2.5"),)),
    ("stock_negative", (_set(stock_quantity="-3"),)),
    ("stock_not_number", (_set(stock_quantity="sur commande"),)),
    ("stock_missing", (_set(stock_quantity=""),)),
    ("ean_bad_check", (_bad_check(1), _bad_check(3), _bad_check(7))),
    ("ean_letters", (lambda p, r, o: setattr(p, "ean", p.ean[:5] + "A" + p.ean[6:]),)),
    ("ean_wrong_length", (lambda p, r, o: setattr(p, "ean", p.ean[:11]),)),
    ("ean_restricted_prefix", (_restricted_prefix("200"), _restricted_prefix("250"), _restricted_prefix("021"))),
    ("ean_duplicate", (_copy_from_previous("ean"),)),
    ("ean_missing", (_set(ean=""),)),
    ("sku_duplicate", (_copy_from_previous("sku"),)),
    ("sku_too_long", (lambda p, r, o: setattr(p, "sku", p.sku + "-LAMPE-BUREAU-ALUMINIUM-NOIR-40CM-V2"),)),
    ("sku_spaces", (lambda p, r, o: setattr(p, "sku", p.sku + " "), lambda p, r, o: setattr(p, "sku", " " + p.sku))),
    ("image_none", (_set(images=[]), _set(images=[]))),
    ("image_non_http", (lambda p, r, o: setattr(p, "images", ["ftp://ftp.exemple-boutique.fr/photos/produit.jpg"]
                                                + p.images[1:]),
                        lambda p, r, o: setattr(p, "images", ["photos/produit-principal.jpg"] + p.images[1:]))),
    ("images_too_many", (_too_many_images(10), _too_many_images(12))),
    ("image_main_not_white", (_with_image_main("maison-lampe-fond-gris.png", "maison-lampe.png"),
                              _with_image_main("cuisine-mug-fond-gris.jpg", "cuisine-mug.png"),
                              _with_image_main("jouets-ballon-fond-bleu.png", "jouets-ballon.png"))),
    ("image_small", (_with_image_main("maison-vase-500.jpg", "maison-vase.jpg"),
                     _with_image_main("hightech-casque-800.png", "hightech-casque.png"),
                     _with_image_main("sport-halteres-600.png", "sport-halteres.png"))),
    ("image_text_logo", (_with_image_main("beaute-flacon-logo.png", "beaute-flacon.png"),)),
    ("image_format", (_with_image_main("hightech-telephone.webp", "hightech-telephone.png"),)),
    ("brand_missing", (_set(brand=""),) * 2),
    ("manufacturer_missing", (_set(manufacturer=""),) * 2),
    ("category_missing", (_set(category=""),)),
)
DEFECT_CODES = ("restricted_category", *(code for code, _ in DEFECTS))
