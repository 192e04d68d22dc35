from core.marketplaces import MARKETPLACES, marketplace


def test_marketplaces_are_complete_and_unique():
    codes = {m.code for m in MARKETPLACES}
    assert {"FR", "DE", "UK", "IT", "ES", "NL", "BE", "PL", "SE", "IE", "US"} <= codes
    assert len({m.marketplace_id for m in MARKETPLACES}) == len(MARKETPLACES)
    assert all(len(m.currency) == 3 and "_" in m.language_tag and m.region in {"eu", "na", "fe"} for m in MARKETPLACES)


def test_lookup_by_code_or_id():
    assert marketplace("FR").marketplace_id == "A13V1IB3VIYZZH"
    assert marketplace("A1F83G8C2ARO7P").country_code == "GB"
