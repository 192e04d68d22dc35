"""The live view of an API export job: progress bar, counts, Amazon's errors with explanations.

An ``@st.fragment(run_every=…)`` re-reads the job from DuckDB every :data:`REFRESH_S` seconds while it
runs (only the fragment reruns, not the page); when the job stops, one full rerun turns the polling
off. The job itself runs in a server thread (:mod:`core.jobs`): closing the tab does not stop it.
"""
from __future__ import annotations

import streamlit as st

from core import jobs
from core.exports import api_export
from core.i18n import Translator
from core.ui.page import connection

REFRESH_S = 1.0
ERROR_ROWS = 200


def _counts(t: Translator, job: jobs.Job, key: str) -> None:
    c = job.counts
    m = st.columns(5)
    m[0].metric(t("jobs.total"), job.total)
    m[1].metric(t("jobs.accepted"), c["accepted"])
    m[2].metric(t("jobs.rejected"), c["rejected"])
    m[3].metric(t("jobs.failed"), c["failed"])
    m[4].metric(t("jobs.waiting"), c["pending"] + c["sent"])


def _errors(t: Translator, con, job: jobs.Job, lang: str, key: str) -> None:
    st.markdown(f"**{t('jobs.errors_title')}**")
    df = api_export.issues_frame(con, job.id, lang, limit=ERROR_ROWS)
    if df.empty:
        st.caption(t("jobs.no_errors"))
        return
    df.columns = [t("api_export.col." + c) for c in df.columns]
    st.dataframe(df, key=f"{key}_errors", hide_index=True, width="stretch")


def _controls(t: Translator, con, job: jobs.Job, key: str, cfg_factory) -> None:
    if job.status == "running" and job.alive:
        if job.cancel_requested:
            st.caption(t("jobs.cancel_requested"))
        elif st.button(t("jobs.cancel"), key=f"{key}_cancel"):
            jobs.request_cancel(con, job.id)
            st.caption(t("jobs.cancel_requested"))
    elif job.resumable and not job.alive:
        if st.button(t("jobs.resume"), key=f"{key}_resume", type="primary"):
            if api_export.launch(con, job.id, cfg_factory() if cfg_factory else None):
                st.success(t("api_export.resumed", export=job.ref))
                st.rerun()


def job_progress(t: Translator, lang: str, job_id: int, *, key: str = "job", cfg_factory=None) -> None:
    """Draw the live progress of job ``job_id`` (polls while it runs). ``cfg_factory`` gives the
    SP-API config used when the user resumes it (None: the saved settings)."""
    con = connection()
    jobs.recover(con)
    job = jobs.get(con, job_id)
    if job is None:
        st.warning(t("jobs.unknown"))
        return
    running = job.status == "running"

    @st.fragment(run_every=REFRESH_S if running else None)
    def _live() -> None:
        cur = connection()
        live = jobs.get(cur, job_id)
        st.markdown(f"**{t('jobs.status.' + live.status)}**"
                    + (f" · {t('jobs.phase', phase=t('jobs.phases.' + live.phase))}"
                       if live.status == "running" and live.phase else ""))
        prepared = live.params.get(jobs.PREPARED, True)
        st.progress(live.progress if prepared else 0.0,
                    text=t("jobs.progress", done=live.done_items, total=live.total) if prepared else t("jobs.preparing"))
        _counts(t, live, key)
        if live.error and live.status != "running":
            st.error(t("jobs.error", error=live.error))
        _controls(t, cur, live, key, cfg_factory)
        feeds = api_export.feeds_of(cur, job_id)
        if not feeds.empty:
            st.caption(t("jobs.feeds") + " : " + ", ".join(f"{r.feed_id} ({r.status})" for r in feeds.itertuples()))
        _errors(t, cur, live, lang, key)
        if running and live.status != "running":
            st.rerun()      # the job ended: a full rerun stops the polling

    _live()
