"""Integration settings in DuckDB and credentials outside git: defaults, validation, masking, file mode."""
import json
import os
import stat

import pytest

from core import integrations as integ
from core.db import ROOT
from core.sandbox import accounts
from core.spapi import credentials as cs
from core.spapi import redact


@pytest.fixture(autouse=True)
def no_secrets_toml(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "absent-secrets.toml"))


def test_fresh_install_is_demo_mode(con):
    s = integ.load_settings(con)
    assert (s.environment, s.marketplace, s.account_type, s.export_mode, s.condition) == (
        "local_sandbox", "FR", "professional", "create", "new")
    assert not s.saved
    creds = cs.load_credentials()
    assert creds.source == cs.SOURCE_DEMO and creds.refresh_token == accounts.DEMO_REFRESH_TOKEN
    assert integ.effective_seller_id(s) == accounts.DEMO_SELLER_ID
    cfg = integ.spapi_config(s, local_url="http://127.0.0.1:9")
    assert cfg.endpoint == "http://127.0.0.1:9" and cfg.lwa_url == "http://127.0.0.1:9/auth/o2/token"


def test_settings_round_trip_and_replace(con):
    saved = integ.save_settings(con, integ.IntegrationSettings("production", "DE", "individual", "match",
                                                               "used", " A1SELLER42 "))
    assert saved.seller_id == "A1SELLER42" and saved.saved
    assert integ.load_settings(con) == saved
    integ.save_settings(con, integ.IntegrationSettings(marketplace="UK"))
    assert con.execute("SELECT count(*) FROM integration_settings").fetchone()[0] == 1
    assert integ.load_settings(con).marketplace == "UK"


@pytest.mark.parametrize("field,value", [("environment", "staging"), ("marketplace", "XX"),
                                         ("account_type", "pro"), ("export_mode", "both"),
                                         ("condition", "mint"), ("seller_id", "A1'; DROP TABLE x")])
def test_invalid_values_are_refused_and_nothing_stored(con, field, value):
    with pytest.raises(integ.InvalidSetting) as info:
        integ.save_settings(con, integ.IntegrationSettings(**{field: value}))
    assert info.value.field == field
    assert con.execute("SELECT count(*) FROM integration_settings").fetchone()[0] == 0


def test_helpers_for_other_screens():
    assert integ.api_mode_allowed(integ.IntegrationSettings(account_type="professional"))
    assert not integ.api_mode_allowed(integ.IntegrationSettings(account_type="individual"))
    assert [integ.condition_type(integ.IntegrationSettings(condition=c)) for c in ("new", "refurbished", "used")] \
        == ["new_new", "refurbished_refurbished", "used_good"]
    assert integ.listing_requirements(integ.IntegrationSettings(export_mode="match")) == "LISTING_OFFER_ONLY"
    assert integ.effective_seller_id(integ.IntegrationSettings(environment="production")) == ""


def test_credentials_file_is_private_and_empty_keeps_stored(db_file):
    saved = cs.save_credentials("amzn1.application-oa2-client.abcdef123456", "secret-XYZ-987654",
                                "Atzr|refresh-token-ABCDEF")
    path = cs.credentials_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert saved.source == cs.SOURCE_FILE
    again = cs.save_credentials("", "new-secret-000111", "")
    assert again.client_id == "amzn1.application-oa2-client.abcdef123456"
    assert again.client_secret == "new-secret-000111"
    assert json.loads(path.read_text())["refresh_token"] == "Atzr|refresh-token-ABCDEF"
    assert cs.load_credentials() == again
    cs.forget_credentials()
    assert cs.load_credentials().source == cs.SOURCE_DEMO


def test_runtime_dir_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text()
    assert "data/runtime/" in ignored and ".streamlit/secrets.toml" in ignored


def test_secrets_toml_is_a_read_only_alternative(con, tmp_path, monkeypatch):
    toml = tmp_path / "secrets.toml"
    toml.write_text('[amazon]\nclient_id = "amzn1.application-oa2-client.fromtoml"\n'
                    'client_secret = "toml-secret-123456"\nrefresh_token = "Atzr|toml-refresh"\n'
                    'seller_id = "A9TOML"\nenvironment = "amazon_sandbox"\nmarketplace = "IT"\n')
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(toml))
    creds = cs.load_credentials()
    assert creds.source == cs.SOURCE_SECRETS and creds.client_secret == "toml-secret-123456"
    s = integ.load_settings(con)
    assert (s.environment, s.marketplace, s.seller_id) == ("amazon_sandbox", "IT", "A9TOML")
    # The file typed in the UI wins over secrets.toml.
    cs.save_credentials("amzn1.application-oa2-client.typed1", "typed-secret-1", "Atzr|typed-1")
    assert cs.load_credentials().source == cs.SOURCE_FILE


def test_masking_shows_at_most_four_characters():
    c = cs.Credentials("amzn1.application-oa2-client.abcdef123456", "secret-XYZ-987654", "Atzr|refresh-ABCDEF")
    assert c.masked("client_secret") == "••••7654"
    assert c.masked("refresh_token") == "••••CDEF"
    assert redact.mask_tail("short") == "••••"          # too short to show anything
    text = repr(c) + str(c)
    for secret in ("secret-XYZ-987654", "Atzr|refresh-ABCDEF", "abcdef123456"):
        assert secret not in text
