"""Files for humans (CSV and XLSX of violations, rejects, error reports) with spreadsheet formula
injection neutralised: a cell starting with ``= + - @`` (or a tab/CR) would run as a formula in Excel,
so it is prefixed with ``'``. Never used for Amazon-bound files, where the prefix would be stored.
"""
from __future__ import annotations

import io

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` made safe to open in a spreadsheet (strings only; numbers pass unchanged)."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM (so that Excel reads the accents), ``;``-separated as French Excel expects."""
    return neutralise_frame(df).to_csv(index=False, sep=";").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """An XLSX workbook with ``df`` on one sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(df).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()
