"""Widgets of the Code2ASIN screen: how the last job ended, its live progress, the results table
(paged and filtered in DuckDB, exported as CSV) and the user's choice among several ASINs."""
import math

import duckdb
import pandas as pd
import streamlit as st

from core import jobs, reports
from core.code2asin import job as mapping
from core.code2asin import store
from core.code2asin.matching import STATUSES
from core.marketplaces import Marketplace
from core.selection import Selection
from core.ui.page import Page, connection

PAGE_SIZE = 50


def job_outcome(page: Page, job: jobs.Job) -> None:
    """How the latest job ended (nothing while it runs: the progress bar says it)."""
    t, con = page.t, page.con
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


def progress(page: Page, job_id: int) -> None:
    """Progress bar of a running job, refreshed every second; the whole page reruns when it ends."""
    t, ss = page.t, st.session_state
    job = jobs.get(connection(), job_id)
    if job is None:
        return
    if job.status == "running" and not job.stale:
        st.progress(job.progress, text=t("code2asin.progress", done=job.done_items, total=job.total))
    elif ss.pop("code2asin_watching", None) == job_id:
        st.rerun()   # finished: refresh counts and results


def for_humans(page: Page, df: pd.DataFrame) -> pd.DataFrame:
    """Statuses and column names in the user's language."""
    t = page.t
    out = df.copy()
    out["match_status"] = out["match_status"].map(lambda s: t("code2asin.status." + s))
    return out.rename(columns={c: t("code2asin.col." + c) for c in out.columns})


def results(page: Page, market: Marketplace, sel: Selection) -> None:
    """The mapping results of the selection, filtered by status and searched, one page at a time."""
    t, con, ss = page.t, page.con, st.session_state
    f1, f2 = st.columns(2)
    statuses = tuple(f1.multiselect(t("code2asin.filter_status"), STATUSES,
                                    format_func=lambda s: t("code2asin.status." + s), key="code2asin_status_filter"))
    search = f2.text_input(t("code2asin.search"), key="code2asin_search")
    total = store.results_count(con, market.code, sel, statuses, search)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if ss.get("code2asin_page", 1) > pages:      # the filters shrank the result: back to a page that exists
        ss["code2asin_page"] = pages
    page_no = st.number_input(t("common.page"), min_value=1, max_value=pages, step=1, key="code2asin_page")
    rows = store.results_page(con, market.code, sel, statuses, search, offset=(page_no - 1) * PAGE_SIZE,
                              limit=PAGE_SIZE)
    if total:
        st.dataframe(for_humans(page, rows), hide_index=True, width="stretch", key="code2asin_results")
        st.caption(t("code2asin.page_info", start=(page_no - 1) * PAGE_SIZE + 1,
                     end=min(page_no * PAGE_SIZE, total), total=total))
    else:
        st.info(t("code2asin.no_match_filter"))
    export_con = con.cursor()   # the file is built on click, in another thread: its own cursor
    st.download_button(t("code2asin.export"), key="code2asin_export", mime="text/csv",
                       data=lambda: reports.to_csv_bytes(
                           for_humans(page, store.results_frame(export_con, market.code, sel, statuses))),
                       file_name=t("code2asin.export_file", marketplace=market.code))


def choice(page: Page, market: Marketplace, sel: Selection) -> None:
    """The EANs with several (or conflicting) ASINs, and the user's choice for each."""
    t, con, ss = page.t, page.con, st.session_state
    waiting = store.eans_needing_choice(con, market.code, sel)
    if not waiting:
        st.caption(t("code2asin.nothing_to_choose"))
        return
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
    asin = st.radio(t("code2asin.choose_asin"), options,
                    index=options.index(chosen_now) if chosen_now in options else 0,
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
