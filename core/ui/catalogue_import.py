"""Widgets of the catalogue import (screen Catalogue): start an import as a background job and follow
it, ask which file column feeds a required field that was not recognised, and show the import report.

The import runs in a server thread (:mod:`core.catalog.import_job`): the page saves the upload, starts
the job and waits at most :data:`SETTLE_S` for it, so a small file shows its report in the same run as
before; a longer one shows its live progress in a fragment polled every :data:`REFRESH_S` while the
page (and every other page) stays usable, and the page reruns when it ends.
"""
from datetime import datetime

import pandas as pd
import streamlit as st

from core import jobs
from core.catalog import import_job, uploads
from core.catalog.errors import MissingColumns
from core.catalog.importer import ImportResult
from core.ui.page import Page, connection

# The page waits this long for the job it started: an import that ends by then shows its report in the
# same run, as before (the sample, a typical file: up to ~100k products on a quiet machine, where 1M
# takes 12-20 s), with no progress flashing by; the page is never held longer than this.
SETTLE_S = 2.0
REFRESH_S = 1.0
_OUTCOME_KEYS = ("catalogue_error", "catalogue_problem", "catalogue_refused")


def start_import(page: Page, file_name: str, *, upload=None, path=None, column_map: dict | None = None) -> None:
    """Save ``upload`` (or use ``path``) and import it in a background job; refused while one runs."""
    t, con, ss = page.t, page.con, st.session_state
    for key in _OUTCOME_KEYS:
        ss.pop(key, None)
    busy = import_job.running(con)
    if busy is None:
        if upload is not None:
            path = uploads.save_upload(file_name, upload)
        try:
            job_id = import_job.start(con, path, file_name, column_map=column_map)
        except import_job.ImportBusy as exc:     # another session started one just now
            busy = exc.job
            if upload is not None:
                uploads.discard(path)
    if busy is not None:
        ss["catalogue_refused"] = busy.params.get("file_name") or ""
        return
    ss["catalogue_job"] = job_id
    ss.pop("catalogue_pending", None)        # the job owns that file now (asked again if still needed)
    ss.pop("catalogue_report", None)
    with st.spinner(t("catalogue.import_running", file=file_name)):
        jobs.wait(job_id, SETTLE_S)
    collect(page)


def collect(page: Page) -> bool:
    """Turn this session's finished import job into the page's report, error or column question.

    False while the job still runs."""
    con, ss = page.con, st.session_state
    job_id = ss.get("catalogue_job")
    if job_id is None:
        return True
    out = import_job.outcome(con, job_id)
    if out is None:
        return False
    ss.pop("catalogue_job", None)
    if out.result is not None:
        ss["catalogue_report"] = out.result
        ss["catalogue_loaded_for"] = None      # selection widgets re-read the (new) catalogue
    elif isinstance(out.error, MissingColumns):
        job = jobs.get(con, job_id)
        ss["catalogue_pending"] = {"path": job.params["path"], "file_name": job.params["file_name"],
                                   "missing": list(out.error.missing), "columns": list(out.error.file_columns),
                                   "matched": out.error.matched}
    elif out.error is not None:
        ss["catalogue_error"] = (out.error.code, out.error.params)
    else:
        ss["catalogue_problem"] = ("catalogue.job." + out.problem, {"error": out.detail})
    return True


def _size(t, size: int | None) -> str:
    # Decimal units, as Streamlit's uploader shows the file's size just above.
    if not size:
        return "—"
    if size < 1_000_000:
        return t("catalogue.job.size_kb", n=max(1, round(size / 1000)))
    return t("catalogue.job.size_mb", n=f"{size / 1_000_000:,.0f}".replace(",", " "))


def progress(page: Page, job_id: int) -> None:
    """Live view of a running import (any session's); one full rerun of the page when it ends."""
    t, ss = page.t, st.session_state
    job = jobs.get(connection(), job_id)
    if job is None:
        return
    if job.status == "running" and not job.stale:
        since = job.started_at or job.created_at
        elapsed = max(0, int((datetime.now() - since).total_seconds())) if since else 0
        text = t("catalogue.job.progress", file=job.params.get("file_name", ""),
                 size=_size(t, job.params.get("size")), elapsed=elapsed)
        share = import_job.live_progress(job_id)
        if share is None:
            st.info(text, icon=":material/hourglass_top:")
        else:
            st.progress(share, text=text)
        st.caption(t("catalogue.job.keep_working"))
    elif ss.pop("catalogue_watching", None) == job_id:
        st.rerun()      # ended: the whole page shows the new catalogue and this session's report


def column_question(page: Page, pending: dict) -> None:
    """Ask which file column feeds each required field that was not recognised."""
    t, ss = page.t, st.session_state
    with st.container(border=True):
        st.subheader(t("catalogue.question_header"))
        st.write(t("catalogue.question_intro", file=pending["file_name"]))
        none = t("catalogue.question_none")
        answers = {}
        for name in pending["missing"]:
            options = pending["columns"] if name == "sku" else [none, *pending["columns"]]
            answers[name] = st.selectbox(t("catalogue.fields." + name), options, key=f"catalogue_map_{name}")
        go, cancel = st.columns(2)
        if go.button(t("catalogue.question_submit"), key="catalogue_map_submit", type="primary"):
            column_map = {**pending["matched"], **{k: (None if v == none else v) for k, v in answers.items()}}
            start_import(page, pending["file_name"], path=pending["path"], column_map=column_map)
            st.rerun()
        if cancel.button(t("catalogue.question_cancel"), key="catalogue_map_cancel"):
            uploads.discard(pending["path"])
            ss.pop("catalogue_pending", None)
            st.rerun()


def import_report(page: Page, result: ImportResult) -> None:
    """What the last import did: rows, columns recognised and kept, duplicate SKUs."""
    t = page.t
    st.success(t("catalogue.imported", rows=f"{result.rows:,}".replace(",", " "), file=result.file_name,
                 seconds=result.seconds))
    with st.expander(t("catalogue.report_header"), expanded=bool(result.duplicate_count)):
        st.caption(t("catalogue.report_format", format=result.file_format.upper(), encoding=result.encoding or "—",
                     delimiter=repr(result.delimiter) if result.delimiter else "—"))
        st.markdown(f"**{t('catalogue.report_columns')}**")
        st.dataframe(pd.DataFrame({
            t("catalogue.col_canonical"): [t("catalogue.fields." + k) for k in result.column_map],
            t("catalogue.col_file"): [v or t("catalogue.not_in_file") for v in result.column_map.values()],
        }), hide_index=True, key="catalogue_report_columns")
        st.write(t("catalogue.report_extra", columns=", ".join(result.extra_columns))
                 if result.extra_columns else t("catalogue.report_no_extra"))
        if result.blank_skus:
            st.warning(t("catalogue.blank_skus", n=result.blank_skus))
        if result.duplicate_count:
            st.warning(t("catalogue.duplicates", n=result.duplicate_count))
            st.dataframe(pd.DataFrame({
                t("catalogue.dup_sku"): [d.sku for d in result.duplicate_skus],
                t("catalogue.dup_count"): [d.count for d in result.duplicate_skus],
                t("catalogue.dup_lines"): [", ".join(map(str, d.lines)) for d in result.duplicate_skus],
            }), hide_index=True, key="catalogue_report_duplicates")
