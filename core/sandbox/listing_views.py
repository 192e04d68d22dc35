"""How a stored listing reads back: the ``Item`` of getListingsItem / searchListingsItems / feed reports.

Status follows the sandbox rule: BUYABLE with a price, a quantity above 0 and no pricing error, else
DISCOVERABLE. Offers and availability are read from the stored attributes.
"""
from __future__ import annotations

from core.marketplaces import MARKETPLACES
from core.sandbox.listing_rules import price, value

def status(row: dict) -> list[str]:
    """The listing's status list for its marketplace."""
    attrs, mp = row["attributes"], row["marketplace_id"]
    amount = price(attrs, mp)
    quantity = value(attrs, "fulfillment_availability", mp, "quantity")
    pricing_error = any(i["code"] == "POTENTIAL_PRICING_ERROR" for i in row["issues"])
    if amount and amount > 0 and not pricing_error and isinstance(quantity, (int, float)) and quantity > 0:
        return ["BUYABLE"]
    return ["DISCOVERABLE"]


def currency(attrs: dict, mp: str) -> str:
    """The offer's currency, else the marketplace's."""
    for offer in attrs.get("purchasable_offer") or []:
        if offer.get("marketplace_id", mp) == mp and offer.get("currency"):
            return offer["currency"]
    return next((m.currency for m in MARKETPLACES if m.marketplace_id == mp), "EUR")


def render_item(rows: list[dict], included: list[str]) -> dict:
    """The ``Item`` of getListingsItem / searchListingsItems for one SKU's rows (one per marketplace)."""
    item: dict = {"sku": rows[0]["sku"]}
    if "summaries" in included:
        item["summaries"] = []
        for row in rows:
            attrs, mp = row["attributes"], row["marketplace_id"]
            summary = {"marketplaceId": mp, "asin": row["asin"], "productType": row["product_type"],
                       "conditionType": value(attrs, "condition_type", mp), "status": status(row),
                       "itemName": value(attrs, "item_name", mp),
                       "createdDate": row["created"], "lastUpdatedDate": row["updated"]}
            item["summaries"].append({k: v for k, v in summary.items() if v is not None})
    if "attributes" in included:
        item["attributes"] = rows[0]["attributes"]
    if "issues" in included:
        item["issues"] = [dict(i, marketplaceIds=[r["marketplace_id"]]) for r in rows for i in r["issues"]]
    if "offers" in included:
        item["offers"] = [
            {"marketplaceId": r["marketplace_id"], "offerType": "B2C",
             "price": {"currencyCode": currency(r["attributes"], r["marketplace_id"]),
                       "amount": f"{price(r['attributes'], r['marketplace_id']):.2f}"},
             "audience": {"value": "ALL", "displayName": "Sell on Amazon"}}
            for r in rows if price(r["attributes"], r["marketplace_id"]) is not None]
    if "fulfillmentAvailability" in included:
        seen = []
        for r in rows:
            for entry in r["attributes"].get("fulfillment_availability") or []:
                fa = {"fulfillmentChannelCode": entry.get("fulfillment_channel_code", "DEFAULT")}
                if isinstance(entry.get("quantity"), int):
                    fa["quantity"] = entry["quantity"]
                if fa not in seen:
                    seen.append(fa)
        item["fulfillmentAvailability"] = seen
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": r["marketplace_id"], "relationships": []} for r in rows]
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": r["marketplace_id"], "productType": r["product_type"]} for r in rows]
    return item
