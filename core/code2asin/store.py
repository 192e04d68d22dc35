"""The ``asin_matches`` table: what Code2ASIN found for each EAN, and which ASIN each EAN uses.

One row per (EAN-13, marketplace, ASIN); an EAN without any item has one row with ``asin`` NULL.
``match_status`` is the EAN's outcome (same on all its rows, see :mod:`core.code2asin.matching`);
``chosen`` marks the ASIN the export attaches the offers to (at most one per EAN and marketplace).
A batch is written in one transaction (its previous rows replaced), so a re-run never duplicates.
Marketplaces are stored by code (FR, DE …) as in the settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from core.catalog.store import has_catalogue
from core.code2asin import selected
from core.code2asin.eligible import ean13_sql
from core.code2asin.matching import CONFLICT, MULTIPLE, STATUSES, Match
from core.marketplaces import MARKETPLACES
from core.selection import Selection, products_sql, sql_literal

TABLE = "asin_matches"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    ean            VARCHAR NOT NULL,     -- EAN-13 form (a UPC-12 gets a leading 0)
    marketplace    VARCHAR NOT NULL,     -- FR, DE … (core.marketplaces)
    asin           VARCHAR,              -- NULL when NOT_FOUND
    item_name      VARCHAR,
    brand          VARCHAR,              -- Amazon's brand of the item
    product_type   VARCHAR,
    classification VARCHAR,              -- BASE_PRODUCT | PRODUCT_BUNDLE | OTHER …
    parent_asin    VARCHAR,              -- variation parent, when the item is a child
    match_status   VARCHAR NOT NULL,     -- MATCHED | MULTIPLE | NOT_FOUND | CONFLICT
    chosen         BOOLEAN NOT NULL DEFAULT false,
    checked_at     TIMESTAMP NOT NULL
);
""" + selected.SCHEMA

# Statuses where the user picks (or confirms) the ASIN.
NEEDS_CHOICE: tuple[str, ...] = (MULTIPLE, CONFLICT)
RESULT_COLUMNS = ("ean", "skus", "asin", "item_name", "brand", "product_brand", "product_type", "classification",
                  "parent_asin", "match_status", "chosen", "checked_at")


class InvalidChoice(ValueError):
    """The ASIN given is not a candidate of that EAN (choices are re-validated, never trusted)."""


def marketplace_code(marketplace: str) -> str:
    """``FR`` for ``FR`` or for Amazon.fr's id ``A13V1IB3VIYZZH`` (either spelling is accepted)."""
    for m in MARKETPLACES:
        if marketplace in (m.code, m.marketplace_id):
            return m.code
    raise ValueError(f"unknown marketplace {marketplace!r}")


def previous_choices(con: duckdb.DuckDBPyConnection, marketplace: str, eans: list[str]) -> dict[str, str]:
    """The ASIN currently chosen for each of ``eans`` (those with one)."""
    rows = con.execute(f"SELECT ean, asin FROM {TABLE} WHERE marketplace = ? AND chosen AND ean IN "
                       "(SELECT unnest(?::VARCHAR[]))", [marketplace, eans]).fetchall()
    return dict(rows)


def replace_rows(con: duckdb.DuckDBPyConnection, marketplace: str, eans: list[str], matches: list[Match],
                 checked_at: datetime) -> None:
    """Replace the rows of ``eans`` by ``matches`` (call inside the caller's transaction)."""
    con.execute(f"DELETE FROM {TABLE} WHERE marketplace = ? AND ean IN (SELECT unnest(?::VARCHAR[]))",
                [marketplace, eans])
    rows = [[m.ean, marketplace, m.asin, *(_item_fields(m)), m.status, m.chosen, checked_at] for m in matches]
    if rows:
        con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _item_fields(m: Match) -> tuple:
    i = m.item
    return (i.item_name, i.brand, i.product_type, i.classification, i.parent_asin) if i else (None,) * 5


def choose(con: duckdb.DuckDBPyConnection, ean: str, marketplace: str, asin: str | None) -> None:
    """Make ``asin`` the EAN's chosen ASIN (None: no ASIN, the export creates a new listing).

    Raises :class:`InvalidChoice` when ``asin`` is not one of the EAN's candidates.
    """
    if asin is not None:
        ok = con.execute(f"SELECT count(*) FROM {TABLE} WHERE ean = ? AND marketplace = ? AND asin = ?",
                         [ean, marketplace, asin]).fetchone()[0]
        if not ok:
            raise InvalidChoice(asin)
    con.execute(f"UPDATE {TABLE} SET chosen = coalesce(asin = ?, false) WHERE ean = ? AND marketplace = ?",
                [asin, ean, marketplace])


def candidates(con: duckdb.DuckDBPyConnection, ean: str, marketplace: str) -> pd.DataFrame:
    """The ASINs found for one EAN (asin, item_name, brand, product_type, parent_asin, chosen)."""
    return con.execute(
        f"SELECT asin, item_name, brand, product_type, parent_asin, chosen, match_status FROM {TABLE} "
        "WHERE ean = ? AND marketplace = ? AND asin IS NOT NULL ORDER BY asin", [ean, marketplace]).df()


# ---------------------------------------------------------------- reading, for the page and the exports
@dataclass(frozen=True)
class Counts:
    """Outcome of the selection's EANs on one marketplace (EANs, not rows)."""
    eligible: int
    by_status: dict[str, int]
    chosen: int          # EANs with a chosen ASIN: their offers will attach to an existing listing

    @property
    def checked(self) -> int:
        return sum(self.by_status.values())

    @property
    def pending(self) -> int:
        return self.eligible - self.checked


def counts(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None) -> Counts:
    """How many of the selection's EANs are in each status, chosen, or not checked yet."""
    if not has_catalogue(con):
        return Counts(0, {s: 0 for s in STATUSES}, 0)
    per_status = ", ".join(f"count(*) FILTER (WHERE m.status = {sql_literal(s)})" for s in STATUSES)
    row = con.execute(
        f"WITH e AS {selected.table_sql(con, sel)}, m AS (SELECT ean, any_value(match_status) AS status, "
        f"bool_or(chosen) AS chosen FROM {TABLE} WHERE marketplace = ? GROUP BY ean) "
        f"SELECT count(*), count(*) FILTER (WHERE m.chosen), {per_status} FROM e LEFT JOIN m USING (ean)",
        [marketplace]).fetchone()
    return Counts(int(row[0]), dict(zip(STATUSES, map(int, row[2:]))), int(row[1]))


def _results_where(statuses: tuple[str, ...] | None, search: str) -> tuple[str, list]:
    clauses, params = ["TRUE"], []
    if statuses:
        clauses.append("m.match_status IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(statuses))
    text = search.strip().lower()
    if text:
        clauses.append("(contains(m.ean, ?) OR contains(lower(e.skus), ?) OR contains(lower(coalesce(m.asin, '')), ?)"
                       " OR contains(lower(coalesce(m.item_name, '')), ?))")
        params += [text] * 4
    return " AND ".join(clauses), params


def _results_sql(con, sel: Selection | None, where: str) -> str:
    return (f"SELECT m.ean, e.skus, m.asin, m.item_name, m.brand, e.product_brand, m.product_type, "
            f"m.classification, m.parent_asin, m.match_status, m.chosen, m.checked_at "
            f"FROM {TABLE} AS m JOIN {selected.table_sql(con, sel)} AS e USING (ean) "
            f"WHERE m.marketplace = ? AND {where}")


def results_count(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None,
                  statuses: tuple[str, ...] | None = None, search: str = "") -> int:
    """How many result rows match the filters (for paging)."""
    if not has_catalogue(con):
        return 0
    where, params = _results_where(statuses, search)
    return int(con.execute(f"SELECT count(*) FROM ({_results_sql(con, sel, where)})", [marketplace, *params]).fetchone()[0])


def results_page(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None,
                 statuses: tuple[str, ...] | None = None, search: str = "", *, offset: int = 0,
                 limit: int = 50) -> pd.DataFrame:
    """One page of result rows (columns :data:`RESULT_COLUMNS`), by EAN then ASIN."""
    if not has_catalogue(con):
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    where, params = _results_where(statuses, search)
    return con.execute(f"{_results_sql(con, sel, where)} ORDER BY m.ean, m.asin NULLS FIRST LIMIT ? OFFSET ?",
                       [marketplace, *params, int(limit), int(offset)]).df()


def results_frame(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None,
                  statuses: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every result row matching ``statuses`` (the CSV export)."""
    if not has_catalogue(con):
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    where, params = _results_where(statuses, "")
    return con.execute(f"{_results_sql(con, sel, where)} ORDER BY m.ean, m.asin NULLS FIRST",
                       [marketplace, *params]).df()


def asin_for_sku_sql(marketplace: str, sel: Selection | None = None) -> str:
    """SQL selecting ``(sku, asin)``: each product (of ``sel``, default all) whose EAN has a chosen ASIN
    on ``marketplace`` (code ``FR`` or id ``A13V1IB3VIYZZH``). Used by the exports' "association à des
    ASIN existants" mode; SKUs without a chosen ASIN are absent (they need a new listing)."""
    code = sql_literal(marketplace_code(marketplace))
    # Only codes that passed the EAN rules are ever stored, and validity is a property of the code: a
    # 12/13-digit code equal (as EAN-13) to a stored one is that valid code, so the rules need not rerun.
    return (f"SELECT p.sku, m.asin FROM ({products_sql(sel)}) AS p "
            f"JOIN {TABLE} AS m ON m.ean = {ean13_sql()} AND m.marketplace = {code} AND m.chosen "
            "WHERE regexp_full_match(p.ean, '[0-9]{12,13}')")


def eans_needing_choice(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None,
                        limit: int = 500) -> list[tuple[str, str, str, str | None]]:
    """(ean, skus, status, chosen asin) of the selection's EANs with a choice to make, by EAN: MULTIPLE
    and CONFLICT ones, and MATCHED ones that also carry other brands' ASINs."""
    if not has_catalogue(con):
        return []
    return con.execute(
        f"SELECT m.ean, any_value(e.skus), any_value(m.match_status), max(m.asin) FILTER (WHERE m.chosen) "
        f"FROM {TABLE} AS m JOIN {selected.table_sql(con, sel)} AS e USING (ean) WHERE m.marketplace = ? "
        "GROUP BY m.ean HAVING any_value(m.match_status) IN (SELECT unnest(?::VARCHAR[])) OR count(m.asin) > 1 "
        "ORDER BY m.ean LIMIT ?", [marketplace, list(NEEDS_CHOICE), int(limit)]).fetchall()
