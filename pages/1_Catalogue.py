"""Screen 'catalogue': import a product file, read its report, and choose the products to work on
(guide step 4: tous, par catégorie, par fournisseur, par sélection).

Thin by design: files are imported by core.catalog.importer (from a saved upload), tables are read
one page at a time by core.catalog.browse, selections are saved by core.selection.
"""
import pandas as pd
import streamlit as st

from core import selection as selections
from core.catalog import browse, sample, uploads
from core.catalog.errors import CatalogImportError, MissingColumns
from core.catalog.importer import ImportResult, import_file
from core.catalog.store import catalogue_status, has_catalogue
from core.ui.page import setup_page

page = setup_page("catalogue")
t, con, ss = page.t, page.con, st.session_state
MODES = ("all", "category", "supplier", "handpicked")
PAGE_SIZES = (25, 50, 100, 200)


def run_import(path, file_name: str, column_map: dict | None = None) -> None:
    """Import a saved upload; keep it only while the user must answer the column question."""
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


def column_question(pending: dict) -> None:
    """Ask which file column feeds each required field that was not recognised."""
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
            run_import(pending["path"], pending["file_name"], column_map)
            st.rerun()
        if cancel.button(t("catalogue.question_cancel"), key="catalogue_map_cancel"):
            uploads.discard(pending["path"])
            ss.pop("catalogue_pending", None)
            st.rerun()


def import_report(result: ImportResult) -> None:
    """What the last import did: rows, columns recognised and kept, duplicate SKUs."""
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


def load_builder(name: str) -> None:
    """Set the selection widgets to the saved selection ``name`` (once per change of selection)."""
    sel = selections.load(con, name)
    picks = selections.handpicked_skus(con, name) if sel.handpicked else []
    mode = "handpicked" if sel.handpicked else "category" if sel.categories else \
        "supplier" if sel.suppliers else "all"
    ss.update({"catalogue_mode": mode, "catalogue_categories": list(sel.categories),
               "catalogue_suppliers": list(sel.suppliers), "catalogue_picks": picks,
               "catalogue_name": name, "catalogue_loaded_for": name})


def column_labels(df: pd.DataFrame) -> dict:
    """Translated headers for the product table."""
    return {c: st.column_config.Column(t("catalogue.fields." + c)) for c in df.columns}


def pick_table(df: pd.DataFrame, editor_key: str) -> None:
    """The page of products with a tick box; ticks update the hand-picked set (re-validated)."""
    picks = set(ss.get("catalogue_picks", []))
    shown = df.assign(**{"_pick": df["sku"].isin(picks)})
    edited = st.data_editor(
        shown, key=editor_key, hide_index=True, disabled=[c for c in df.columns],
        column_order=["_pick", *df.columns],
        column_config={**column_labels(df), "_pick": st.column_config.CheckboxColumn(t("catalogue.pick_column"))})
    # The browser enforces the disabled columns only: trust the SKUs we sent, not what came back.
    sent = set(df["sku"].dropna())
    ticked = {sku for sku, on in zip(df["sku"], edited["_pick"]) if on and sku in sent}
    ss["catalogue_picks"] = sorted((picks - sent) | ticked)


def selection_section() -> None:
    st.header(t("catalogue.selection_header"))
    saved = selections.names(con)
    options = [selections.ALL, *saved]
    if ss.get("selection") not in options:
        ss["selection"] = selections.ALL
    ss["catalogue_current"] = ss["selection"]
    st.selectbox(t("catalogue.current"), options, key="catalogue_current",
                 format_func=lambda n: n or t("common.all_products"),
                 on_change=lambda: ss.__setitem__("selection", ss["catalogue_current"]))
    current = ss["selection"]
    if ss.get("catalogue_loaded_for", object()) != current:
        load_builder(current)

    mode = st.radio(t("catalogue.mode_label"), MODES, key="catalogue_mode", horizontal=True,
                    format_func=lambda m: t("catalogue.mode_" + m))
    cats, sups = [], []
    if mode in ("category", "supplier"):
        facets = [("category", "catalogue_categories"), ("supplier", "catalogue_suppliers")]
        cols = st.columns(2)
        for col, (facet, key) in zip(cols, facets if mode == "category" else facets[::-1]):
            values = browse.distinct_values(con, facet)
            ss[key] = [v for v in ss.get(key, []) if v in values]
            with col:
                st.multiselect(t(f"catalogue.{'categories' if facet == 'category' else 'suppliers'}_label"),
                               values, key=key)
        cats, sups = ss["catalogue_categories"], ss["catalogue_suppliers"]
    sel = selections.Selection(categories=tuple(cats), suppliers=tuple(sups))

    search = st.text_input(t("catalogue.search_label"), key="catalogue_search")
    query = browse.ProductQuery(sel, search)
    matching = browse.count(con, query)
    size_col, page_col, count_col = st.columns([1, 1, 2])
    size = size_col.selectbox(t("catalogue.page_size"), PAGE_SIZES, index=1, key="catalogue_page_size")
    pages = max(1, -(-matching // size))
    if ss.get("catalogue_page_for") != (search, size, mode, tuple(cats), tuple(sups)):
        ss["catalogue_page_for"] = (search, size, mode, tuple(cats), tuple(sups))
        ss["catalogue_page"] = 1          # a new filter starts on its first page
    ss["catalogue_page"] = min(max(1, int(ss.get("catalogue_page", 1))), pages)
    number = page_col.number_input(t("common.page"), min_value=1, max_value=pages, step=1,
                                   key="catalogue_page")
    count_col.caption(f"{t('common.of_pages', pages=pages)} · {t('catalogue.matching', n=matching)}")
    df = browse.page(con, query, page_size=size, page_number=min(number, pages))
    if df.empty:
        st.info(t("catalogue.no_results"))
    elif mode == "handpicked":
        pick_table(df, f"catalogue_editor_{size}_{number}_{search}")
    else:
        st.dataframe(df, hide_index=True, column_config=column_labels(df))

    if mode == "handpicked":
        picks = ss.get("catalogue_picks", [])
        st.metric(t("common.selection"), len(picks))
        st.caption(t("catalogue.picked_count", n=len(picks)))
        if picks and st.button(t("catalogue.clear_picks"), key="catalogue_clear_picks"):
            ss["catalogue_picks"] = []
            st.rerun()
    else:
        n = matching if not search.strip() else browse.count(con, browse.ProductQuery(sel))
        st.metric(t("common.selection"), n)
        st.caption(t("catalogue.selected_count", n=n))

    name_col, save_col = st.columns([3, 1])
    name = name_col.text_input(t("catalogue.save_name"), key="catalogue_name")
    save_col.write("")
    if save_col.button(t("catalogue.save_button"), key="catalogue_save", type="primary"):
        save_selection(name.strip(), mode, sel)
    if current and st.button(t("catalogue.delete_button"), key="catalogue_delete"):
        selections.delete(con, current)
        ss["selection"], ss["catalogue_loaded_for"] = selections.ALL, None
        ss["catalogue_flash"] = t("catalogue.deleted", name=current)
        st.rerun()


def save_selection(name: str, mode: str, sel: selections.Selection) -> None:
    if not name:
        st.error(t("catalogue.name_required"))
        return
    skus: list[str] = []
    if mode == "handpicked":
        skus = browse.existing_skus(con, ss.get("catalogue_picks", []))
        if not skus:
            st.error(t("catalogue.nothing_picked"))
            return
    if mode == "all":
        sel = selections.Selection()
    selections.save(con, selections.Selection(name, sel.categories, sel.suppliers, mode == "handpicked",
                                              tuple(skus)))
    ss["selection"], ss["catalogue_loaded_for"] = name, None
    ss["catalogue_flash"] = t("catalogue.saved", name=name)
    st.rerun()


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
    run_import(uploads.save_upload(upload.name, upload), upload.name)
    st.rerun()
if st.button(t("catalogue.sample_button"), key="catalogue_sample", disabled=not sample.available()):
    run_import(sample.SAMPLE_PATH, sample.SAMPLE_PATH.name)
    st.rerun()
if not sample.available():
    st.caption(t("catalogue.sample_missing"))

if "catalogue_error" in ss:
    code, params = ss["catalogue_error"]
    st.error(CatalogImportError(code, **params).message(page.lang))
    st.caption(t("catalogue.failed"))
if "catalogue_pending" in ss:
    column_question(ss["catalogue_pending"])
if isinstance(ss.get("catalogue_report"), ImportResult):
    import_report(ss["catalogue_report"])
if "catalogue_flash" in ss:
    st.success(ss.pop("catalogue_flash"))

if has_catalogue(con):
    selection_section()
else:
    st.info(t("common.no_catalogue"))
