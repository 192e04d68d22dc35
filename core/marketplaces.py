"""Amazon marketplaces the dashboard can target, as data.

IDs, languages and currencies from ../shared/amazon/spapi-reference.md §l (Amazon's marketplace-ids and
sp-api-endpoints pages). ``region`` selects the SP-API endpoint.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    code: str            # short code used in the UI, profiles and the CLI
    marketplace_id: str
    name: str            # as Amazon names it (guide: Amazon.fr, Amazon.de, Amazon.co.uk …)
    country_code: str    # as the Sellers API reports it (GB for the UK)
    language_tag: str    # language_tag of text attributes, and Seller Central template language
    currency: str
    region: str          # eu | na | fe


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("FR", "A13V1IB3VIYZZH", "Amazon.fr", "FR", "fr_FR", "EUR", "eu"),
    Marketplace("DE", "A1PA6795UKMFR9", "Amazon.de", "DE", "de_DE", "EUR", "eu"),
    Marketplace("UK", "A1F83G8C2ARO7P", "Amazon.co.uk", "GB", "en_GB", "GBP", "eu"),
    Marketplace("IT", "APJ6JRA9NG5V4", "Amazon.it", "IT", "it_IT", "EUR", "eu"),
    Marketplace("ES", "A1RKKUPIHCS9HS", "Amazon.es", "ES", "es_ES", "EUR", "eu"),
    Marketplace("NL", "A1805IZSGTT6HS", "Amazon.nl", "NL", "nl_NL", "EUR", "eu"),
    Marketplace("BE", "AMEN7PMS3EDWL", "Amazon.com.be", "BE", "fr_BE", "EUR", "eu"),
    Marketplace("PL", "A1C3SOZRARQ6R3", "Amazon.pl", "PL", "pl_PL", "PLN", "eu"),
    Marketplace("SE", "A2NODRKZP88ZB9", "Amazon.se", "SE", "sv_SE", "SEK", "eu"),
    Marketplace("IE", "A28R8C7NBKEWEA", "Amazon.ie", "IE", "en_IE", "EUR", "eu"),
    Marketplace("US", "ATVPDKIKX0DER", "Amazon.com", "US", "en_US", "USD", "na"),
)

DEFAULT_MARKETPLACE = "FR"


def marketplace(code: str) -> Marketplace:
    """The marketplace whose code (FR, DE, UK …) or marketplace id is ``code``."""
    for m in MARKETPLACES:
        if code in (m.code, m.marketplace_id):
            return m
    raise KeyError(code)
