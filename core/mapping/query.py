"""A mapping turned into one SQL ``SELECT`` over the selected products: the Flat File rows.

Every value is text, with tabs, carriage returns and line feeds replaced by spaces (a Flat File cell
cannot hold them and is never quoted). The same SQL feeds the preview, the writer and the
Windows-1252 check, so the preview shows exactly what is written.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from core.catalog.store import PRODUCTS
from core.db import quote_ident
from core.mapping.default import MappingRow
from core.mapping.transforms import Context, transform
from core.selection import Selection, products_sql, sql_literal

ROW, SKU = "_row", "_sku"     # helper columns in front of the fields (source line, SKU)


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Type of every column of ``products``."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {PRODUCTS}").fetchall()}


def clean_sql(expr: str) -> str:
    """``expr`` with tabs, CR and LF turned into spaces (plain replace: cheaper than a regex)."""
    return f"replace(replace(replace({expr}, chr(9), ' '), chr(13), ' '), chr(10), ' ')"


def gated_clean_sql(column: str) -> str:
    """:func:`clean_sql` of a *column reference*, paying the replaces only where they change something.

    ``contains`` is a memchr scan while each ``replace`` copies the string, and most values hold no tab
    or line break; descriptions converted from HTML hold line feeds only (one replace). The column is
    read up to four times, so this is only cheap on a computed column, never on a long expression
    (DuckDB does not share sub-expressions across CASE branches). A text converted from HTML needs
    less: see :func:`_line_feeds_only`."""
    tab_or_cr = f"contains({column}, chr(9)) OR contains({column}, chr(13))"
    return (f"CASE WHEN {tab_or_cr} THEN {clean_sql(column)} "
            f"WHEN contains({column}, chr(10)) THEN replace({column}, chr(10), ' ') ELSE {column} END")


def _source_expr(row: MappingRow, types: dict[str, str]) -> tuple[str, Context]:
    if not row.source:
        constant = " ".join(row.constant.replace("\r", " ").replace("\n", " ").replace("\t", " ").split(" "))
        return sql_literal(constant) if constant else "NULL::VARCHAR", Context("", False, "")
    if row.source not in types:
        return "NULL::VARCHAR", Context(row.source, False, "")
    sql_type = types[row.source]
    return f"p.{quote_ident(row.source)}", Context(row.source, sql_type.endswith("[]"), "", sql_type)


def settings_condition(con: duckdb.DuckDBPyConnection) -> str:
    """The condition chosen in Paramètres > Intégrations (new | refurbished | used); "new" without it."""
    try:
        from core.integrations import load_settings  # noqa: PLC0415 - the settings are another module's
        return load_settings(con).condition
    except Exception:  # noqa: BLE001 - no settings module or table yet: the guide's default, Neuf
        return "new"


def value_sql(row: MappingRow, types: dict[str, str], marketplace: str, condition: str = "new") -> str:
    """SQL expression of the (uncleaned) value of ``row`` for one product aliased ``p``.

    ``condition`` is the Paramètres condition, used by the ``condition`` transform when the row
    gives no value (no source and no constant, or an empty source value)."""
    expr, ctx = _source_expr(row, types)
    ctx = Context(ctx.source, ctx.is_list, marketplace, ctx.sql_type, condition)
    return transform(row.transform).sql(expr, row.param, ctx)


def written_sql(row: MappingRow, types: dict[str, str], marketplace: str, condition: str = "new") -> str:
    """SQL expression of the value as written: cleaned of tabs and line breaks when it can hold text."""
    value = value_sql(row, types, marketplace, condition)
    if not _cleaned(row):
        return value
    return _line_feeds_to_spaces(value) if _line_feeds_only(row) else clean_sql(value)


def _line_feeds_only(row: MappingRow) -> bool:
    # A text converted from HTML holds no tab and no CR (core.text.html_to_text_sql's output contract,
    # tested in tests/unit/test_flatfile_text_contract.py): only its line feeds need replacing, one pass instead of
    # three scans and a replace.
    return transform(row.transform).line_feeds_only


def _line_feeds_to_spaces(expr: str) -> str:
    return f"replace({expr}, chr(10), ' ')"


def _cleaned(row: MappingRow) -> bool:
    # A constant was cleaned in Python; a non-text transform (numbers, codes) cannot produce a tab.
    return transform(row.transform).text_output and bool(row.source)


def raw_sql(row: MappingRow, types: dict[str, str]) -> str:
    """SQL expression of the source value as imported (``<name>_raw`` text when kept), for the preview."""
    expr, ctx = _source_expr(row, types)
    if row.source and f"{row.source}_raw" in types:
        return f"p.{quote_ident(row.source + '_raw')}"
    return f"array_to_string({expr}, ' | ')" if ctx.is_list else f"CAST({expr} AS VARCHAR)"


def _from(sel: Selection | None, marketplace: str) -> str:
    # The product type of each category is resolved once per distinct category (saved choice, else
    # suggestion), not once per product: the suggestion is a chain of regexes.
    from core.mapping.product_types import suggestion_sql  # noqa: PLC0415 - avoids an import cycle
    mk = sql_literal(marketplace)
    categories = (f"SELECT k.category, coalesce(nullif(s.product_type, ''), {suggestion_sql('k.category')}) "
                  f"AS product_type, nullif(s.browse_node, '') AS browse_node "
                  f"FROM (SELECT DISTINCT category FROM {PRODUCTS}) AS k LEFT JOIN category_product_types AS s "
                  f"ON s.marketplace = {mk} AND s.category = k.category")
    return f"FROM ({products_sql(sel)}) AS p LEFT JOIN ({categories}) AS c ON c.category = p.category"


def mapped_sql(con: duckdb.DuckDBPyConnection, rows: tuple[MappingRow, ...], marketplace: str,
               sel: Selection | None = None) -> str:
    """``SELECT _row, _sku, <field> …`` for the selected products: the Flat File data, unordered."""
    types, condition = column_types(con), settings_condition(con)
    # Two levels: the inner SELECT computes each value once (v0, v1 …), the outer one cleans the text
    # values with a cheap gate on those columns: the same bytes as written_sql(), several times less
    # work on a large catalogue (bench/bench_flatfile.py).
    inner = [f"p._row AS {ROW}", f"CAST(p.sku AS VARCHAR) AS {SKU}"]
    inner += [f"{value_sql(r, types, marketplace, condition)} AS v{i}" for i, r in enumerate(rows)]
    outer = [ROW, SKU] + [f"{_written_column(r, i)} AS {quote_ident(r.field)}" for i, r in enumerate(rows)]
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} {_from(sel, marketplace)})"


def _written_column(row: MappingRow, i: int) -> str:
    if not _cleaned(row):
        return f"v{i}"
    return _line_feeds_to_spaces(f"v{i}") if _line_feeds_only(row) else gated_clean_sql(f"v{i}")


LINE = "_line"    # a product's whole Flat File line (cells joined by tabs, "\n" at the end)


def lines_sql(con: duckdb.DuckDBPyConnection, rows: tuple[MappingRow, ...], marketplace: str,
              sel: Selection | None = None) -> str:
    """``SELECT _row, _sku, _line`` for the selected products: each one's Flat File line, unordered.

    ``_line`` is exactly the :func:`mapped_sql` fields joined by tabs (NULL as an empty cell) with a
    line feed at the end, which is what the writer writes, built with less work: one test of the short
    text values together (the concatenation of the values holds no tab, CR or LF: true for nearly every
    product) replaces three scans of each of them; only a text converted from HTML, which always holds
    line feeds (and never a tab or CR), keeps its own cleaning: one replace of its line feeds. A product
    failing the test gets the cells of mapped_sql()."""
    types, condition = column_types(con), settings_condition(con)
    inner = [f"p._row AS {ROW}", f"CAST(p.sku AS VARCHAR) AS {SKU}"]
    inner += [f"{value_sql(r, types, marketplace, condition)} AS v{i}" for i, r in enumerate(rows)]
    own = {i for i, r in enumerate(rows) if _cleaned(r) and _line_feeds_only(r)}
    shared = [f"v{i}" for i, r in enumerate(rows) if _cleaned(r) and i not in own]
    cleaned = [_written_column(r, i) for i, r in enumerate(rows)]
    line = "concat(" + ", chr(9), ".join(cleaned) + ", chr(10))" if rows else "chr(10)"
    if shared:
        text = f"concat({', '.join(shared)})"
        as_is = "concat(" + ", chr(9), ".join(c if i in own else f"v{i}" for i, c in enumerate(cleaned)) + ", chr(10))"
        line = (f"CASE WHEN contains({text}, chr(9)) OR contains({text}, chr(10)) OR contains({text}, chr(13)) "
                f"THEN {line} ELSE {as_is} END")
    return f"SELECT {ROW}, {SKU}, {line} AS {LINE} FROM (SELECT {', '.join(inner)} {_from(sel, marketplace)})"


def preview(con: duckdb.DuckDBPyConnection, rows: tuple[MappingRow, ...], marketplace: str,
            sel: Selection | None = None, limit: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``limit`` products exactly as written, and a same-shaped mask of the cells a
    transform changed (the written value differs from the source value, e.g. a title cut at 200)."""
    types, condition = column_types(con), settings_condition(con)
    cols = [f"p._row AS {ROW}"]
    flags = []
    for i, r in enumerate(rows):
        value = written_sql(r, types, marketplace, condition)
        cols.append(f"{value} AS v{i}")
        if r.source and transform(r.transform).changes:
            flags.append(f"({value}) IS DISTINCT FROM ({raw_sql(r, types)}) AS c{i}")
        else:
            flags.append(f"false AS c{i}")
    sql = f"SELECT {', '.join(cols + flags)} {_from(sel, marketplace)} ORDER BY p._row LIMIT {int(limit)}"
    data = con.execute(sql).df()
    fields = [r.field for r in rows]
    values = data[[f"v{i}" for i in range(len(rows))]].set_axis(fields, axis=1)
    changed = data[[f"c{i}" for i in range(len(rows))]].set_axis(fields, axis=1).astype(bool)
    return values, changed
