"""Import a product file as the catalogue: ``import_file(con, path) -> ImportResult``.

One statement reads the file and writes a new staging table with the canonical columns (typed),
their ``_raw`` text, ``_row``, the derived columns (:mod:`core.catalog.derived`) and the file's other
columns, in ``_row`` order (a contract: see :mod:`core.catalog.store`). It is validated,
then ONE transaction drops the old ``products``, renames the staging table and records the
``catalog_imports`` row. A failure anywhere before that commit leaves ``products`` and every other
table as they were, records a failed ``catalog_imports`` row and raises
:class:`~core.catalog.errors.CatalogImportError` (message key + line/column).
"""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.catalog import textfile
from core.catalog.columns import COLUMNS
from core.catalog.errors import CatalogImportError
from core.catalog.names import ColumnMatch, column_letter, match_columns
from core.catalog.normalise import canonical_sql
from core.catalog.sources import Source, csv_source, is_not_utf8, open_source, reader_detail
from core.catalog.store import PRODUCTS
from core.db import quote_ident, runtime_dir
from core.catalog import derived

STAGING_PREFIX = "_products_import_"
# Text and list columns are stored without compression: DuckDB's string compression (dictionary + FSST,
# analysed then applied to every text column, lists' items included) was ~25 % of the import's CPU at 1M
# rows (8.0 -> 6.2 CPU-s, 4.75 -> 3.96 s wall in 4 interleaved runs, bench/bench_import.py), for a
# products table ~1.75x bigger on disk (413 -> 719 MB without the derived columns). A catalogue is
# replaced whole by each import and read by scans: the CPU matters more than the file. Numbers and
# booleans keep DuckDB's choice (cheap to compress, and they shrink most); so does the derived-version
# stamp (one value repeated: constant-compressed to nothing).
UNCOMPRESSED_TYPES = ("VARCHAR", "VARCHAR[]")
# DuckDB's memory during an import. Uncapped (80 % of RAM), it kept the freshly written, uncompressed blocks
# of a 1M-row Parquet import in memory: 1.83-1.86 GB peak; capped at 1 GB, 1.07 GB peak and the same time
# (DuckDB writes them out sooner, bench/bench_import.py). A global setting: reset afterwards to DuckDB's
# default, which the dashboard never changes (core.db).
IMPORT_MEMORY_LIMIT = "1GB"
DUPLICATES_LISTED = 200     # duplicate SKUs listed in the result (all are counted)
SWAP_ATTEMPTS = 5


@dataclass(frozen=True)
class DuplicateSku:
    """A SKU found on several lines (all kept)."""
    sku: str
    count: int
    lines: tuple[int, ...]      # lines as a spreadsheet shows them (first 10)


@dataclass(frozen=True)
class ImportResult:
    """What an import did; ``import_id`` identifies this version of the catalogue."""
    import_id: int
    rows: int
    file_name: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    column_map: dict[str, str | None]      # canonical name -> file column (None: not in the file)
    extra_columns: tuple[str, ...]         # other file columns, kept under these names
    duplicate_count: int                   # SKUs present more than once
    duplicate_skus: tuple[DuplicateSku, ...] = field(default=())
    blank_skus: int = 0                    # products without a SKU (kept; the quality rules flag them)
    seconds: float = 0.0


def _select_sql(source: Source, match: ColumnMatch, blank: str | None = None) -> str:
    """The one statement that turns the source's text columns into the products table.

    Lines whose every cell is empty are left out, or, with ``blank`` (a column name), kept and
    flagged in that extra column (for :func:`_number_rows`, which needs every record in place)."""
    inner = ["CAST(_row AS BIGINT) AS _row"]
    for col in COLUMNS:
        idx = match.canonical[col.name]
        ref = f"c{idx + 1}" if idx is not None else None
        inner.append(f"{canonical_sql(col, ref)} AS {quote_ident(col.name)}")
        if col.keeps_raw:
            inner.append(f"{ref or 'CAST(NULL AS VARCHAR)'} AS {quote_ident(col.name + '_raw')}")
    inner += [f"c{i + 1} AS {quote_ident(name)}" for i, name in match.extras.items()]
    # Lines whose every cell is empty (Excel's trailing ";;;;") are not products.
    cells = ", ".join(f"c{i + 1}" for i in range(len(source.headers)))
    empty = f"coalesce({cells}) IS NULL" if cells else "false"
    where = "" if blank else f"WHERE NOT ({empty})"
    if blank:
        inner.append(f"{empty} AS {quote_ident(blank)}")
    canonical = ", ".join(quote_ident(c.name) for c in COLUMNS)
    raws = "".join(f", {quote_ident(c.name + '_raw')}" for c in COLUMNS if c.keeps_raw)
    extras = "".join(f", {quote_ident(name)}" for name in match.extras.values())
    flag = f", {quote_ident(blank)}" if blank else ""
    return derived.select_sql(f"SELECT _row, {canonical}{raws}{extras}{flag} "
                              f"FROM (SELECT {', '.join(inner)} FROM ({source.sql}) AS src {where}) AS typed")


def _write_products(con: duckdb.DuckDBPyConnection, staging: str, source: Source, match: ColumnMatch) -> None:
    """Create and fill the staging table from ``source`` (numbering its records when needed)."""
    blank = f"_blank_{uuid.uuid4().hex}" if source.numbered_by_order else None
    _write_staging(con, staging, _select_sql(source, match, blank))
    if blank:
        _number_rows(con, staging, blank)


def _number_rows(con: duckdb.DuckDBPyConnection, staging: str, blank: str) -> None:
    """Record numbers from file order, then the empty lines out (a Source ``numbered_by_order``).

    The staging table holds every record in file order (order-preserving insert), so a record's
    number is its ``rowid`` + 1; empty lines are deleted only once everyone is numbered."""
    con.execute(f"UPDATE {staging} SET _row = rowid + 1")
    con.execute(f"DELETE FROM {staging} WHERE {quote_ident(blank)}")
    con.execute(f"ALTER TABLE {staging} DROP COLUMN {quote_ident(blank)}")


def _uncompressed(name: str, sql_type: str) -> bool:
    return sql_type in UNCOMPRESSED_TYPES and name != derived.VERSION_COLUMN


def _write_staging(con: duckdb.DuckDBPyConnection, staging: str, select: str) -> None:
    """Create ``staging`` with the columns of ``select`` (text and lists uncompressed) and fill it in file order.

    Insertion order is kept for this statement only (a session setting): a parallel read then still
    writes the products in file order, which numbers CSV records (:func:`_number_rows`) and which the
    readers of ``products`` may rely on (core.catalog.store)."""
    described = con.execute(f"DESCRIBE {select}").fetchall()
    columns = ", ".join(f"{quote_ident(name)} {sql_type}"
                        + (" USING COMPRESSION uncompressed" if _uncompressed(name, sql_type) else "")
                        for name, sql_type, *_ in described)
    con.execute(f"CREATE TABLE {staging} ({columns})")
    # Kept order costs a one-thread end (~1 s at 1M rows on 2 cores, as DuckDB's own ordered read_csv): the
    # CSV reader numbers its ~8 MB ranges as batches (~13k rows here), DuckDB's batch insert copies runs of
    # them into ~full row groups, and the last of those copies plus its Finalize (every batch not yet
    # merged) run on one thread. Measured and not adopted (README, Catalogue import): other CSV range sizes
    # (2-16 MB: same end), ranges above a row group (no copies, but partial row groups that the next
    # checkpoint merges: +4 s), more threads than cores, allocator and write-buffer settings.
    con.execute("SET SESSION preserve_insertion_order = true")
    try:
        con.execute(f"INSERT INTO {staging} {select}")
    finally:
        con.execute("RESET SESSION preserve_insertion_order")


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_WIDTH = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _duckdb_error(exc: duckdb.Error, source: Source) -> CatalogImportError:
    """Translate DuckDB's reader errors into our message keys, keeping line and column."""
    text = str(exc)
    line = _LINE.search(text)
    width = _WIDTH.search(text)
    if line and width:
        expected, found = int(width.group(1)), int(width.group(2))
        return CatalogImportError("ragged", line=int(line.group(1)), expected=expected, found=found,
                                  column=column_letter(min(expected, found)))
    if line and "unterminated quote" in text:
        return CatalogImportError("unclosed_quote", line=int(line.group(1)))
    if line and ("maximum line size" in text.lower() or "line size" in text.lower()):
        return CatalogImportError("line_too_long", line=int(line.group(1)), limit_mb=textfile.LIMIT_MB)
    if line:
        return CatalogImportError("unreadable_line", line=int(line.group(1)), detail=reader_detail(exc))
    return CatalogImportError("unreadable", detail=reader_detail(exc))


def drop_leftovers(con: duckdb.DuckDBPyConnection) -> None:
    """Drop staging tables left by an import killed mid-way (a failed one drops its own).

    Called at start-up (core.bootstrap), never during an import: another session's import may be
    staging at that very moment.
    """
    for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND starts_with(table_name, ?)", [STAGING_PREFIX]).fetchall():
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")


def _record_failure(con, file_name: str, fmt: str | None, error: CatalogImportError) -> None:
    con.execute(
        "INSERT INTO catalog_imports (file_name, file_format, finished_at, status, error_code, error_params) "
        "VALUES (?, ?, current_timestamp, 'failed', ?, ?)",
        [file_name, fmt, error.code, json.dumps(error.params, default=str, ensure_ascii=False)])


def _duplicates(con, table: str, header_lines: int) -> tuple[int, tuple[DuplicateSku, ...]]:
    """How many SKUs repeat, and the first :data:`DUPLICATES_LISTED` of them with their lines."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _import_dups AS SELECT sku, count(*) AS n, min(_row) AS first "
                f"FROM {table} WHERE sku IS NOT NULL GROUP BY sku HAVING count(*) > 1")
    try:
        count = con.execute("SELECT count(*) FROM _import_dups").fetchone()[0]
        rows = con.execute(
            f"SELECT d.sku, d.n, list(t._row + ? ORDER BY t._row)[1:10] "
            f"FROM (SELECT * FROM _import_dups ORDER BY first LIMIT {DUPLICATES_LISTED}) AS d "
            f"JOIN {table} AS t ON t.sku = d.sku GROUP BY d.sku, d.n, d.first ORDER BY d.first",
            [header_lines]).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS temp._import_dups")
    return int(count), tuple(DuplicateSku(s, int(n), tuple(int(x) for x in lines)) for s, n, lines in rows)


def _swap(con: duckdb.DuckDBPyConnection, staging: str, record: list) -> int:
    """In one transaction: old ``products`` out, staging table in, import recorded; its import_id.

    Two imports finishing together conflict in DuckDB; the later one is retried, so the last
    import to finish is the catalogue (as if they had run one after the other).
    """
    for attempt in range(SWAP_ATTEMPTS):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DROP TABLE IF EXISTS {PRODUCTS}")
            con.execute(f"ALTER TABLE {staging} RENAME TO {PRODUCTS}")
            import_id = con.execute(
                "INSERT INTO catalog_imports (file_name, file_format, encoding, delimiter, finished_at, status, "
                "row_count, duplicate_skus, column_map) VALUES (?, ?, ?, ?, current_timestamp, 'ok', ?, ?, ?) "
                "RETURNING import_id", record).fetchone()[0]
            con.execute("COMMIT")
            return int(import_id)
        except duckdb.TransactionException:
            _rollback(con)
            time.sleep(0.05 * (attempt + 1))
        except BaseException:
            _rollback(con)
            raise
    raise CatalogImportError("concurrent_import")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass    # a failed COMMIT has already ended the transaction


def import_file(con: duckdb.DuckDBPyConnection, path: str | Path, *, file_name: str | None = None,
                column_map: dict[str, str | None] | None = None) -> ImportResult:
    """Replace the catalogue with the products of ``path`` (CSV, XLSX, JSON, JSON Lines, Parquet).

    ``file_name`` is the name the user knows (an upload is saved under another); ``column_map``
    (canonical name -> file column, or None for "not in this file") answers a previous
    :class:`~core.catalog.errors.MissingColumns`. Raises CatalogImportError; never leaves a partial
    catalogue behind. DuckDB's memory is capped at :data:`IMPORT_MEMORY_LIMIT` meanwhile.
    """
    con.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
    try:
        return _import_file(con, path, file_name=file_name, column_map=column_map)
    finally:
        con.execute("RESET memory_limit")


def _import_file(con: duckdb.DuckDBPyConnection, path: str | Path, *, file_name: str | None,
                 column_map: dict[str, str | None] | None) -> ImportResult:
    started = time.perf_counter()
    path = Path(path)
    file_name = file_name or path.name
    staging = quote_ident(STAGING_PREFIX + uuid.uuid4().hex)
    source: Source | None = None
    fmt = None
    try:
        if not path.is_file():
            raise CatalogImportError("not_found", file=file_name)
        # DuckDB's progress estimate feeds the import job's progress bar (core.catalog.import_job.live_progress);
        # never drawn on stdout (noise in the server log). Tracking it cost nothing measurable (200k rows, A/B).
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 200")
        source = open_source(con, path, file_name, runtime_dir() / "imports")
        fmt = source.file_format
        match = match_columns(source.headers, column_map)
        derived.prepare(con)
        try:
            _write_products(con, staging, source, match)
        except duckdb.Error as exc:
            if not is_not_utf8(exc, source):
                raise _duckdb_error(exc, source) from None
            # Past its first 256 KB the file is not UTF-8 (DuckDB checks while reading): Windows-1252.
            con.execute(f"DROP TABLE IF EXISTS {staging}")
            source.discard()
            source = csv_source(path, runtime_dir() / "imports", cp1252=True)
            match = match_columns(source.headers, column_map)   # the header may read differently
            try:
                _write_products(con, staging, source, match)
            except duckdb.Error as exc2:
                raise _duckdb_error(exc2, source) from None
        rows, blank = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE sku IS NULL OR trim(sku) = '') FROM {staging}").fetchone()
        if rows == 0:
            raise CatalogImportError("no_rows")
        dup_count, dups = _duplicates(con, staging, source.header_lines)
        names = match.names(source.headers)
        import_id = _swap(con, staging, [file_name, fmt, source.encoding, source.delimiter, rows, dup_count,
                                         json.dumps(names, ensure_ascii=False)])
    except CatalogImportError as error:
        con.execute(f"DROP TABLE IF EXISTS {staging}")
        _record_failure(con, file_name, fmt, error)
        raise
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {staging}")
        raise
    finally:
        if source is not None:
            source.discard()
        con.execute("DROP TABLE IF EXISTS temp._import_json")
    return ImportResult(int(import_id), int(rows), file_name, fmt, source.encoding, source.delimiter, names,
                        tuple(match.extras.values()), dup_count, dups, int(blank),
                        round(time.perf_counter() - started, 3))
