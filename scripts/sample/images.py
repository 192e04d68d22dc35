"""The sample's product images, as data (one :class:`ImageSpec` per shipped file), and how they are drawn.

Simple flat drawings compress to a few kB; PNGs keep their exact colours (palette only when lossless),
so a background claimed "RGB 255" is 255 on every border pixel.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFont

SAMPLE_IMAGE_BASE = "https://cdn.exemple-boutique.fr/images/"   # maps to data/images/ for offline checks

# Images: one entry per shipped file. background: white (RGB 255) | grey | colour | scene.

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
    ImageSpec("sport-tapis.png", "mat", (130, 90, 170)),
    ImageSpec("hightech-telephone.png", "phone", (30, 30, 36)),
    ImageSpec("hightech-casque.png", "headphones", (60, 60, 70), (1200, 1200)),
    ImageSpec("hightech-chargeur.png", "charger", (235, 235, 238)),
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
    ImageSpec("sport-halteres-600.png", "dumbbell", (70, 70, 80), (600, 600)),
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
    "charger": [("rrect", (.30, .30, .70, .78), "main"), ("rect", (.30, .30, .70, .78), "dark"),
                ("rrect", (.33, .33, .67, .75), "main"), ("rect", (.40, .16, .46, .30), "dark"),
                ("rect", (.54, .16, .60, .30), "dark"), ("rect", (.46, .60, .54, .64), "dark")],
    "mat": [("rect", (.14, .40, .70, .72), "main"), ("ellipse", (.60, .40, .86, .72), "dark"),
            ("ellipse", (.66, .48, .80, .64), "light")],
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
