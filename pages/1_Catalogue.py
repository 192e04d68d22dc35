"""Screen 'catalogue': import a product file, read its report, and choose the products to work on
(guide step 4: tous, par catégorie, par fournisseur, par sélection).

Thin by design: files are imported by core.catalog.importer (from a saved upload), tables are read
one page at a time by core.catalog.browse, selections are saved by core.selection; the widgets are
core.ui.catalogue_import and core.ui.selection_builder.
"""
import streamlit as st

from core.catalog import sample, uploads
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
    ss["catalogue_upload_done"] = upload.file_id
    pending = ss.pop("catalogue_pending", None)
    if pending:
        uploads.discard(pending["path"])
    catalogue_import.run_import(page, uploads.save_upload(upload.name, upload), upload.name)
    st.rerun()
if st.button(t("catalogue.sample_button"), key="catalogue_sample", disabled=not sample.available()):
    catalogue_import.run_import(page, sample.SAMPLE_PATH, sample.SAMPLE_PATH.name)
    st.rerun()
if not sample.available():
    st.caption(t("catalogue.sample_missing"))

if "catalogue_error" in ss:
    code, params = ss["catalogue_error"]
    st.error(CatalogImportError(code, **params).message(page.lang))
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
