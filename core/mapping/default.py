"""The guide's default mapping ("Mapping des champs"), as data: one row per Amazon Flat File column.

Row order is the column order of the written file. ``source`` is a column of ``products`` (empty for a
constant), ``transform`` a code of :data:`core.mapping.transforms.TRANSFORMS`. Beyond the guide's
table: ``feed_product_type`` (from the category → product type table), ``update_delete``,
``condition_type`` (the Paramètres condition: Neuf / Reconditionné / Occasion), the weight unit that gives
``item_weight`` its meaning, and the recommended browse node of the category.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MappingRow:
    field: str              # Amazon Flat File attribute (row 3 of the template)
    source: str = ""        # products column; "" = use ``constant``
    constant: str = ""
    transform: str = "none"
    param: str = ""
    locked: bool = False    # the row cannot be edited (the SKU is the key of rejects and Amazon's reports)

    def as_dict(self) -> dict:
        """The row as a plain dict (stored as JSON in profiles, shown in the editor)."""
        return asdict(self)


def _rows() -> tuple[MappingRow, ...]:
    rows = [
        MappingRow("feed_product_type", "category", transform="product_type", param="PRODUCT"),
        MappingRow("item_sku", "sku", locked=True),
        MappingRow("update_delete", constant="Update"),
        MappingRow("item_name", "title", transform="truncate", param="200"),
        MappingRow("product_description", "description", transform="html_to_text"),
        MappingRow("standard_price", "price", transform="price", param="2"),
        MappingRow("quantity", "stock_quantity", transform="integer"),
        MappingRow("main_image_url", "images", transform="list_item", param="1"),
    ]
    rows += [MappingRow(f"other_image_url{i}", "images", transform="list_item", param=str(i + 1))
             for i in range(1, 9)]
    rows += [
        MappingRow("brand_name", "brand"),
        MappingRow("manufacturer", "manufacturer"),
        MappingRow("external_product_id", "ean"),
        MappingRow("external_product_id_type", "ean", transform="ean_type"),
        MappingRow("item_weight", "weight", transform="unit_convert", param="kg"),
        MappingRow("item_weight_unit_of_measure", "weight", transform="unit_label", param="kg"),
    ]
    rows += [MappingRow(f"bullet_point{i}", "bullet_points", transform="list_item", param=str(i))
             for i in range(1, 6)]
    rows += [
        # No constant: the condition of Paramètres > Intégrations (Neuf by default), as the API export does.
        MappingRow("condition_type", transform="condition"),
        MappingRow("recommended_browse_nodes", "category", transform="browse_node"),
    ]
    return tuple(rows)


DEFAULT_MAPPING: tuple[MappingRow, ...] = _rows()
FIELDS: tuple[str, ...] = tuple(r.field for r in DEFAULT_MAPPING)


def default_row(field: str) -> MappingRow:
    """The default row of ``field``."""
    return next(r for r in DEFAULT_MAPPING if r.field == field)
