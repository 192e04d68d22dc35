"""Paramètres > Intégrations: the Amazon integration (credentials, environment, marketplace, account
type, export mode, condition) and "Tester la connexion" (guide: Configuration de la connexion)."""
import pandas as pd
import streamlit as st

from core import integrations as integ
from core.marketplaces import MARKETPLACES
from core.spapi import credentials as creds_store
from core.spapi.connection_test import PASSED, WARNING, run_connection_test
from core.ui.page import setup_page
from core.ui.sandbox import local_sandbox_url

page = setup_page("settings")
t, con = page.t, page.con
SECRET_KEYS = ("settings_client_id", "settings_client_secret", "settings_refresh_token")

settings = integ.load_settings(con)
creds = creds_store.load_credentials()
markets = {m.code: m for m in MARKETPLACES}

st.title(t("settings.title"))
st.header(t("settings.integrations"))
st.caption(t("settings.integrations_intro"))

sandbox_url, sandbox_error = None, None
if settings.environment == "local_sandbox":
    try:
        sandbox_url = local_sandbox_url()
    except Exception as exc:  # noqa: BLE001 - shown to the user, the page stays usable
        sandbox_error = type(exc).__name__

with st.container(border=True):
    st.subheader(t("settings.amazon_name"))
    if creds.source == creds_store.SOURCE_DEMO and settings.environment == "local_sandbox":
        st.caption(t("settings.status_demo"))
    else:
        st.caption(t("settings.status_configured", environment=t("settings.environments." + settings.environment),
                     marketplace=markets[settings.marketplace].name))
    if sandbox_url:
        st.caption(t("settings.sandbox_url", url=sandbox_url))
    if sandbox_error:
        st.error(t("settings.sandbox_failed", error=sandbox_error))

    with st.form("amazon_settings"):
        st.markdown("**" + t("settings.connection") + "**")
        c1, c2 = st.columns(2)
        environment = c1.selectbox(
            t("settings.environment"), integ.ENVIRONMENT_CODES,
            index=integ.ENVIRONMENT_CODES.index(settings.environment),
            format_func=lambda c: t("settings.environments." + c), key="settings_environment")
        codes = list(markets)
        market = c2.selectbox(
            t("settings.marketplace"), codes, index=codes.index(settings.marketplace),
            format_func=lambda c: t("settings.marketplace_option", name=markets[c].name, code=c,
                                    currency=markets[c].currency, language=markets[c].language_tag),
            key="settings_marketplace")
        account_types = integ.FIELD_CHOICES["account_type"]
        account_type = c1.radio(t("settings.account_type"), account_types,
                                index=account_types.index(settings.account_type), horizontal=True,
                                format_func=lambda c: t("settings.account_types." + c), key="settings_account_type")
        modes = integ.FIELD_CHOICES["export_mode"]
        export_mode = c2.radio(t("settings.export_mode"), modes, index=modes.index(settings.export_mode),
                               format_func=lambda c: t("settings.export_modes." + c), key="settings_export_mode")
        conditions = integ.FIELD_CHOICES["condition"]
        condition = c1.selectbox(t("settings.condition"), conditions, index=conditions.index(settings.condition),
                                 format_func=lambda c: t("settings.conditions." + c), key="settings_condition")
        seller_id = c2.text_input(t("settings.seller_id"), value=settings.seller_id, max_chars=32,
                                  help=t("settings.seller_id_help"), key="settings_seller_id")

        st.markdown("**" + t("settings.credentials") + "**")
        st.caption(t("settings.source_" + creds.source))
        s1, s2, s3 = st.columns(3)
        # Password inputs start empty: the stored value is only hinted by its last 4 characters.
        secrets_in = [
            col.text_input(t("settings." + name), value="", type="password",
                           placeholder=creds.masked(name) or t("settings.not_set"),
                           help=t("settings.secret_help"), key=key)
            for col, name, key in zip((s1, s2, s3), creds_store.FIELDS, SECRET_KEYS)]
        submitted = st.form_submit_button(t("settings.save"), type="primary", key="settings_save")

    if submitted:
        try:
            settings = integ.save_settings(con, integ.IntegrationSettings(
                environment, market, account_type, export_mode, condition, seller_id))
        except integ.InvalidSetting as bad:
            st.error(t("settings.invalid", field=t("settings." + bad.field), value=bad.value))
        else:
            if any(v.strip() for v in secrets_in):
                creds = creds_store.save_credentials(*secrets_in)
            for key in SECRET_KEYS:          # the typed secrets leave the session at once
                st.session_state.pop(key, None)
            st.session_state.pop("settings_test_results", None)
            st.session_state["settings_flash"] = "settings.saved"
            st.rerun()
    if st.session_state.pop("settings_flash", None):
        st.success(t("settings.saved"))

    if not integ.api_mode_allowed(settings):
        st.warning(t("settings.individual_warning"))
        st.info(t("settings.api_mode_disabled"))
    else:
        st.caption(t("settings.api_mode_enabled"))

    b1, b2 = st.columns([1, 3])
    if b1.button(t("settings.test_connection"), key="settings_test_connection"):
        with st.spinner(t("settings.test_running")):
            cfg = integ.spapi_config(settings, local_url=sandbox_url or "http://127.0.0.1:1", credentials=creds)
            outcomes = run_connection_test(cfg, settings.account_type)
        # Only check codes, statuses, message keys and their (non-secret) parameters are kept.
        st.session_state["settings_test_results"] = [
            {"check": o.check, "status": o.status, "reason": o.reason, "params": o.params} for o in outcomes]
    if creds.source == creds_store.SOURCE_FILE and b2.button(t("settings.forget"), key="settings_forget"):
        creds_store.forget_credentials()
        st.session_state.pop("settings_test_results", None)
        st.toast(t("settings.forgotten"))
        st.rerun()

    results = st.session_state.get("settings_test_results")
    if results:
        st.markdown("**" + t("settings.test_title") + "**")
        ok = all(r["status"] in (PASSED, WARNING) for r in results)
        (st.success if ok else st.error)(t("settings.test_all_passed" if ok else "settings.test_some_failed"))
        st.dataframe(pd.DataFrame({
            t("settings.col_check"): [t("spapi.check.names." + r["check"]) for r in results],
            t("settings.col_status"): [t("spapi.status." + r["status"]) for r in results],
            t("settings.col_reason"): [t(r["reason"], **r["params"]) for r in results],
        }), hide_index=True, width="stretch", key="settings_test_table")
