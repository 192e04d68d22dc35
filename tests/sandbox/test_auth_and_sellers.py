"""LWA token exchange and the Sellers API, with every scenario account, through sp_api and on the wire."""
from __future__ import annotations

import http.client

import pytest
from sp_api.api import ListingsItems, Sellers
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import SellingApiForbiddenException

from core.sandbox.accounts import DEMO_SELLER_ID, Account
from tests.sandbox.conftest import DE, FR, SELLER, US, Raw, lwa_form
from tests.sandbox.models import response_errors
from tests.sandbox.spapi_client import client


def lwa(server, form: str):
    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    con.request("POST", "/auth/o2/token", body=form,
                headers={"content-type": "application/x-www-form-urlencoded;charset=UTF-8"})
    resp = con.getresponse()
    import json
    return resp.status, json.loads(resp.read())


def test_token_exchange_answers_amazons_four_fields(sandbox):
    status, body = lwa(sandbox, lwa_form())
    assert status == 200 and set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["access_token"].startswith("Atza|") and len(body["access_token"]) >= 350
    assert "sandbox-demo" not in body["access_token"]          # never derived visibly from the refresh token
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)


@pytest.mark.parametrize("form, status, error, description", [
    (lwa_form(client_secret="wrong"), 401, "invalid_client", "Client authentication failed"),
    (lwa_form(client_id="amzn1.application-oa2-client.other"), 401, "invalid_client", "Client authentication failed"),
    (lwa_form(refresh_token="Atzr|sandbox-revoked"), 400, "invalid_grant",
     "The request has an invalid grant parameter : refresh_token"),
    (lwa_form(refresh_token="Atzr|unknown"), 400, "invalid_grant",
     "The request has an invalid grant parameter : refresh_token"),
])
def test_lwa_errors_have_amazons_status_and_body(sandbox, form, status, error, description):
    assert lwa(sandbox, form) == (status, {"error_description": description, "error": error})


def test_sp_api_raises_authorization_error_for_bad_credentials(sandbox):
    with pytest.raises(AuthorizationError) as err:
        client(Sellers, sandbox, client_secret="wrong").get_marketplace_participation()
    assert (err.value.error_code, err.value.message, err.value.status_code) == \
        ("invalid_client", "Client authentication failed", 401)
    with pytest.raises(AuthorizationError) as err:
        client(Sellers, sandbox, refresh_token="Atzr|sandbox-revoked").get_marketplace_participation()
    assert (err.value.error_code, err.value.status_code) == ("invalid_grant", 400)


def test_unknown_access_token_is_403_revoked_malformed_or_invalid(sandbox):
    status, headers, body = Raw(sandbox, token="Atza|forged").call("GET", "/sellers/v1/marketplaceParticipations")
    assert status == 403 and "x-amzn-requestid" in headers
    assert body == {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.",
                                "details": "The access token you provided is revoked, malformed or invalid."}]}


def test_app_without_role_gets_403_with_empty_details_on_sellers_and_listings(sandbox):
    for call in (lambda: client(Sellers, sandbox, refresh_token="Atzr|sandbox-norole").get_marketplace_participation(),
                 lambda: client(ListingsItems, sandbox, refresh_token="Atzr|sandbox-norole").get_listings_item(
                     sellerId="A2SANDBOXNOROL", sku="X", marketplaceIds=FR)):
        with pytest.raises(SellingApiForbiddenException) as err:
            call()
        assert err.value.amzn_code == "Unauthorized" and err.value.error[0]["details"] == ""


def participation(payload, marketplace_id):
    return next((p for p in payload if p["marketplace"]["id"] == marketplace_id), None)


def test_demo_seller_participates_in_every_eu_marketplace_and_us(sandbox):
    response = client(Sellers, sandbox).get_marketplace_participation()
    assert response_errors("sellers.json", "GET", "/sellers/v1/marketplaceParticipations", 200,
                           {"payload": response.payload}) == []
    ids = {p["marketplace"]["id"] for p in response.payload}
    assert {FR, DE, US, "A1F83G8C2ARO7P", "AMEN7PMS3EDWL"} <= ids and len(ids) == 11
    assert participation(response.payload, "A1F83G8C2ARO7P")["marketplace"]["countryCode"] == "GB"
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"


def test_scenario_accounts(sandbox):
    nofr = client(Sellers, sandbox, refresh_token="Atzr|sandbox-nofr").get_marketplace_participation().payload
    assert participation(nofr, FR) is None and participation(nofr, DE)["participation"]["isParticipating"]
    suspended = client(Sellers, sandbox, refresh_token="Atzr|sandbox-suspended").get_marketplace_participation().payload
    assert participation(suspended, FR)["participation"] == {"isParticipating": True, "hasSuspendedListings": True}
    account = client(Sellers, sandbox, refresh_token="Atzr|sandbox-individual").get_account().payload
    assert account["sellingPlan"] == "INDIVIDUAL"
    assert response_errors("sellers.json", "GET", "/sellers/v1/account", 200, {"payload": account}) == []
    assert client(Sellers, sandbox).get_account().payload["sellingPlan"] == "PROFESSIONAL"


def test_extra_accounts_given_at_start_work_beside_the_builtin_ones(state_dir):
    from core.sandbox.server import start
    extra = Account("amzn1.application-oa2-client.custom", "custom-secret-XYZ", "Atzr|custom-token", "A3CUSTOMSELLER",
                    marketplace_ids=(DE,))
    server = start(0, state_dir, accounts=[extra], rate_limits=False)
    try:
        payload = client(Sellers, server, refresh_token="Atzr|custom-token", client_id=extra.client_id,
                         client_secret=extra.client_secret).get_marketplace_participation().payload
        assert [p["marketplace"]["id"] for p in payload] == [DE]
        assert client(Sellers, server).get_marketplace_participation().payload   # demo still works
    finally:
        server.stop()


def test_listing_calls_for_another_seller_are_forbidden(sandbox):
    with pytest.raises(SellingApiForbiddenException):
        client(ListingsItems, sandbox).get_listings_item(sellerId="A9OTHERSELLER", sku="X", marketplaceIds=FR)
    assert SELLER == DEMO_SELLER_ID
