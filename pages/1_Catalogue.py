"""Screen 'catalogue': import a product file, read its report, and choose the products to work on
(guide step 4: tous, par catégorie, par fournisseur, par sélection).

Thin by design: files are imported by core.catalog.importer in a background job (core.catalog.import_job,
from a saved upload; core.ui.catalogue_import starts and follows it), tables are read
one page at a time by core.catalog.browse, selections are saved by core.selection; the widgets are
core.ui.catalogue_import and core.ui.selection_builder.
"""
import streamlit as st

from core.catalog import import_job, sample, uploads
from core.catalog.errors import CatalogImportError
from core.catalog.importer import ImportResult
from core.catalog.store import catalogue_status, has_catalogue
from core.ui import catalogue_import, selection_builder
from core.ui.page import setup_page

page = setup_page("catalogue")
t, con, ss = page.t, page.con, st.session_state

# ---------------------------------------------------------------- page body
st.title(t("catalogue.title"))
st.caption(t("catalogue.intro"))

# The import job, read before the counts: this session's outcome once it ended, or the one running now.
ours_ended = catalogue_import.collect(page)
current = import_job.running(con)
if current is None and not ours_ended:
    st.rerun()      # it ended between these two reads: collect it on a fresh run
status = catalogue_status(con)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("common.products"), f"{status.products:,}".replace(",", " "))
c2.metric(t("common.categories"), status.categories)
c3.metric(t("common.suppliers"), status.suppliers)
c4.metric(t("common.last_import"),
          status.last_import.strftime("%Y-%m-%d %H:%M") if status.last_import else t("common.never"))

st.header(t("catalogue.upload_header"))
upload = st.file_uploader(t("catalogue.upload_label"), key="catalogue_upload", help=t("catalogue.upload_help"),
                          type=["csv", "txt", "tsv", "xlsx", "xlsm", "json", "jsonl", "ndjson", "parquet"])
if upload is not None and ss.get("catalogue_upload_done") != upload.file_id:
    ss["catalogue_upload_done"] = upload.file_id       # a rerun never imports the same upload twice
    pending = ss.pop("catalogue_pending", None)
    if pending:
        uploads.discard(pending["path"])
    catalogue_import.start_import(page, upload.name, upload=upload)
    st.rerun()
if st.button(t("catalogue.sample_button"), key="catalogue_sample", disabled=not sample.available()):
    catalogue_import.start_import(page, sample.SAMPLE_PATH.name, path=sample.SAMPLE_PATH)
    st.rerun()
if not sample.available():
    st.caption(t("catalogue.sample_missing"))

if current is not None:
    ss["catalogue_watching"] = current.id
    st.fragment(catalogue_import.progress, run_every=catalogue_import.REFRESH_S)(page, current.id)
if "catalogue_refused" in ss:
    st.warning(t("catalogue.job.busy", file=ss.pop("catalogue_refused")))
if "catalogue_error" in ss:
    code, params = ss["catalogue_error"]
    st.error(CatalogImportError(code, **params).message(page.lang))
    st.caption(t("catalogue.failed"))
if "catalogue_problem" in ss:
    key, params = ss["catalogue_problem"]
    st.error(t(key, **params))
    st.caption(t("catalogue.failed"))
if "catalogue_pending" in ss:
    catalogue_import.column_question(page, ss["catalogue_pending"])
if isinstance(ss.get("catalogue_report"), ImportResult):
    catalogue_import.import_report(page, ss["catalogue_report"])
if "catalogue_flash" in ss:
    st.success(ss.pop("catalogue_flash"))

if has_catalogue(con):
    selection_builder.selection_section(page)
else:
    st.info(t("common.no_catalogue"))
