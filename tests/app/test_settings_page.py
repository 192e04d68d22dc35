"""Paramètres > Intégrations under AppTest: demo defaults, saving, Individual warning, Tester la connexion."""
import json

import pytest

from core import integrations as integ
from core.db import connect
from core.i18n import message
from core.sandbox import accounts
from core.spapi import credentials as cs
from tests.apptest import run_screen


@pytest.fixture
def page_env(db_file, sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_AMAZON_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "no-secrets.toml"))
    return db_file


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def table_rows(at):
    df = at.dataframe[0].value
    return [list(map(str, row)) for row in df.itertuples(index=False)]


def test_demo_mode_defaults_and_masked_inputs(page_env):
    at = run_screen("settings", "fr")
    assert not at.exception
    assert message("settings.integrations", "fr") in texts(at, "header")
    assert message("settings.amazon_name", "fr") in texts(at, "subheader")
    assert at.selectbox(key="settings_environment").value == "local_sandbox"
    assert at.selectbox(key="settings_marketplace").value == "FR"
    assert at.radio(key="settings_account_type").value == "professional"
    assert at.radio(key="settings_export_mode").value == "create"
    assert at.selectbox(key="settings_condition").value == "new"
    # Every marketplace of the issue is offered, with its currency and language.
    options = at.selectbox(key="settings_marketplace").options
    for code in ("FR", "DE", "UK", "IT", "ES", "NL", "BE", "PL", "SE", "IE", "US"):
        assert any(f"({code} ·" in o for o in options), code
    assert "Amazon.co.uk (UK · GBP · en_GB)" in options
    secret = at.text_input(key="settings_client_secret")
    assert secret.value == "" and secret.placeholder == "••••" + accounts.DEMO_CLIENT_SECRET[-4:]
    assert message("settings.source_demo", "fr") in texts(at, "caption")


def test_tester_la_connexion_passes_in_demo_mode(page_env):
    at = run_screen("settings", "fr")
    at.button(key="settings_test_connection").click().run()
    assert not at.exception
    rows = table_rows(at)
    assert len(rows) == 4
    assert [r[0] for r in rows] == [message("spapi.check.names." + c, "fr")
                                    for c in ("api_reachable", "credentials", "permissions", "marketplace")]
    assert all(message("spapi.status.passed", "fr") in r[1] for r in rows)
    assert message("settings.test_all_passed", "fr") in texts(at, "success")


def test_revoked_token_typed_in_the_page_fails_with_its_reason(page_env):
    at = run_screen("settings", "en")
    at.text_input(key="settings_refresh_token").input("Atzr|sandbox-revoked")
    at.button(key="settings_save").click().run()
    assert not at.exception
    assert at.text_input(key="settings_refresh_token").value == ""      # the typed secret left the form
    assert at.session_state["settings_refresh_token"] == ""                  # … and the session
    stored = json.loads(cs.credentials_path().read_text())
    assert stored["refresh_token"] == "Atzr|sandbox-revoked"
    assert stored["client_secret"] == accounts.DEMO_CLIENT_SECRET   # empty inputs kept the values in force
    at.button(key="settings_test_connection").click().run()
    rows = table_rows(at)
    assert message("spapi.status.failed", "en") in rows[1][1]
    assert rows[1][2] == message("spapi.check.invalid_grant", "en")
    assert message("spapi.status.skipped", "en") in rows[2][1]
    assert message("settings.test_some_failed", "en") in texts(at, "error")


def test_individual_account_shows_the_guide_warning_and_disables_api_mode(page_env):
    at = run_screen("settings", "fr")
    at.radio(key="settings_account_type").set_value("individual")
    at.selectbox(key="settings_marketplace").set_value("DE")
    at.selectbox(key="settings_condition").set_value("refurbished")
    at.button(key="settings_save").click().run()
    assert not at.exception
    warnings = texts(at, "warning")
    assert any("nécessite un compte Seller Professional" in w for w in warnings)
    assert message("settings.api_mode_disabled", "fr") in texts(at, "info")
    con = connect(page_env)
    try:
        saved = integ.load_settings(con)
    finally:
        con.close()
    assert (saved.account_type, saved.marketplace, saved.condition) == ("individual", "DE", "refurbished")
    assert not integ.api_mode_allowed(saved)


def test_invalid_seller_id_is_refused_with_a_message(page_env):
    at = run_screen("settings", "en")
    at.text_input(key="settings_seller_id").input("A1 bad id!")
    at.button(key="settings_save").click().run()
    assert not at.exception
    assert any("Seller ID" in e for e in texts(at, "error"))
    con = connect(page_env)
    try:
        assert not integ.load_settings(con).saved
    finally:
        con.close()


def test_demo_mode_starts_the_local_sandbox_itself_even_if_its_port_is_taken(db_file, tmp_path, monkeypatch):
    import socket
    monkeypatch.delenv("EXPORT_AMAZON_SANDBOX_URL", raising=False)
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "no-secrets.toml"))
    with socket.socket() as busy:                     # something else already listens on the port
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("EXPORT_AMAZON_SANDBOX_PORT", str(port))
        at = run_screen("settings", "fr")
        assert not at.exception
        started = [c for c in texts(at, "caption") if c.startswith("Bac à sable local : http://127.0.0.1:")]
        assert started and not started[0].endswith(f":{port}")
        at.button(key="settings_test_connection").click().run()
        assert message("settings.test_all_passed", "fr") in texts(at, "success")
    assert (tmp_path / "runtime" / "sandbox").is_dir()   # its state lives in the runtime dir


def test_saved_credentials_show_only_their_last_characters_and_can_be_forgotten(page_env):
    at = run_screen("settings", "fr")
    at.text_input(key="settings_client_secret").input("my-own-secret-WXYZ")
    at.button(key="settings_save").click().run()
    assert not at.exception
    secret = at.text_input(key="settings_client_secret")
    assert secret.value == "" and secret.placeholder == "••••WXYZ"
    assert message("settings.source_file", "fr") in texts(at, "caption")
    assert "my-own-secret" not in str(at.session_state.to_dict())
    at.button(key="settings_forget").click().run()
    assert not at.exception
    assert not cs.credentials_path().exists()
    assert message("settings.source_demo", "fr") in texts(at, "caption")
