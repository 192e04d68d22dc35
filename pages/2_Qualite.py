"""Screen 'quality' (Qualité): every product Amazon would reject or suppress, why, and how to fix it.

Runs the rules on the current selection when no run matches it (selection, catalogue import,
language) or on demand, then shows the score, charts, the filterable table, downloads and the
product view. Heavy lifting is in core.rules (SQL); widgets in core.ui.violations.
"""
import duckdb
import streamlit as st

from core import selection
from core.catalog.store import has_catalogue
from core.images import check_images
from core.rules.engine import validate
from core.rules.store import is_current, last_run
from core.ui import violations
from core.ui.nav import screen
from core.ui.page import setup_page

page = setup_page("quality")
t = page.t
st.title(t("nav.quality"))

if not has_catalogue(page.con):
    st.info(t("common.no_catalogue"))
    st.page_link(screen("catalogue").path, label=t("common.go_catalogue"), icon=":material/arrow_back:")
    st.stop()

sel = selection.load(page.con, st.session_state.get("selection", ""))
run = last_run(page.con)
rerun = st.button(t("quality.run"), key="quality_run", type="primary", icon=":material/play_arrow:")
if rerun or not is_current(page.con, run, sel.name, page.lang):
    with st.spinner(t("quality.running")):
        try:
            validate(page.con, sel, page.lang)
        except duckdb.TransactionException:
            # another session replaced the violations at the same moment: show its result
            st.info(t("quality.busy"))
    run = last_run(page.con)
    if run is None:
        st.stop()

# Pixel checks (format, size, white background) of the selection's images, on demand: rows of
# source 'image' in violations, shown by the same filters and table.
if st.button(t("images.check"), key="quality_images", icon=":material/image_search:", help=t("images.check_help")):
    with st.spinner(t("images.checking")):
        try:
            checked = check_images(page.con, sel, lang=page.lang)
        except duckdb.TransactionException:
            st.info(t("quality.busy"))   # another session replaced the violations at the same moment
            st.stop()
    st.success(t("images.done", urls=checked.urls, opened=checked.opened, cached=checked.cached,
                 errors=checked.counts["ERROR"], warnings=checked.counts["WARNING"], products=checked.products))
    if checked.not_checked:
        st.info(t("images.not_checked", n=checked.not_checked))
    if checked.remaining:
        st.info(t("images.remaining", n=checked.remaining))

st.caption(t("quality.run_info", selection=sel.name or t("common.all_products"),
             at=run.started_at.strftime("%Y-%m-%d %H:%M:%S"), seconds=f"{run.duration_s:.2f}",
             products=f"{run.products:,}".replace(",", " ")))
violations.metrics(page, run)
if run.not_evaluated:
    st.warning(t("quality.not_evaluated", codes=", ".join(run.not_evaluated)))

st.subheader(t("quality.filters"))
filters = violations.filter_bar(page)
violations.charts(page, filters)

st.subheader(t("quality.table"))
violations.table(page, filters)
violations.downloads(page, filters)

st.subheader(t("quality.product"))
violations.product_panel(page, filters)
