"""Widgets of the catalogue import (screen Catalogue): run an import with a spinner, ask which file
column feeds a required field that was not recognised, and show the import report."""
import pandas as pd
import streamlit as st

from core.catalog import uploads
from core.catalog.errors import CatalogImportError, MissingColumns
from core.catalog.importer import ImportResult, import_file
from core.ui.page import Page


def run_import(page: Page, path, file_name: str, column_map: dict | None = None) -> None:
    """Import a saved upload; keep it only while the user must answer the column question."""
    t, con, ss = page.t, page.con, st.session_state
    ss.pop("catalogue_error", None)
    try:
        with st.spinner(t("catalogue.import_running", file=file_name)):
            result = import_file(con, path, file_name=file_name, column_map=column_map)
    except MissingColumns as exc:
        ss["catalogue_pending"] = {"path": str(path), "file_name": file_name, "missing": list(exc.missing),
                                   "columns": list(exc.file_columns), "matched": exc.matched}
        return
    except CatalogImportError as exc:
        ss["catalogue_error"] = (exc.code, exc.params)
        ss.pop("catalogue_report", None)
    else:
        ss["catalogue_report"] = result
        ss["catalogue_loaded_for"] = None      # selection widgets re-read the (new) catalogue
    ss.pop("catalogue_pending", None)
    uploads.discard(path)


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
            run_import(page, pending["path"], pending["file_name"], column_map)
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
