"""A full run with distinctive credentials leaves no secret in logs (sp_api at DEBUG included), test
output, page output, session state, the database or files — only in the private credentials file."""
import logging

import pytest

from core import integrations as integ
from core.db import connect, quote_ident
from core.reports import to_csv_bytes
from core.sandbox import server
from core.sandbox.accounts import Account
from core.sandbox.lwa import access_token_for
from core.spapi import catalog, credentials as cs, feeds, listings
from core.spapi.connection_test import run_connection_test
from tests.apptest import run_screen

CLIENT_ID = "amzn1.application-oa2-client.hyg1ENE7QxK"
CLIENT_SECRET = "hyg-Secret-Z9Y8X7W6V5"
REFRESH_TOKEN = "Atzr|hygiene-R3fr3sh-T0k3n-42"
SELLER_ID = "A3HYGIENESELLR"
ACCOUNT = Account(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID)
ACCESS_TOKEN = access_token_for(ACCOUNT)
FORBIDDEN = (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, "hygiene-R3fr3sh-T0k3n-42", ACCESS_TOKEN,
             ACCESS_TOKEN[5:45], "Atza|")


@pytest.fixture
def sandbox(tmp_path):
    srv = server.start(port=0, state_dir=tmp_path / "sandbox-state", accounts=[ACCOUNT])
    yield srv
    srv.stop()


def tree_text(node) -> str:
    parts = [str(getattr(node, "proto", "") or "")]
    for child in getattr(node, "children", {}).values():
        parts.append(tree_text(child))
    return "\n".join(parts)


def database_text(path) -> str:
    con = connect(path)   # same configuration as the page's open connection
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
        return "\n".join(str(con.execute(f"SELECT * FROM {quote_ident(t)}").fetchall()) for t in tables)
    finally:
        con.close()


def test_no_secret_leaks_anywhere(db_file, sandbox, tmp_path, monkeypatch, caplog, capfd):
    monkeypatch.setenv("EXPORT_AMAZON_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "none.toml"))
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api", "sp_api.base.client", "sp_api.auth.access_token_client", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)   # the worst case: someone turned sp_api to DEBUG

    # 1. The user types the credentials in Paramètres > Intégrations and tests the connection.
    at = run_screen("settings", "fr")
    at.text_input(key="settings_client_id").input(CLIENT_ID)
    at.text_input(key="settings_client_secret").input(CLIENT_SECRET)
    at.text_input(key="settings_refresh_token").input(REFRESH_TOKEN)
    at.text_input(key="settings_seller_id").input(SELLER_ID)
    at.button(key="settings_save").click().run()
    at.button(key="settings_test_connection").click().run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 4
    page_text = tree_text(at._tree) + str(at.session_state.to_dict())

    # 2. A full run of calls with these credentials, sp_api logging at DEBUG, including errors.
    con = connect(db_file)
    try:
        settings = integ.load_settings(con)
    finally:
        con.close()
    cfg = integ.spapi_config(settings, local_url=sandbox.url)
    assert cfg.credentials.client_secret == CLIENT_SECRET and cfg.seller_id == SELLER_ID
    outcomes = run_connection_test(cfg)
    assert [o.status for o in outcomes] == ["passed"] * 4        # the custom account really worked
    put = listings.put_item(cfg, "HYG-1", {"productType": "PRODUCT", "requirements": "LISTING", "attributes": {}})
    assert put.ok
    assert catalog.search_by_identifiers(cfg, ["4006381333931"]).ok
    assert feeds.submit_json(cfg, {"header": {"sellerId": SELLER_ID, "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": "HYG-1", "operationType": "DELETE"}]}).ok
    # Building a client puts sp_api back to INFO; someone turning DEBUG on afterwards meets the filter.
    caplog.set_level(logging.DEBUG, logger="sp_api.base.client")
    assert listings.get_item(cfg, "NO-SUCH").kind == "not_found"
    assert listings.search_items(cfg, ["HYG-1"]).ok
    assert "x-amz-access-token" in caplog.text        # sp_api did print its request headers
    wrong = run_connection_test(integ.spapi_config(settings, sandbox.url, cs.Credentials(
        CLIENT_ID, CLIENT_SECRET + "x", REFRESH_TOKEN)))
    assert wrong[1].status == "failed"
    report = to_csv_bytes(__import__("pandas").DataFrame(
        [{"check": o.check, "status": o.status, "reason": o.reason, **o.params} for o in outcomes + wrong]))
    (tmp_path / "runtime" / "connection-report.csv").write_bytes(report)
    logging.getLogger("tests.hygiene").error("final state %r %s", cfg, cfg.credentials)

    # 3. Look everywhere.
    out, err = capfd.readouterr()
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    files = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*")
                      if p.is_file() and p.name != "credentials.json" and p.suffix not in (".duckdb", ".wal"))
    haystacks = {"logs": logs, "stdout": out, "stderr": err, "page": page_text,
                 "database": database_text(db_file), "files": files, "outcomes": repr(outcomes + wrong)}
    assert "sp_api" in logs or "HTTP Request" in logs or "final state" in logs   # logs were captured
    for where, text in haystacks.items():
        for secret in FORBIDDEN:
            assert secret not in text, f"{secret[:12]}… found in {where}"
    # The secrets are only in the private credentials file (mode 0600), outside git.
    stored = cs.credentials_path().read_text()
    assert CLIENT_SECRET in stored and REFRESH_TOKEN in stored
