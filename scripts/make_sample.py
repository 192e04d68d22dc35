"""Generate the sample data of ``data/``: a French catalogue, its product images and the sandbox's ASINs.

Outputs (all deterministic: a fixed seed, no clock, sorted iteration), relative to ``--out`` (default
``data/``):

* ``sample_catalogue.csv`` — UTF-8, ``;``-separated, canonical headers; 320 products over 11 categories
  and 6 suppliers; about 63 % clean, the rest each carrying ONE deliberate defect from :data:`DEFECTS`
  (restricted categories count as a defect too, since they need Amazon's approval).
* ``images/`` — the product drawings the CSV's URLs point to, plus ``images/manifest.csv`` stating each
  file's format, size and background (what the tests check with Pillow). URLs are
  ``SAMPLE_IMAGE_BASE + file``; an offline image checker maps that prefix to ``data/images/``.
* ``sandbox/catalog_seed.json`` — the Amazon-side catalogue of the local SP-API sandbox: ASINs for about a
  third of the sample's valid EANs, with an EAN carrying two ASINs, a parent/child variation, items
  whose brand or title contradict the catalogue (8541), and one item listed on Amazon.de only.

Running ``python scripts/make_sample.py`` again rewrites the committed files byte for byte
(tests/unit/test_sample_data.py checks it). An image above 10,000 px is deliberately NOT shipped (it
would weigh megabytes); the image checker's tests generate one at run time instead.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data"
SEED = 20260427
PRODUCT_COUNT = 320

SAMPLE_IMAGE_BASE = "https://cdn.exemple-boutique.fr/images/"
CSV_NAME = "sample_catalogue.csv"
SEED_NAME = "sandbox/catalog_seed.json"
HEADER = ("sku", "title", "description", "price", "stock_quantity", "images", "brand", "manufacturer",
          "ean", "weight", "bullet_points", "category", "supplier", "gtin_exempt")

# --------------------------------------------------------------------------------------------------
# Images: one entry per shipped file. background: white (RGB 255) | grey | colour | scene.
# --------------------------------------------------------------------------------------------------

BACKGROUNDS = {"white": (255, 255, 255), "grey": (232, 232, 232), "colour": (204, 226, 247)}


@dataclass(frozen=True)
class ImageSpec:
    file: str
    drawing: str
    colour: tuple[int, int, int]
    size: tuple[int, int] = (1000, 1000)
    background: str = "white"
    text: str = ""          # a text banner drawn over the product (Amazon refuses it on a main image)

    @property
    def format(self) -> str:
        return {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "tif": "TIFF", "webp": "WEBP"}[self.file.rsplit(".", 1)[1]]

    @property
    def url(self) -> str:
        return SAMPLE_IMAGE_BASE + self.file


IMAGES: tuple[ImageSpec, ...] = (
    # Clean main images: a simple drawing on pure white, 1000 px or more.
    ImageSpec("maison-lampe.png", "lamp", (40, 40, 46)),
    ImageSpec("maison-coussin.png", "cushion", (38, 110, 140), (1200, 1200)),
    ImageSpec("maison-vase.jpg", "vase", (196, 98, 64)),
    ImageSpec("cuisine-mug.png", "mug", (222, 186, 120)),
    ImageSpec("cuisine-poele.png", "pan", (60, 60, 64), (1200, 1200)),
    ImageSpec("cuisine-bouteille.jpg", "bottle", (90, 160, 130)),
    ImageSpec("jardin-pot.png", "pot", (190, 100, 60)),
    ImageSpec("jardin-guirlande.png", "lamp", (236, 200, 60), (1600, 1200)),
    ImageSpec("bricolage-marteau.png", "hammer", (200, 40, 40)),
    ImageSpec("bricolage-perceuse.png", "drill", (240, 130, 20), (1200, 1200)),
    ImageSpec("jouets-ballon.png", "ball", (230, 60, 90)),
    ImageSpec("jouets-ourson.png", "teddy", (170, 120, 70)),
    ImageSpec("sport-halteres.png", "dumbbell", (70, 70, 80)),
    ImageSpec("sport-tshirt.png", "tshirt", (30, 90, 200), (1500, 1500)),
    ImageSpec("hightech-telephone.png", "phone", (30, 30, 36)),
    ImageSpec("hightech-casque.png", "headphones", (60, 60, 70), (1200, 1200)),
    ImageSpec("beaute-flacon.png", "bottle", (210, 160, 190)),
    ImageSpec("beaute-pot.jpg", "jar", (240, 220, 200)),
    ImageSpec("bijoux-bague.png", "ring", (212, 175, 55)),
    ImageSpec("bijoux-collier.png", "necklace", (190, 190, 200)),
    ImageSpec("montres-montre.png", "watch", (120, 80, 50)),
    ImageSpec("montres-montre-acier.jpg", "watch", (150, 155, 165), (1200, 1200)),
    ImageSpec("sante-boite.png", "box", (40, 150, 90)),
    ImageSpec("sante-tube.png", "tube", (80, 140, 210)),
    # Accepted formats other than JPEG/PNG.
    ImageSpec("jouets-toupie.gif", "top", (250, 170, 30)),
    ImageSpec("maison-vase-bleu.tif", "vase", (50, 90, 170)),
    # Lifestyle pictures: fine as secondary images, not as a main image.
    ImageSpec("scene-salon.jpg", "scene", (214, 196, 170), (1200, 1000), "scene"),
    ImageSpec("scene-cuisine.jpg", "scene", (232, 226, 214), (1200, 1000), "scene"),
    ImageSpec("scene-jardin.jpg", "scene", (170, 205, 150), (1200, 1000), "scene"),
    # Defective main images.
    ImageSpec("maison-lampe-fond-gris.png", "lamp", (40, 40, 46), background="grey"),
    ImageSpec("cuisine-mug-fond-gris.jpg", "mug", (222, 186, 120), background="grey"),
    ImageSpec("jouets-ballon-fond-bleu.png", "ball", (230, 60, 90), background="colour"),
    ImageSpec("maison-vase-500.jpg", "vase", (196, 98, 64), (500, 500)),
    ImageSpec("hightech-casque-800.png", "headphones", (60, 60, 70), (800, 800)),
    ImageSpec("bijoux-bague-600.png", "ring", (212, 175, 55), (600, 600)),
    ImageSpec("beaute-flacon-logo.png", "bottle", (210, 160, 190), text="PROMO -50%"),
    ImageSpec("hightech-telephone.webp", "phone", (30, 30, 36)),
)
IMAGE_BY_FILE = {i.file: i for i in IMAGES}

# Drawings in unit coordinates (0..1); margins of at least 8 % keep the border the background colour.
_SHAPES: dict[str, list[tuple]] = {
    "lamp": [("ellipse", (.30, .82, .70, .90), "dark"), ("rect", (.48, .38, .52, .86), "dark"),
             ("poly", [(.32, .16), (.68, .16), (.80, .40), (.20, .40)], "main")],
    "cushion": [("rrect", (.18, .24, .82, .76), "main"), ("line", (.18, .24, .82, .76), "light"),
                ("line", (.82, .24, .18, .76), "light")],
    "vase": [("poly", [(.40, .15), (.60, .15), (.56, .28), (.72, .55), (.62, .86), (.38, .86), (.28, .55),
                       (.44, .28)], "main"), ("rect", (.38, .15, .62, .19), "dark")],
    "mug": [("ellipse", (.58, .40, .82, .66), "dark"), ("ellipse", (.63, .45, .77, .61), "bg"),
            ("rect", (.28, .30, .66, .80), "main"), ("ellipse", (.28, .26, .66, .34), "light")],
    "pan": [("ellipse", (.12, .36, .62, .74), "dark"), ("ellipse", (.17, .41, .57, .69), "main"),
            ("rect", (.60, .52, .92, .58), "dark")],
    "bottle": [("rect", (.38, .30, .62, .86), "main"), ("rect", (.44, .16, .56, .30), "dark"),
               ("rect", (.40, .48, .60, .66), "light")],
    "pot": [("ellipse", (.30, .14, .52, .50), "leaf"), ("ellipse", (.48, .18, .72, .48), "leaf"),
            ("poly", [(.26, .46), (.74, .46), (.66, .86), (.34, .86)], "main")],
    "hammer": [("rect", (.47, .30, .55, .88), "wood"), ("rect", (.28, .16, .72, .32), "main")],
    "drill": [("poly", [(.18, .26), (.70, .26), (.70, .46), (.46, .46), (.46, .84), (.30, .84), (.30, .46),
                        (.18, .46)], "main"), ("rect", (.70, .32, .88, .40), "dark")],
    "ball": [("ellipse", (.20, .20, .80, .80), "main"), ("line", (.20, .50, .80, .50), "light"),
             ("line", (.50, .20, .50, .80), "light")],
    "teddy": [("ellipse", (.26, .14, .40, .28), "main"), ("ellipse", (.60, .14, .74, .28), "main"),
              ("ellipse", (.30, .18, .70, .50), "main"), ("ellipse", (.26, .46, .74, .88), "main"),
              ("ellipse", (.40, .30, .60, .44), "light")],
    "dumbbell": [("rect", (.22, .47, .78, .53), "dark"), ("rect", (.14, .30, .28, .70), "main"),
                 ("rect", (.72, .30, .86, .70), "main")],
    "tshirt": [("poly", [(.32, .18), (.42, .18), (.50, .26), (.58, .18), (.68, .18), (.88, .34), (.78, .46),
                         (.70, .40), (.70, .84), (.30, .84), (.30, .40), (.22, .46), (.12, .34)], "main")],
    "phone": [("rrect", (.34, .12, .66, .88), "main"), ("rect", (.37, .18, .63, .80), "light")],
    "headphones": [("arc", (.24, .16, .76, .70), "main"), ("rrect", (.18, .48, .32, .74), "main"),
                   ("rrect", (.68, .48, .82, .74), "main")],
    "jar": [("rect", (.28, .42, .72, .80), "main"), ("rect", (.26, .32, .74, .44), "dark")],
    "ring": [("ring", (.26, .32, .74, .80), "main"), ("poly", [(.42, .18), (.58, .18), (.62, .28), (.50, .36),
                                                              (.38, .28)], "light")],
    "necklace": [("arc2", (.18, .10, .82, .70), "main"), ("ellipse", (.44, .62, .56, .78), "light")],
    "watch": [("rect", (.42, .10, .58, .90), "main"), ("ellipse", (.30, .30, .70, .70), "dark"),
              ("ellipse", (.34, .34, .66, .66), "light"), ("line", (.50, .50, .50, .38), "dark")],
    "box": [("rect", (.22, .26, .78, .80), "main"), ("rect", (.46, .38, .54, .68), "light"),
            ("rect", (.36, .49, .64, .57), "light")],
    "tube": [("poly", [(.30, .20), (.70, .20), (.60, .78), (.40, .78)], "main"),
             ("rect", (.42, .78, .58, .88), "dark")],
    "top": [("poly", [(.20, .36), (.80, .36), (.50, .86)], "main"), ("rect", (.46, .14, .54, .36), "dark")],
}


def _tones(colour: tuple[int, int, int], bg: tuple[int, int, int]) -> dict[str, tuple[int, int, int]]:
    return {"main": colour, "dark": tuple(int(c * .55) for c in colour),
            "light": tuple(int(c + (250 - c) * .6) for c in colour), "bg": bg,
            "leaf": (70, 140, 60), "wood": (150, 105, 60)}


def _exact_palette(img: Image.Image) -> Image.Image:
    """A palette image with exactly the colours of ``img`` (a few kB as PNG, same RGB once decoded).

    Pillow's own quantizers average colours (white may become 254); a background claimed "RGB 255"
    must stay 255. Images with more than 256 colours (anti-aliased text) stay RGB.
    """
    colours = img.getcolors(256)
    if colours is None:
        return img
    flat = [v for _, rgb in sorted(colours, key=lambda c: c[1]) for v in rgb]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + flat[:3] * (256 - len(colours)))
    quantized = img.quantize(palette=palette, dither=Image.Dither.NONE)
    # Pillow maps through a coarse colour cache: keep RGB if any pixel came back different.
    return quantized if ImageChops.difference(quantized.convert("RGB"), img).getbbox() is None else img


def render_image(spec: ImageSpec) -> bytes:
    """The encoded bytes of ``spec``'s image (no timestamp or other run-dependent metadata)."""
    w, h = spec.size
    if spec.background == "scene":
        img = Image.new("RGB", spec.size, spec.colour)
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, int(h * .68), w, h), fill=tuple(int(c * .62) for c in spec.colour))
        draw.rectangle((int(w * .62), int(h * .10), int(w * .90), int(h * .50)), fill=(236, 244, 252))
        draw.rectangle((int(w * .14), int(h * .44), int(w * .44), int(h * .74)), fill=(120, 90, 70))
    else:
        bg = BACKGROUNDS[spec.background]
        img = Image.new("RGB", spec.size, bg)
        draw = ImageDraw.Draw(img)
        tones = _tones(spec.colour, bg)
        # Square drawing area centred in the image, so that wide images keep a wide white margin.
        side = min(w, h)
        ox, oy = (w - side) // 2, (h - side) // 2

        def pt(x: float, y: float) -> tuple[int, int]:
            return ox + int(x * side), oy + int(y * side)

        for kind, coords, tone in _SHAPES[spec.drawing]:
            fill = tones[tone]
            if kind == "poly":
                draw.polygon([pt(*p) for p in coords], fill=fill)
                continue
            box = (*pt(coords[0], coords[1]), *pt(coords[2], coords[3]))
            if kind == "rect":
                draw.rectangle(box, fill=fill)
            elif kind == "rrect":
                draw.rounded_rectangle(box, radius=side // 25, fill=fill)
            elif kind == "ellipse":
                draw.ellipse(box, fill=fill)
            elif kind == "ring":
                draw.ellipse(box, outline=fill, width=side // 20)
            elif kind == "arc":
                draw.arc(box, 180, 360, fill=fill, width=side // 25)
            elif kind == "arc2":
                draw.arc(box, 20, 160, fill=fill, width=side // 100)
            elif kind == "line":
                draw.line(box, fill=fill, width=side // 60)
        if spec.text:
            draw.rectangle((*pt(.10, .62), *pt(.90, .76)), fill=(220, 30, 30))
            font = ImageFont.load_default(size=side // 12)
            draw.text(pt(.16, .63), spec.text, fill=(255, 255, 255), font=font)
    buf = io.BytesIO()
    if spec.format == "JPEG":
        img.save(buf, "JPEG", quality=82, optimize=True)
    elif spec.format == "PNG":
        _exact_palette(img).save(buf, "PNG", optimize=True)
    elif spec.format == "GIF":
        _exact_palette(img).save(buf, "GIF")
    elif spec.format == "TIFF":
        img.save(buf, "TIFF", compression="tiff_adobe_deflate")
    else:
        img.save(buf, "WEBP", lossless=True, quality=60, method=4)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# Catalogue: categories, their brands, suppliers and product templates.
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Brand:
    name: str
    manufacturer: str
    gs1_prefix: str        # 3-digit GS1 prefix of the EANs (issuing country: 376 France, 400 Germany …)
    company: str           # 4 digits


@dataclass(frozen=True)
class Item:
    noun: str                      # product type as it reads in a title
    image: str                     # main image file
    price: tuple[float, float]     # TTC range
    weight: tuple[int, int]        # grams
    features: tuple[str, ...]
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    name: str
    code: str                      # SKU prefix
    count: int
    brands: tuple[Brand, ...]
    suppliers: tuple[str, ...]
    items: tuple[Item, ...]
    secondary: tuple[str, ...]     # extra image files used as secondary images
    product_type: str              # Amazon product type for the sandbox seed
    browse_node: tuple[str, str]   # Amazon.fr browse node (id, name), illustrative
    restricted: bool = False       # Amazon asks for an approval before listing in it


SUPPLIERS = ("Distri Ouest SARL", "Grossiste Lyonnais", "Maison & Co Import", "TechnoStock Europe",
             "Atelier du Jardin Diffusion", "Bijouterie Martin Diffusion")
OWN_BRAND = Brand("Maison Vauban", "Maison Vauban SAS", "", "")   # the shop's own brand: GTIN-exempt

_B = Brand
CATEGORIES: tuple[Category, ...] = (
    Category("Maison", "MAI", 45, (_B("Lumina", "Lumina SAS", "376", "0011"),
                                   _B("Douceur d'Intérieur", "DDI Textiles", "376", "0012"),
                                   _B("Nordlicht", "Nordlicht GmbH", "400", "1234")),
             (SUPPLIERS[2], SUPPLIERS[1]), (
        Item("Lampe de bureau LED", "maison-lampe.png", (19.9, 89.0), (600, 1800),
             ("orientable", "à variateur tactile", "avec port USB"), ("noir", "blanc", "laiton"), ("40 cm", "52 cm"),
             ("Éclairage LED 8 W, trois températures de couleur", "Bras articulé en aluminium",
              "Variateur tactile sur le socle", "Port USB pour recharger un téléphone",
              "Ampoule intégrée, durée de vie 25 000 heures", "Socle lesté antibasculement")),
        Item("Housse de coussin", "maison-coussin.png", (9.9, 29.9), (150, 400),
             ("en lin lavé", "en velours côtelé", "en coton bio"), ("bleu canard", "terracotta", "vert sauge", "écru"),
             ("40 x 40 cm", "45 x 45 cm", "30 x 50 cm"),
             ("Fermeture éclair invisible", "Lavable en machine à 30 °C", "Garnissage non fourni",
              "Tissu certifié Oeko-Tex", "Coutures renforcées")),
        Item("Vase en céramique", "maison-vase.jpg", (14.9, 59.0), (400, 2200),
             ("émaillé", "mat texturé", "fait main"), ("terracotta", "bleu nuit", "blanc cassé"), ("20 cm", "32 cm"),
             ("Céramique émaillée à l'intérieur, étanche", "Pièce façonnée à la main", "Convient aux fleurs séchées",
              "Nettoyage à l'éponge humide")),
    ), ("maison-vase-bleu.tif", "scene-salon.jpg", "maison-coussin.png"), "HOME",
        ("57686031", "Cuisine et Maison › Décoration d'intérieur")),
    Category("Cuisine", "CUI", 45, (_B("Cuisinova", "Cuisinova SAS", "376", "0021"),
                                    _B("Le Potier Gourmand", "Poteries Réunies", "376", "0022"),
                                    _B("Casa Bella", "Casa Bella S.r.l.", "800", "4567")),
             (SUPPLIERS[2], SUPPLIERS[0]), (
        Item("Mug en grès", "cuisine-mug.png", (7.9, 19.9), (280, 450),
             ("émaillé", "à anse large", "double paroi"), ("sable", "bleu orage", "vert olive"), ("35 cl", "45 cl"),
             ("Grès émaillé résistant aux chocs", "Compatible lave-vaisselle et micro-ondes",
              "Anse ergonomique", "Fabriqué au Portugal", "Émail sans plomb ni cadmium")),
        Item("Poêle en fonte", "cuisine-poele.png", (24.9, 79.0), (1400, 3200),
             ("tous feux dont induction", "prête à l'emploi", "à poignée amovible"), ("noir",), ("24 cm", "28 cm"),
             ("Fonte épaisse pour une chaleur homogène", "Compatible induction et four",
              "Culottage végétal d'origine", "Poignée amovible", "Garantie dix ans")),
        Item("Bouteille isotherme", "cuisine-bouteille.jpg", (12.9, 34.9), (300, 520),
             ("en inox", "sans BPA", "à bouchon étanche"), ("vert menthe", "anthracite", "corail"), ("50 cl", "75 cl"),
             ("Garde au chaud 12 heures et au frais 24 heures", "Inox alimentaire 18/8",
              "Bouchon étanche à visser", "Sans BPA", "Tient dans un porte-gobelet")),
    ), ("scene-cuisine.jpg", "cuisine-bouteille.jpg"), "KITCHEN",
        ("57004031", "Cuisine et Maison › Cuisine")),
    Category("Jardin", "JAR", 30, (_B("Verdure & Co", "Verdure et Compagnie SA", "376", "0031"),
                                   _B("Jardimax", "Jardimax Industrie", "376", "0032")),
             (SUPPLIERS[4],), (
        Item("Pot de fleurs", "jardin-pot.png", (9.9, 49.0), (500, 4000),
             ("en terre cuite", "avec réserve d'eau", "en fibre de bois"), ("terracotta", "gris ardoise", "blanc"),
             ("Ø 25 cm", "Ø 35 cm", "Ø 45 cm"),
             ("Trou de drainage prépercé", "Résiste au gel jusqu'à -10 °C", "Réserve d'eau de 1,5 litre",
              "Matériau recyclable", "Soucoupe assortie vendue séparément")),
        Item("Guirlande solaire", "jardin-guirlande.png", (14.9, 39.9), (200, 650),
             ("à LED", "étanche IP65", "à détecteur crépusculaire"), ("blanc chaud", "multicolore"),
             ("5 m", "10 m"),
             ("Panneau solaire avec piquet", "Allumage automatique à la tombée de la nuit",
              "Étanche IP65", "Huit modes d'éclairage", "Autonomie de huit heures")),
    ), ("scene-jardin.jpg", "jardin-pot.png"), "OUTDOOR_LIVING",
        ("3244127031", "Jardin › Décoration extérieure")),
    Category("Bricolage", "BRI", 35, (_B("Outilpro", "Outilpro Industries", "376", "0041"),
                                      _B("Fixor", "Fixor GmbH", "401", "2345")),
             (SUPPLIERS[0], SUPPLIERS[1]), (
        Item("Marteau de menuisier", "bricolage-marteau.png", (11.9, 32.0), (450, 900),
             ("manche en frêne", "tête forgée", "antivibration"), ("rouge", "noir"), ("300 g", "500 g"),
             ("Tête en acier forgé trempé", "Manche en frêne ergonomique", "Arrache-clou intégré",
              "Fabriqué en France")),
        Item("Perceuse-visseuse sans fil", "bricolage-perceuse.png", (49.0, 189.0), (1100, 2100),
             ("18 V", "avec deux batteries", "sans charbon"), ("orange", "vert"), ("coffret", "carton"),
             ("Moteur sans charbon, couple de 50 Nm", "Deux batteries lithium-ion 2 Ah",
              "Mandrin automatique 13 mm", "Éclairage LED de la zone de perçage", "Livrée en coffret")),
    ), ("bricolage-marteau.png", "bricolage-perceuse.png"), "TOOLS",
        ("590756031", "Bricolage › Outillage électroportatif")),
    Category("Jouets", "JOU", 30, (_B("Kidoo", "Kidoo SAS", "376", "0051"),
                                   _B("P'tit Malin", "Petit Malin Jeux", "376", "0052")),
             (SUPPLIERS[1],), (
        Item("Ballon en mousse", "jouets-ballon.png", (5.9, 14.9), (80, 250),
             ("extra doux", "antichoc"), ("rose", "bleu", "jaune"), ("Ø 15 cm", "Ø 20 cm"),
             ("Mousse souple sans danger pour les petites mains", "Dès 3 ans", "Conforme à la norme EN 71",
              "Idéal pour jouer en intérieur")),
        Item("Peluche ourson", "jouets-ourson.png", (12.9, 39.9), (150, 600),
             ("toute douce", "lavable en machine"), ("caramel", "crème"), ("25 cm", "40 cm"),
             ("Tissu ultra doux", "Yeux brodés, sans pièce détachable", "Lavable à 30 °C",
              "Dès la naissance", "Conforme à la norme EN 71")),
        Item("Toupie en bois", "jouets-toupie.gif", (4.9, 12.9), (40, 120),
             ("peinte à la main", "en hêtre massif"), ("orange", "multicolore"), ("6 cm", "8 cm"),
             ("Bois de hêtre issu de forêts gérées durablement", "Peinture à l'eau", "Dès 3 ans")),
    ), ("jouets-ourson.png", "jouets-toupie.gif"), "TOYS_AND_GAMES",
        ("322086011", "Jeux et Jouets › Jouets d'éveil")),
    Category("Sport", "SPO", 35, (_B("Energym", "Energym SAS", "376", "0061"),
                                  _B("Tonic Outdoor", "Tonic Outdoor SL", "843", "6789")),
             (SUPPLIERS[0],), (
        Item("Haltères en fonte", "sport-halteres.png", (19.9, 69.9), (2000, 10000),
             ("revêtement néoprène", "à disques réglables"), ("noir", "gris"), ("2 x 2 kg", "2 x 5 kg"),
             ("Revêtement antidérapant", "Fonte pleine", "Paire livrée avec un support",
              "Poids gravé sur chaque disque")),
        Item("T-shirt de running", "sport-tshirt.png", (14.9, 34.9), (120, 200),
             ("respirant", "à séchage rapide"), ("bleu roi", "noir", "jaune fluo"), ("taille S", "taille M", "taille L"),
             ("Tissu respirant à séchage rapide", "Coutures plates anti-frottements", "Bandes réfléchissantes",
              "Lavable en machine à 30 °C")),
        Item("Tapis de yoga", "maison-coussin.png", (19.9, 49.9), (900, 1800),
             ("antidérapant", "en caoutchouc naturel"), ("violet", "vert sauge"), ("183 x 61 cm",),
             ("Surface antidérapante des deux côtés", "Épaisseur 6 mm", "Sangle de transport fournie",
              "Sans PVC")),
    ), ("sport-tshirt.png", "sport-halteres.png"), "SPORTING_GOODS",
        ("325614031", "Sports et Loisirs › Fitness et musculation")),
    Category("High-Tech", "HTE", 40, (_B("Voltix", "Voltix Electronics", "376", "0071"),
                                      _B("Sonora", "Sonora Audio GmbH", "402", "3456")),
             (SUPPLIERS[3],), (
        Item("Casque audio Bluetooth", "hightech-casque.png", (29.9, 149.0), (180, 320),
             ("à réduction de bruit", "pliable"), ("noir", "blanc", "bleu nuit"), ("circum-aural", "supra-aural"),
             ("Réduction de bruit active", "Autonomie de 30 heures", "Bluetooth 5.3 multipoint",
              "Câble jack fourni", "Coussinets à mémoire de forme")),
        Item("Coque de protection", "hightech-telephone.png", (7.9, 24.9), (30, 80),
             ("antichoc", "transparente"), ("noir", "transparent"), ("6,1 pouces", "6,7 pouces"),
             ("Coins renforcés antichoc", "Compatible recharge sans fil", "Bords surélevés pour l'écran",
              "Matériau souple TPU")),
        Item("Chargeur secteur USB-C", "sante-boite.png", (14.9, 44.9), (60, 180),
             ("65 W", "compact GaN"), ("blanc", "noir"), ("1 port", "3 ports"),
             ("Charge rapide Power Delivery", "Technologie GaN compacte", "Protection contre la surchauffe",
              "Compatible ordinateurs portables")),
    ), ("hightech-telephone.png", "hightech-casque.png"), "HEADPHONES",
        ("13910691", "High-Tech › Casques et écouteurs")),
    Category("Beauté", "BEA", 30, (_B("Belle Provence", "Laboratoires Belle Provence", "376", "0081"),
                                   _B("Vitalia", "Vitalia Cosmetics", "840", "5678")),
             (SUPPLIERS[1], SUPPLIERS[2]), (
        Item("Crème hydratante visage", "beaute-pot.jpg", (9.9, 39.9), (80, 200),
             ("à l'aloe vera", "peaux sensibles"), ("sans parfum", "fleur d'oranger"), ("50 ml",),
             ("Hydrate 24 heures", "Formule vegan", "Testée sous contrôle dermatologique",
              "Fabriquée en Provence")),
        Item("Huile sèche corps", "beaute-flacon.png", (12.9, 29.9), (150, 250),
             ("aux huiles végétales", "pailletée"), ("monoï", "amande douce"), ("100 ml", "150 ml"),
             ("Pénètre sans laisser de film gras", "Flacon en verre recyclé", "Parfum délicat",
              "Pour le corps et les cheveux")),
    ), ("beaute-flacon.png", "beaute-pot.jpg"), "BEAUTY",
        ("197858031", "Beauté et Parfum › Soins du corps")),
    Category("Bijoux", "BIJ", 12, (_B("Maison Orélie", "Orélie Joaillerie", "376", "0091"),
                                   _B("Éclat de Lune", "Éclat de Lune SARL", "376", "0092")),
             (SUPPLIERS[5],), (
        Item("Bague en argent 925", "bijoux-bague.png", (29.0, 129.0), (5, 15),
             ("sertie d'un zircon", "martelée"), ("argent", "doré à l'or fin"), ("taille 52", "taille 56"),
             ("Argent massif 925 millièmes", "Livrée dans un écrin", "Hypoallergénique",
              "Fabriquée à la main en France")),
        Item("Collier pendentif", "bijoux-collier.png", (24.0, 99.0), (5, 20),
             ("médaille gravée", "perle de culture"), ("argent", "doré"), ("42 cm", "45 cm"),
             ("Chaîne forçat réglable", "Fermoir mousqueton", "Livré dans un écrin")),
    ), ("bijoux-collier.png",), "NECKLACE", ("193710031", "Bijoux › Colliers"), restricted=True),
    Category("Montres", "MON", 8, (_B("Horloval", "Horloval SA", "376", "0101"),
                                   _B("Chronostar", "Chronostar AG", "403", "4567")),
             (SUPPLIERS[5], SUPPLIERS[3]), (
        Item("Montre automatique", "montres-montre.png", (89.0, 399.0), (60, 140),
             ("bracelet cuir", "cadran squelette"), ("marron", "noir"), ("40 mm", "42 mm"),
             ("Mouvement automatique, réserve de marche 40 heures", "Verre saphir", "Étanche 50 m",
              "Bracelet en cuir de veau")),
        Item("Montre connectée", "montres-montre-acier.jpg", (49.0, 199.0), (40, 80),
             ("GPS intégré", "écran AMOLED"), ("acier", "noir"), ("41 mm", "45 mm"),
             ("Suivi du sommeil et de la fréquence cardiaque", "GPS intégré", "Autonomie de sept jours",
              "Étanche 5 ATM")),
    ), ("montres-montre-acier.jpg",), "WATCH", ("60649031", "Montres › Montres homme"), restricted=True),
    Category("Santé", "SAN", 10, (_B("Pharmavie", "Laboratoires Pharmavie", "376", "0111"),
                                  _B("Naturéa", "Naturéa SAS", "376", "0112")),
             (SUPPLIERS[0],), (
        Item("Complément alimentaire magnésium", "sante-boite.png", (8.9, 24.9), (60, 150),
             ("marin", "avec vitamine B6"), ("gélules",), ("60 gélules", "120 gélules"),
             ("Contribue à réduire la fatigue", "Magnésium d'origine marine", "Fabriqué en France",
              "Cure de deux mois")),
        Item("Gel hydroalcoolique", "sante-tube.png", (2.9, 9.9), (60, 550),
             ("à l'aloe vera", "sans parfum"), ("incolore",), ("75 ml", "500 ml"),
             ("Conforme à la norme EN 14476", "Sèche en quelques secondes", "Ne colle pas")),
    ), ("sante-tube.png",), "HEALTH_PERSONAL_CARE", ("197858031", "Hygiène et Santé › Premiers secours"),
        restricted=True),
)
CATEGORY_BY_NAME = {c.name: c for c in CATEGORIES}

# Real EANs and a UPC used by Amazon's and GS1's documentation; the sandbox seed knows them too.
DOC_EANS = ("4006381333931", "887276302195", "5901234123457")

# --------------------------------------------------------------------------------------------------
# GS1 check digits and small text helpers.
# --------------------------------------------------------------------------------------------------


def gs1_check_digit(body: str) -> str:
    """The GS1 check digit of ``body`` (all digits but the last): weights 3, 1, 3 … from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gs1_valid(code: str) -> bool:
    """True when ``code`` is digits only and its last digit is the GS1 check digit of the others."""
    return code.isdigit() and len(code) >= 8 and gs1_check_digit(code[:-1]) == code[-1]


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def max_word_repeats(text: str) -> int:
    """How many times the most frequent word of ``text`` occurs (case-insensitive)."""
    counts: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        counts[w] = counts.get(w, 0) + 1
    return max(counts.values(), default=0)


# --------------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------------

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
    # Not written to the CSV: what the generator did, for the seed and the README figures.
    defect: str = ""
    special: str = ""
    noun: str = ""
    product_type: str = ""

    def row(self) -> list[str]:
        return [self.sku, self.title, self.description, self.price, self.stock_quantity,
                "|".join(self.images), self.brand, self.manufacturer, self.ean, self.weight,
                "|".join(self.bullet_points), self.category, self.supplier, self.gtin_exempt]


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
    specs = f"<p>Dimensions&nbsp;: {size}.<br>Poids&nbsp;: {weight}&nbsp;g.</p>"
    style = rng.random()
    if style < .15:       # plain text export, no HTML at all
        return f"{brand} – {item.noun} {feature}, coloris {colour}. Dimensions : {size}. Poids : {weight} g."
    html = intro + details + specs
    if style < .35:       # encoded accents, as some PIMs export them
        html = html.replace("é", "&eacute;").replace("è", "&egrave;").replace("à", "&agrave;")
    elif style < .45:     # line breaks inside the cell (quoted in the CSV)
        html = intro + "\n" + details + "\n" + specs
    return html


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
                defect="restricted_category" if cat.restricted else "", noun=item.noun,
                product_type=cat.product_type))
    return products


def _set_specials(products: list[Product]) -> None:
    """Products the sandbox seed and the demo rely on; they stay clean."""
    by_sku = {p.sku: p for p in products}
    # The EANs of Amazon's and GS1's documentation (the UPC is a 12-digit code, written as such).
    for sku, ean in zip(("BRI-0001", "MAI-0001", "CUI-0003"), DOC_EANS):
        by_sku[sku].ean, by_sku[sku].special = ean, "doc_ean"
    # A T-shirt in three sizes: on Amazon, three children of one variation parent.
    for sku, size in zip(("SPO-0002", "SPO-0005", "SPO-0008"), ("taille S", "taille M", "taille L")):
        p = by_sku[sku]
        p.title = f"Energym T-shirt de running respirant, bleu roi, {size}"
        p.brand, p.manufacturer, p.special = "Energym", "Energym SAS", "variation"
    # A brand Amazon gates (the sandbox answers 5461 without a brand approval).
    p = by_sku["HTE-0003"]
    p.title, p.brand, p.manufacturer = "Lenovo Chargeur secteur USB-C 65 W, noir, 1 port", "Lenovo", "Lenovo PC HK"
    p.special = "gated_brand"
    # Own-brand products sold without EAN under a GTIN exemption.
    for sku in ("MAI-0004", "MAI-0007", "CUI-0004", "JAR-0002"):
        p = by_sku[sku]
        p.title = OWN_BRAND.name + p.title[p.title.index(" " + p.noun):]
        p.brand, p.manufacturer, p.ean, p.gtin_exempt, p.special = (
            OWN_BRAND.name, OWN_BRAND.manufacturer, "", "oui", "gtin_exempt")


def _img(file: str) -> str:
    return SAMPLE_IMAGE_BASE + file


def _with_image_main(file: str):
    def apply(p: Product, rng: random.Random, others: list[Product]) -> None:
        p.images = [_img(file)] + p.images[1:]
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
    ("image_main_not_white", (_with_image_main("maison-lampe-fond-gris.png"),
                              _with_image_main("cuisine-mug-fond-gris.jpg"),
                              _with_image_main("jouets-ballon-fond-bleu.png"))),
    ("image_small", (_with_image_main("maison-vase-500.jpg"), _with_image_main("hightech-casque-800.png"),
                     _with_image_main("bijoux-bague-600.png"))),
    ("image_text_logo", (_with_image_main("beaute-flacon-logo.png"),)),
    ("image_format", (_with_image_main("hightech-telephone.webp"),)),
    ("brand_missing", (_set(brand=""),) * 2),
    ("manufacturer_missing", (_set(manufacturer=""),) * 2),
    ("category_missing", (_set(category=""),)),
)
DEFECT_CODES = ("restricted_category", *(code for code, _ in DEFECTS))


def build_products(rng: random.Random) -> list[Product]:
    """The sample products in file order, each tagged with the defect it carries (or none)."""
    products = _base_products(rng)
    _set_specials(products)
    pool = [p for p in products if not p.defect and not p.special]
    rng.shuffle(pool)
    for code, mutations in DEFECTS:
        for mutate in mutations:
            p = pool.pop()
            p.defect = code
            mutate(p, rng, pool)
    rng.shuffle(products)
    return products


# --------------------------------------------------------------------------------------------------
# The sandbox's Amazon catalogue
# --------------------------------------------------------------------------------------------------

EU_MARKETPLACES = ("A13V1IB3VIYZZH", "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS")
FR, DE = "A13V1IB3VIYZZH", "A1PA6795UKMFR9"
_ASIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _identifiers(ean: str) -> dict[str, str]:
    if len(ean) == 12:      # a UPC: Amazon lists it as UPC and as the EAN with a leading zero
        return {"EAN": "0" + ean, "UPC": ean}
    return {"EAN": ean}


def build_seed(rng: random.Random, products: list[Product]) -> list[dict]:
    """Amazon-side items for about a third of the clean products' EANs, plus the special cases."""
    used: set[str] = set()

    def asin() -> str:
        while True:
            value = "B0" + "".join(rng.choice(_ASIN_CHARS) for _ in range(8))
            if value not in used:
                used.add(value)
                return value

    def item(p: Product, **overrides) -> dict:
        cat = CATEGORY_BY_NAME[p.category]
        out = {"asin": asin(), "identifiers": _identifiers(p.ean), "item_name": p.title, "brand": p.brand,
               "manufacturer": p.manufacturer,
               "product_type": "SHIRT" if p.special == "variation" else cat.product_type,
               "classification": "BASE_PRODUCT", "marketplaces": list(EU_MARKETPLACES),
               "browse_node": {"id": cat.browse_node[0], "name": cat.browse_node[1]},
               "image": f"https://m.media-amazon.com/images/I/{rng.randrange(10**9):09d}L.jpg"}
        out.update(overrides)
        return out

    items: list[dict] = []
    by_sku = {p.sku: p for p in products}
    # One EAN, two ASINs (a duplicate listing on Amazon): Code2ASIN must show both.
    doc = by_sku["BRI-0001"]
    items.append(item(doc))
    items.append(item(doc, item_name=doc.title + " (lot de 2)"))
    # The UPC, known under its EAN-13 form too.
    items.append(item(by_sku["MAI-0001"]))
    # GS1's example EAN: Amazon knows it under another brand (8541 conflict).
    gs1 = by_sku["CUI-0003"]
    items.append(item(gs1, brand="Kuchnia Polska", manufacturer="Kuchnia Polska Sp. z o.o."))
    # Parent/child variation: the parent carries no identifier.
    children = [by_sku[s] for s in ("SPO-0002", "SPO-0005", "SPO-0008")]
    parent = item(children[0], identifiers={}, item_name="Energym T-shirt de running respirant, bleu roi",
                  classification="VARIATION_PARENT")
    items.append(parent)
    for child in children:
        items.append(item(child, classification="VARIATION_CHILD", parent_asin=parent["asin"]))
    items.append(item(by_sku["HTE-0003"]))
    # About a third of the other clean products' EANs, a few with a conflicting brand or title.
    clean = sorted((p for p in products if p.defect in ("", "restricted_category") and not p.special),
                   key=lambda p: p.sku)
    picked = rng.sample(clean, round(len(clean) * .42))
    for n, p in enumerate(sorted(picked, key=lambda p: p.sku)):
        if n % 25 == 3:
            seeded = item(p, brand=p.brand + " Europe")                                # brand conflict
        elif n % 25 == 11:
            seeded = item(p, item_name=p.title.replace(p.noun, p.noun + " professionnel"))  # title conflict
        elif n % 25 == 17:
            seeded = item(p, marketplaces=[DE])                                       # not sold on Amazon.fr
        else:
            seeded = item(p, marketplaces=list(EU_MARKETPLACES) if rng.random() < .7 else [FR])
        items.append(seeded)
    return items


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def catalogue_csv(products: list[Product]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(p.row() for p in products)
    return buf.getvalue().encode("utf-8")


def manifest_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(("file", "format", "width", "height", "background", "background_rgb", "text_overlay"))
    for spec in IMAGES:
        rgb = BACKGROUNDS.get(spec.background)
        writer.writerow((spec.file, spec.format, spec.size[0], spec.size[1], spec.background,
                         ",".join(map(str, rgb)) if rgb else "", "yes" if spec.text else "no"))
    return buf.getvalue().encode("utf-8")


def generate(out: Path) -> dict[str, int]:
    """Write every sample file under ``out``; returns a few figures (products, clean, seed items …)."""
    rng = random.Random(SEED)
    products = build_products(rng)
    seed = build_seed(rng, products)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "sandbox").mkdir(parents=True, exist_ok=True)
    for spec in IMAGES:
        (out / "images" / spec.file).write_bytes(render_image(spec))
    (out / "images" / "manifest.csv").write_bytes(manifest_csv())
    (out / CSV_NAME).write_bytes(catalogue_csv(products))
    (out / SEED_NAME).write_text(json.dumps(seed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"products": len(products), "clean": sum(1 for p in products if not p.defect),
            "seed_items": len(seed), "images": len(IMAGES)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/)")
    args = parser.parse_args(argv)
    figures = generate(args.out)
    print(", ".join(f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
