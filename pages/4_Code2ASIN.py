"""Screen 'code2asin' (guide "Utiliser Code2ASIN"): run a mapping job over the selection's EANs, follow
its progress, read the results by status, choose the ASIN where several match, export them as CSV.

Thin by design: the job runs in a server thread (core.jobs + core.code2asin.job) and writes its
progress and results to DuckDB; this page only starts, stops or resumes it and reads the tables.
"""
import math

import duckdb
import pandas as pd
import streamlit as st

from core import integrations as integ
from core import jobs, reports
from core.catalog.store import has_catalogue
from core.code2asin import selected, store
from core.code2asin import job as mapping
from core.code2asin.matching import STATUSES
from core.marketplaces import marketplace
from core.selection import load as load_selection
from core.ui.nav import screen
from core.ui.page import connection, setup_page
from core.ui.sandbox import local_sandbox_url

page = setup_page("code2asin")
t, con, ss = page.t, page.con, st.session_state
PAGE_SIZE = 50

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


def job_outcome(job: jobs.Job) -> None:
    """How the latest job ended (nothing while it runs: the progress bar says it)."""
    done, total = job.done_items, job.total
    if job.status == "done":
        st.success(t("code2asin.finished", total=total))
    elif job.status == "cancelled":
        st.info(t("code2asin.cancelled", done=done, total=total))
    elif job.status == "interrupted" or job.stale:
        st.warning(t("code2asin.interrupted", done=done, total=total))
    elif job.status == "failed":
        err = mapping.last_error(con, job.id)
        if err is not None:
            text = t("spapi.error." + err.kind, status=err.http_status or "", code=err.amazon_code or "",
                     message=err.message)
            st.error(t("code2asin.failed", error=text))
        else:
            st.error(t("code2asin.crashed", error=job.error or ""))


def progress(job_id: int) -> None:
    """Progress bar of a running job, refreshed every second; the whole page reruns when it ends."""
    job = jobs.get(connection(), job_id)
    if job is None:
        return
    if job.status == "running" and not job.stale:
        st.progress(job.progress, text=t("code2asin.progress", done=job.done_items, total=job.total))
    elif ss.pop("code2asin_watching", None) == job_id:
        st.rerun()   # finished: refresh counts and results


if running:
    ss["code2asin_watching"] = current.id
    st.fragment(progress, run_every=1.0)(current.id)
elif current is not None:
    job_outcome(current)

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
f1, f2 = st.columns(2)
statuses = tuple(f1.multiselect(t("code2asin.filter_status"), STATUSES, format_func=lambda s: t("code2asin.status." + s),
                                key="code2asin_status_filter"))
search = f2.text_input(t("code2asin.search"), key="code2asin_search")
total = store.results_count(con, market.code, sel, statuses, search)
pages = max(1, math.ceil(total / PAGE_SIZE))
if ss.get("code2asin_page", 1) > pages:      # the filters shrank the result: back to a page that exists
    ss["code2asin_page"] = pages
page_no = st.number_input(t("common.page"), min_value=1, max_value=pages, step=1, key="code2asin_page")
rows = store.results_page(con, market.code, sel, statuses, search, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)


def for_humans(df: pd.DataFrame) -> pd.DataFrame:
    """Statuses and column names in the user's language."""
    out = df.copy()
    out["match_status"] = out["match_status"].map(lambda s: t("code2asin.status." + s))
    return out.rename(columns={c: t("code2asin.col." + c) for c in out.columns})


if total:
    st.dataframe(for_humans(rows), hide_index=True, width="stretch", key="code2asin_results")
    st.caption(t("code2asin.page_info", start=(page_no - 1) * PAGE_SIZE + 1,
                 end=min(page_no * PAGE_SIZE, total), total=total))
else:
    st.info(t("code2asin.no_match_filter"))
export_con = con.cursor()   # the file is built on click, in another thread: its own cursor
st.download_button(t("code2asin.export"), key="code2asin_export", mime="text/csv",
                   data=lambda: reports.to_csv_bytes(for_humans(store.results_frame(export_con, market.code, sel,
                                                                                    statuses))),
                   file_name=t("code2asin.export_file", marketplace=market.code))

# ---------------------------------------------------------------- the user's choice among several ASINs
st.subheader(t("code2asin.choose"))
waiting = store.eans_needing_choice(con, market.code, sel)
if not waiting:
    st.caption(t("code2asin.nothing_to_choose"))
    st.stop()
st.caption(t("code2asin.choose_intro"))
by_ean = {ean: (skus, status, chosen) for ean, skus, status, chosen in waiting}
ean = st.selectbox(t("code2asin.choose_ean"), list(by_ean), key="code2asin_choose_ean",
                   format_func=lambda e: t("code2asin.choose_ean_option", ean=e, skus=by_ean[e][0],
                                           status=t("code2asin.status." + by_ean[e][1])))
found = store.candidates(con, ean, market.code)
labels = {r.asin: t("code2asin.choose_asin_option", asin=r.asin, brand=r.brand or "", item_name=r.item_name or "")
          for r in found.itertuples()}
options = [None, *labels]
chosen_now = by_ean[ean][2]
asin = st.radio(t("code2asin.choose_asin"), options, index=options.index(chosen_now) if chosen_now in options else 0,
                format_func=lambda a: t("code2asin.choose_none") if a is None else labels[a],
                key=f"code2asin_choose_asin_{ean}")
if st.button(t("code2asin.choose_button"), key="code2asin_choose_submit"):
    try:
        store.choose(con, ean, market.code, asin)   # re-validated there: only a candidate is accepted
    except store.InvalidChoice:
        ss["code2asin_flash"] = ("error", t("code2asin.invalid_choice", asin=asin, ean=ean))
    except duckdb.TransactionException:
        ss["code2asin_flash"] = ("warning", t("code2asin.busy"))
    else:
        ss["code2asin_flash"] = ("success", t("code2asin.chosen_ok", asin=asin, ean=ean) if asin
                                 else t("code2asin.chosen_none", ean=ean))
    st.rerun()
