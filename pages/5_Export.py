"""Screen 'export': Nouvel export (guide "Export pas à pas") — destination, marketplace, selection,
mapping, mode; the Flat File is written here, the API mode runs as a background job (core.ui.api_export)."""
from pathlib import Path

import streamlit as st

from core import selection as selections
from core.catalog.store import has_catalogue
from core.exports import history
from core.exports.flatfile_export import ExportError, ExportRequest, launch, recover
from core.flatfile import ENCODINGS
from core.mapping import profiles
from core.marketplaces import DEFAULT_MARKETPLACE, MARKETPLACES
from core.ui.api_export import api_export_panel
from core.ui.nav import screen
from core.ui.page import connection, setup_page

page = setup_page("export")
t, con = page.t, page.con

st.title(t("export.title"))
st.subheader(t("export.new"))
ready = has_catalogue(con)
if not ready:
    st.info(t("common.no_catalogue"))
    st.page_link(screen("catalogue").path, label=t("common.go_catalogue"), icon=":material/arrow_back:")

st.radio(t("export.step_destination"), ["amazon"], format_func=lambda _: "Amazon", key="export_destination",
         horizontal=True)
codes = [m.code for m in MARKETPLACES]
market = st.selectbox(t("export.step_marketplace"), codes, index=codes.index(DEFAULT_MARKETPLACE),
                      format_func=lambda c: next(m.name for m in MARKETPLACES if m.code == c), key="export_marketplace")
sel_names = [""] + selections.names(con)
current = st.session_state.get("selection", "")
sel_name = st.selectbox(t("export.step_selection"), sel_names,
                        index=sel_names.index(current) if current in sel_names else 0,
                        format_func=lambda n: n or t("common.all_products"), key="export_selection")
c1, c2 = st.columns([2, 1])
profile_name = c1.selectbox(t("export.step_mapping"), profiles.names(con, market), key="export_profile")
version = profiles.latest_version(con, market, profile_name)
c1.caption(t("export.mapping_version", version=version) if version else t("mapping.version_default"))
c2.page_link(screen("mapping").path, label=t("export.check_mapping"), icon=":material/swap_horiz:")

mode = st.radio(t("export.step_mode"), ["flat_file", "api"], format_func=lambda m: t("export.mode." + m),
                key="export_mode", horizontal=True)
if mode == "api":
    if ready:
        api_export_panel(page, market, sel_name, profile_name)
    else:
        st.info(t("export.api_needs"))
else:
    o1, o2 = st.columns(2)
    encoding = o1.selectbox(t("export.encoding"), list(ENCODINGS), format_func=ENCODINGS.__getitem__,
                            key="export_encoding", help=t("export.encoding_help"))
    include = o2.checkbox(t("export.include_rejected"), key="export_include_rejected",
                          help=t("export.include_rejected_help"))
    if st.button(t("export.launch"), key="export_launch", type="primary", disabled=not ready):
        # The export runs in a thread of the server (closing the tab does not stop it); this page
        # and the exports dashboard follow it through the exports table.
        try:
            st.session_state["export_last_id"] = launch(con, ExportRequest(
                marketplace=market, selection=sel_name, profile=profile_name, encoding=encoding,
                include_rejected=include, user=profiles.current_user(), lang=page.lang))
        except ExportError as exc:
            st.error(t(exc.key, **exc.params))


def _reader(path: str):
    # Deferred download: the file is read when the button is clicked, never on a rerun.
    return lambda: Path(path).read_bytes()


last = st.session_state.get("export_last_id")
recover(con)
record = history.get(con, last) if last else None
if record and record["status"] == "running":
    st.subheader(t("export.result", id=record["id"]))

    @st.fragment(run_every=1.0)
    def _follow() -> None:
        # Only this fragment reruns while the export runs; its end triggers one full rerun.
        if history.get(connection(), last)["status"] != "running":
            st.rerun()
        st.info(t("export.running"))

    _follow()
elif record:
    st.subheader(t("export.result", id=record["id"]))
    if record["status"] == "done":
        st.success(t("export.done", written=record["rows_written"], selected=record["rows_selected"],
                     rejected=record["rows_rejected"]))
        m1, m2, m3 = st.columns(3)
        m1.metric(t("export.rows_written"), record["rows_written"])
        m2.metric(t("export.rows_rejected"), record["rows_rejected"])
        m3.metric(t("export.size"), f"{(record['bytes'] or 0) / 1e6:.2f} MB")
        st.caption(f"sha256 {record['sha256']}")
        if Path(record["file_path"]).exists():
            st.download_button(t("export.download"), _reader(record["file_path"]), file_name=Path(record["file_path"]).name,
                               mime="text/tab-separated-values", key="export_download", type="primary")
        if record["rejects_path"] and Path(record["rejects_path"]).exists():
            st.warning(t("export.rejected_note", n=record["rows_rejected"]))
            st.download_button(t("export.download_rejects"), _reader(record["rejects_path"]),
                               file_name=Path(record["rejects_path"]).name, mime="text/csv",
                               key="export_download_rejects")
        st.info(t("export.next_steps"))
    else:
        st.error(t("export.failed", error=record["error"] or ""))
    st.page_link(screen("dashboard").path, label=t("export.go_dashboard"), icon=":material/monitoring:")
