"""Widgets of the product selection (screen Catalogue, guide step 4: tous, par catégorie, par
fournisseur, par sélection): the builder, the paged product table, hand-picking, saving."""
import pandas as pd
import streamlit as st

from core import selection as selections
from core.catalog import browse
from core.ui.page import Page

MODES = ("all", "category", "supplier", "handpicked")
PAGE_SIZES = (25, 50, 100, 200)


def load_builder(page: Page, name: str) -> None:
    """Set the selection widgets to the saved selection ``name`` (once per change of selection)."""
    con, ss = page.con, st.session_state
    sel = selections.load(con, name)
    picks = selections.handpicked_skus(con, name) if sel.handpicked else []
    mode = "handpicked" if sel.handpicked else "category" if sel.categories else \
        "supplier" if sel.suppliers else "all"
    ss.update({"catalogue_mode": mode, "catalogue_categories": list(sel.categories),
               "catalogue_suppliers": list(sel.suppliers), "catalogue_picks": picks,
               "catalogue_name": name, "catalogue_loaded_for": name})


def column_labels(page: Page, df: pd.DataFrame) -> dict:
    """Translated headers for the product table."""
    t = page.t
    return {c: st.column_config.Column(t("catalogue.fields." + c)) for c in df.columns}


def pick_table(page: Page, df: pd.DataFrame, editor_key: str) -> None:
    """The page of products with a tick box; ticks update the hand-picked set (re-validated)."""
    t, ss = page.t, st.session_state
    picks = set(ss.get("catalogue_picks", []))
    shown = df.assign(**{"_pick": df["sku"].isin(picks)})
    edited = st.data_editor(
        shown, key=editor_key, hide_index=True, disabled=[c for c in df.columns],
        column_order=["_pick", *df.columns],
        column_config={**column_labels(page, df), "_pick": st.column_config.CheckboxColumn(t("catalogue.pick_column"))})
    # The browser enforces the disabled columns only: trust the SKUs we sent, not what came back.
    sent = set(df["sku"].dropna())
    ticked = {sku for sku, on in zip(df["sku"], edited["_pick"]) if on and sku in sent}
    ss["catalogue_picks"] = sorted((picks - sent) | ticked)


def selection_section(page: Page) -> None:
    t, con, ss = page.t, page.con, st.session_state
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
        load_builder(page, current)

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
        pick_table(page, df, f"catalogue_editor_{size}_{number}_{search}")
    else:
        st.dataframe(df, hide_index=True, column_config=column_labels(page, df))

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
        save_selection(page, name.strip(), mode, sel)
    if current and st.button(t("catalogue.delete_button"), key="catalogue_delete"):
        selections.delete(con, current)
        ss["selection"], ss["catalogue_loaded_for"] = selections.ALL, None
        ss["catalogue_flash"] = t("catalogue.deleted", name=current)
        st.rerun()


def save_selection(page: Page, name: str, mode: str, sel: selections.Selection) -> None:
    t, con, ss = page.t, page.con, st.session_state
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
