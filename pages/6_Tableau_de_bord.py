"""Screen 'dashboard': the exports history, one export's details and files, and Amazon's processing
report uploaded back, with the guide's explanation and fix for the known error codes."""
from pathlib import Path

import streamlit as st

from core import jobs, processing_report
from core.exports import api_export
from core.exports import history
from core.exports.flatfile_export import recover
from core.ui.api_export import current_config
from core.ui.job_progress import job_progress
from core.ui.nav import screen
from core.ui.page import connection, setup_page

page = setup_page("dashboard")
t, con = page.t, page.con

st.title(t("dashboard.title"))
recover(con)       # Flat File exports left "running" by a stopped server are marked failed
exports = history.recent(con)
if exports.empty:
    st.info(t("dashboard.empty"))
    st.page_link(screen("export").path, label=t("dashboard.go_export"), icon=":material/upload:")
    st.stop()

view = exports[["id", "created_at", "user", "marketplace", "mode", "selection", "profile", "profile_version",
                "rows_selected", "rows_written", "rows_rejected", "status"]].copy()
view["status"] = view["status"].map(lambda s: t("dashboard.status." + s))
view["mode"] = view["mode"].map(lambda m: t("export.mode." + m))
view["selection"] = view["selection"].map(lambda s: s or t("common.all_products"))
view.columns = [t("dashboard.col." + c) for c in view.columns]
st.dataframe(view, key="dashboard_table", hide_index=True, width="stretch")
if ((exports["mode"] == "flat_file") & (exports["status"] == "running")).any():
    @st.fragment(run_every=2.0)
    def _follow() -> None:
        # A Flat File export runs in a server thread: refresh the page once it ends.
        running = connection().execute(
            "SELECT count(*) FROM exports WHERE mode = 'flat_file' AND status = 'running'").fetchone()[0]
        if not running:
            st.rerun()
        st.caption(t("export.running"))

    _follow()

ids = exports["id"].tolist()
chosen = st.selectbox(t("dashboard.pick"), ids, key="dashboard_export",
                      format_func=lambda i: t("dashboard.pick_label", id=i, **{
                          "at": str(exports.loc[exports["id"] == i, "created_at"].iloc[0])[:16],
                          "status": t("dashboard.status." + exports.loc[exports["id"] == i, "status"].iloc[0])}))
ex = history.get(con, chosen)

st.subheader(t("dashboard.details", id=chosen))
d1, d2, d3, d4 = st.columns(4)
d1.metric(t("dashboard.col.status"), t("dashboard.status." + ex["status"]))
d2.metric(t("dashboard.col.rows_written"), ex["rows_written"] if ex["rows_written"] is not None else "—")
d3.metric(t("dashboard.col.rows_rejected"), ex["rows_rejected"] if ex["rows_rejected"] is not None else "—")
d4.metric(t("dashboard.col.marketplace"), ex["marketplace"])
st.caption(t("dashboard.meta", user=ex["user"], profile=ex["profile"], version=ex["profile_version"],
             encoding=ex["encoding"] or "—", sha=ex["sha256"] or "—"))
if ex["status"] == "failed":
    st.error(t("export.failed", error=ex["error"] or ""))
if ex["mode"] == "api" and (api_job := jobs.by_ref(con, api_export.KIND, chosen)) is not None:
    job_progress(t, page.lang, api_job.id, key="dashboard_job", cfg_factory=lambda: current_config(con))


def _reader(path: str):
    # Deferred download: the file is read when the button is clicked, never on a rerun.
    return lambda: Path(path).read_bytes()


if ex["file_path"] and Path(ex["file_path"]).exists():
    st.download_button(t("export.download"), _reader(ex["file_path"]), file_name=Path(ex["file_path"]).name,
                       mime="text/tab-separated-values", key="dashboard_download")
elif ex["status"] == "done" and ex["mode"] != "api":
    st.warning(t("dashboard.file_missing"))
if ex["rejects_path"] and Path(ex["rejects_path"]).exists():
    st.download_button(t("export.download_rejects"), _reader(ex["rejects_path"]),
                       file_name=Path(ex["rejects_path"]).name, mime="text/csv", key="dashboard_download_rejects")

st.subheader(t("dashboard.report.title"))
st.caption(t("dashboard.report.intro"))
upload = st.file_uploader(t("dashboard.report.upload"), type=["txt", "tsv", "csv"], key="dashboard_report_upload")
if upload is not None:
    stored = st.session_state.setdefault("dashboard_reports_stored", {})
    tag = f"{chosen}:{upload.file_id}"
    if tag not in stored:       # a rerun must not store the same upload twice
        try:
            parsed = processing_report.parse(upload.getvalue())
            stored[tag] = processing_report.store(con, chosen, upload.name, parsed)
        except processing_report.ReportError as exc:
            st.error(t(exc.key))

reports = processing_report.reports_of(con, chosen)
if reports.empty:
    st.caption(t("dashboard.report.none"))
else:
    latest = reports.iloc[0]
    r1, r2, r3, r4 = st.columns(4)
    r1.metric(t("dashboard.report.processed"), "—" if latest["processed"] is None else int(latest["processed"]))
    r2.metric(t("dashboard.report.successful"), "—" if latest["successful"] is None else int(latest["successful"]))
    r3.metric(t("dashboard.report.errors_n"), int(latest["errors"]))
    r4.metric(t("dashboard.report.warnings_n"), int(latest["warnings"]))
    errs = processing_report.errors(con, int(latest["id"]), page.lang)
    errs.columns = [t("dashboard.report.col." + c) for c in errs.columns]
    st.dataframe(errs, key="dashboard_report_errors", hide_index=True, width="stretch")
