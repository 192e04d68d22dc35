"""Listing bodies for tests: a complete, valid PRODUCT listing for FR (reference §d example 1) and variations."""
from __future__ import annotations

FR = "A13V1IB3VIYZZH"


def text(value: str, mp: str = FR, lang: str = "fr_FR") -> list[dict]:
    return [{"value": value, "language_tag": lang, "marketplace_id": mp}]


def plain(value, mp: str = FR) -> list[dict]:
    return [{"value": value, "marketplace_id": mp}]


def attributes(mp: str = FR, *, ean: str | None = "4006381333931", brand: str = "Marque X",
               title: str = "Marque X Lampe de bureau LED, 40 cm, noire", price: float = 29.9, quantity: int = 25,
               image: str = "https://cdn.example.com/lamp-main.jpg", drop: tuple[str, ...] = (), **extra) -> dict:
    """A listing that passes every sandbox rule unless told otherwise."""
    attrs = {
        "item_name": text(title, mp), "brand": text(brand, mp), "manufacturer": text(brand + " SAS", mp),
        "product_description": text("Lampe LED orientable.", mp),
        "bullet_point": text("Éclairage LED 8 W", mp) + text("Bras articulé en aluminium", mp),
        "item_type_keyword": plain("desk-lamps", mp), "color": text("Noir", mp), "country_of_origin": plain("CN", mp),
        "supplier_declared_dg_hz_regulation": plain("not_applicable", mp),
        "item_weight": [{"value": 1.2, "unit": "kilograms", "marketplace_id": mp}],
        "condition_type": plain("new_new", mp),
        "purchasable_offer": [{"marketplace_id": mp, "currency": "EUR", "audience": "ALL",
                               "our_price": [{"schedule": [{"value_with_tax": price}]}]}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
        "main_product_image_locator": [{"media_location": image, "marketplace_id": mp}],
    }
    if ean is not None:
        attrs["externally_assigned_product_identifier"] = [{"type": "ean", "value": ean, "marketplace_id": mp}]
    else:
        attrs["supplier_declared_has_product_identifier_exemption"] = plain(True, mp)
    for name in drop:
        attrs.pop(name, None)
    attrs.update(extra)
    return attrs


def body(product_type: str = "PRODUCT", requirements: str = "LISTING", **kwargs) -> dict:
    return {"productType": product_type, "requirements": requirements, "attributes": attributes(**kwargs)}
