"""Widgets for violations (local rules and, later, Amazon's own issues): score metrics, plotly charts,
the filter bar, the paginated table, downloads and the product view. Every frame they draw comes
already aggregated or paginated from :mod:`core.rules.queries`.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import streamlit as st

from core.i18n import has_key
from core.reports import to_csv_bytes, to_xlsx_bytes
from core.rules import queries
from core.rules.store import RunRecord
from core.ui.page import Page

SEVERITY_COLOURS = {"ERROR": "#d62728", "WARNING": "#ff7f0e", "INFO": "#1f77b4"}
HIGHLIGHT = {"ERROR": "background-color: #fde2e1", "WARNING": "background-color: #fff1d6",
             "INFO": "background-color: #e3effa"}
PAGE_SIZES = (25, 50, 100, 200)


def rule_label(page: Page, code: str) -> str:
    """Short label of a rule code (the code itself for codes without a label, e.g. Amazon's)."""
    for key in (f"rules.{code}.label", f"images.{code}.label"):   # local rules, then image checks
        if has_key(key, page.lang):
            return f"{page.t(key)} ({code})"
    return code


def severity_label(page: Page, severity: str) -> str:
    return page.t(f"rules.severity.{severity}")


def metrics(page: Page, run: RunRecord) -> None:
    """Quality score and counts by severity."""
    t = page.t
    cols = st.columns(5)
    cols[0].metric(t("quality.score"), f"{run.score:.1%}".replace(".", "," if page.lang == "fr" else "."),
                   help=t("quality.score_help"))
    cols[1].metric(t("quality.blocked"), f"{run.blocked_products:,}".replace(",", " "),
                   help=t("quality.blocked_help", products=f"{run.products:,}".replace(",", " ")))
    cols[2].metric(severity_label(page, "ERROR"), f"{run.errors:,}".replace(",", " "))
    cols[3].metric(severity_label(page, "WARNING"), f"{run.warnings:,}".replace(",", " "))
    cols[4].metric(severity_label(page, "INFO"), f"{run.infos:,}".replace(",", " "))


def _bar(page: Page, df: pd.DataFrame, title: str, labels=None) -> None:
    if df.empty:
        return
    df = df.assign(severity_label=df["severity"].map(lambda s: severity_label(page, s)))
    if labels:
        df = df.assign(label=df["label"].map(labels))
    colours = {severity_label(page, s): c for s, c in SEVERITY_COLOURS.items()}
    fig = px.bar(df, x="n", y="label", color="severity_label", orientation="h", title=title,
                 color_discrete_map=colours,
                 labels={"n": page.t("quality.violations"), "label": "", "severity_label": ""})
    fig.update_layout(height=max(260, 28 * df["label"].nunique() + 120), margin=dict(l=10, r=10, t=40, b=10),
                      yaxis={"categoryorder": "total ascending"}, legend_orientation="h")
    st.plotly_chart(fig, width="stretch")


def charts(page: Page, filters: dict) -> None:
    """Violations per rule, per product category and per supplier (top 25 each)."""
    t = page.t
    tabs = st.tabs([t("quality.by_rule"), t("quality.by_category"), t("quality.by_supplier")])
    with tabs[0]:
        _bar(page, queries.counts_by(page.con, "code", filters), t("quality.by_rule"),
             lambda c: rule_label(page, c))
    with tabs[1]:
        _bar(page, queries.counts_by(page.con, "category", filters), t("quality.by_category"),
             lambda c: c or t("quality.none"))
    with tabs[2]:
        _bar(page, queries.counts_by(page.con, "supplier", filters), t("quality.by_supplier"),
             lambda c: c or t("quality.none"))


def filter_bar(page: Page) -> dict[str, list[str]]:
    """Multiselects (keys ``quality_f_<name>``) over the current violations; returns the chosen values."""
    t = page.t
    options = queries.filter_options(page.con)
    formats = {"code": lambda c: rule_label(page, c), "severity": lambda s: severity_label(page, s)}
    cols = st.columns(len(queries.FILTER_KEYS))
    chosen = {}
    for col, key in zip(cols, queries.FILTER_KEYS):
        chosen[key] = col.multiselect(t(f"quality.filter.{key}"), options[key], key=f"quality_f_{key}",
                                      format_func=formats.get(key, str), placeholder=t("quality.all"))
    return chosen


def table(page: Page, filters: dict) -> pd.DataFrame:
    """The filtered violations, one page at a time; returns the page shown."""
    t = page.t
    total = queries.count_rows(page.con, filters)
    c1, c2, c3 = st.columns([2, 1, 1])
    size = c3.selectbox(t("quality.page_size"), PAGE_SIZES, index=1, key="quality_page_size")
    pages = max(1, math.ceil(total / size))
    number = c2.number_input(t("common.page"), min_value=1, max_value=pages, value=1, step=1, key="quality_page")
    c1.caption(t("quality.rows", n=f"{total:,}".replace(",", " "), page=int(number), pages=pages))
    rows = queries.page_rows(page.con, filters, int(number), size)
    shown = rows.assign(severity=rows["severity"].map(lambda s: severity_label(page, s)),
                        code=rows["code"].map(lambda c: rule_label(page, c)))
    st.dataframe(shown.rename(columns={c: t(f"quality.col.{c}") for c in shown.columns}),
                 hide_index=True, width="stretch", key="quality_table")
    return rows


def downloads(page: Page, filters: dict) -> None:
    """CSV/XLSX of the filtered violations, built only when clicked (formula injection neutralised)."""
    t = page.t
    c1, c2 = st.columns(2)
    c1.download_button(t("common.download_csv"), lambda: to_csv_bytes(queries.export_rows(page.con, filters)),
                       file_name="violations.csv", mime="text/csv", key="quality_dl_csv")
    c2.download_button(t("common.download_xlsx"),
                       lambda: to_xlsx_bytes(queries.export_rows(page.con, filters), sheet="violations"),
                       file_name="violations.xlsx", key="quality_dl_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption(t("quality.export_note", max=f"{queries.EXPORT_MAX_ROWS:,}".replace(",", " ")))


def product_panel(page: Page, filters: dict) -> None:
    """Pick a violating SKU (or type one) and see its fields with the problems highlighted."""
    t = page.t
    skus = queries.violating_skus(page.con, filters)
    c1, c2 = st.columns(2)
    picked = c1.selectbox(t("quality.pick_sku"), skus, index=0 if skus else None, key="quality_sku_pick",
                          placeholder=t("quality.none"))
    typed = c2.text_input(t("quality.type_sku"), key="quality_sku").strip()
    sku = typed or picked
    if not sku:
        return
    view = queries.product_view(page.con, sku)
    if view.empty or not (view["field"] == "sku").any():
        st.info(t("quality.unknown_sku", sku=sku))
        return
    styled = (view.rename(columns={c: t(f"quality.col.{c}") for c in view.columns})
              .style.apply(lambda row: [HIGHLIGHT.get(view.loc[row.name, "severity"], "")] * len(row), axis=1))
    st.dataframe(styled, hide_index=True, width="stretch", key="quality_product")
