"""Screen 'code2asin' (guide "Utiliser Code2ASIN"): run a mapping job over the selection's EANs, follow
its progress, read the results by status, choose the ASIN where several match, export them as CSV.

Thin by design: the job runs in a server thread (core.jobs + core.code2asin.job) and writes its
progress and results to DuckDB; this page only starts, stops or resumes it and reads the tables.
"""
import pandas as pd
import streamlit as st

from core import integrations as integ
from core import jobs
from core.catalog.store import has_catalogue
from core.code2asin import selected, store
from core.code2asin import job as mapping
from core.code2asin.matching import STATUSES
from core.marketplaces import marketplace
from core.selection import load as load_selection
from core.ui.nav import screen
from core.ui import code2asin as code2asin_ui
from core.ui.page import setup_page
from core.ui.sandbox import local_sandbox_url

page = setup_page("code2asin")
t, con, ss = page.t, page.con, st.session_state

st.title(t("code2asin.title"))
st.write(t("code2asin.intro"))
st.caption(t("code2asin.steps"))

if not has_catalogue(con):
    st.info(t("common.no_catalogue"))
    st.page_link(screen("catalogue").path, label=t("common.go_catalogue"), icon=":material/arrow_back:")
    st.stop()

settings = integ.load_settings(con)
market = marketplace(settings.marketplace)
sel = load_selection(con, ss.get("selection", ""))
st.caption(t("code2asin.target", marketplace=market.name, selection=sel.name or t("common.all_products"),
             environment=t("settings.environments." + settings.environment)))
if settings.export_mode != "match":
    st.info(t("code2asin.mode_create"))
    st.page_link(screen("settings").path, label=t("code2asin.go_settings"), icon=":material/settings:")

flash = ss.pop("code2asin_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])

# ---------------------------------------------------------------- what will be searched
st.write(t("code2asin.eligible", n=selected.count(con, sel)))
skipped = selected.skipped(con, sel)
if skipped:
    with st.expander(t("code2asin.skipped", n=sum(skipped.values()))):
        st.dataframe(pd.DataFrame({t("code2asin.skipped_reason"): [t(f"rules.{c}.label") for c in skipped],
                                   t("code2asin.skipped_products"): list(skipped.values())}), hide_index=True)


def target() -> mapping.Target:
    """Where the job searches: the configured environment (demo: the local sandbox, started if needed)."""
    local = local_sandbox_url() if settings.environment == "local_sandbox" else None
    return mapping.Target(settings.environment, market.code, local)


# ---------------------------------------------------------------- run, stop, resume
jobs.recover(con)
current = mapping.latest(con, market.code)
running = current is not None and current.status == "running" and not current.stale
c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="center")
recheck = c1.checkbox(t("code2asin.recheck"), help=t("code2asin.recheck_help"), key="code2asin_recheck")
if c2.button(t("code2asin.run"), type="primary", disabled=running, key="code2asin_run"):
    n = mapping.count_items(con, market.code, sel, recheck=recheck)
    if n == 0:
        ss["code2asin_flash"] = ("info", t("code2asin.nothing_to_do", marketplace=market.name))
    else:
        try:
            tgt = target()
        except Exception as exc:  # noqa: BLE001 - shown to the user, the page stays usable
            ss["code2asin_flash"] = ("error", t("code2asin.sandbox_failed", error=type(exc).__name__))
        else:
            mapping.start(con, tgt, sel, recheck=recheck)
            ss["code2asin_flash"] = ("success", t("code2asin.started", n=n))
    st.rerun()
if running:
    if c3.button(t("code2asin.stop"), key="code2asin_stop"):
        jobs.request_cancel(con, current.id)
        st.rerun()
elif current is not None and current.resumable:
    if c3.button(t("code2asin.resume"), key="code2asin_resume"):
        try:
            mapping.resume(con, current.id, target().local_url)
        except Exception as exc:  # noqa: BLE001 - the sandbox could not start
            ss["code2asin_flash"] = ("error", t("code2asin.sandbox_failed", error=type(exc).__name__))
        st.rerun()


if running:
    ss["code2asin_watching"] = current.id
    st.fragment(code2asin_ui.progress, run_every=1.0)(page, current.id)
elif current is not None:
    code2asin_ui.job_outcome(page, current)

# ---------------------------------------------------------------- counts
counts = store.counts(con, market.code, sel)
st.subheader(t("code2asin.metrics", marketplace=market.name))
cols = st.columns(len(STATUSES) + 2)
for col, status in zip(cols, STATUSES):
    col.metric(t("code2asin.metric." + status), counts.by_status[status], help=t("code2asin.status_help." + status))
cols[-2].metric(t("code2asin.metric.chosen"), counts.chosen)
cols[-1].metric(t("code2asin.metric.pending"), counts.pending)

# ---------------------------------------------------------------- results, paged and filtered in DuckDB
st.subheader(t("code2asin.results"))
if not counts.checked:
    st.info(t("code2asin.no_results"))
    st.stop()
code2asin_ui.results(page, market, sel)

# ---------------------------------------------------------------- the user's choice among several ASINs
st.subheader(t("code2asin.choose"))
code2asin_ui.choice(page, market, sel)
