"""Read each supported file format as DuckDB SQL: text columns ``c1``…``cN`` plus ``_row``.

The file's own column names never enter SQL: they are returned as ``headers`` (positional, so
``x"; DROP TABLE …`` is just a name) and columns are addressed by position. One reader per format:
CSV (any encoding/delimiter handled in :mod:`textfile` and :mod:`dialect`), XLSX (streamed to CSV),
JSON (array or JSON Lines), Parquet. Nothing is loaded into pandas.
"""
from __future__ import annotations

import csv
import re
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.catalog import dialect, textfile
from core.catalog.errors import CatalogImportError
from core.catalog.names import clean_headers, column_letter

FORMATS = ("csv", "xlsx", "json", "parquet")
_EXTENSIONS = {"csv": "csv", "txt": "csv", "tsv": "csv", "xlsx": "xlsx", "xlsm": "xlsx",
               "json": "json", "jsonl": "json", "ndjson": "json", "parquet": "parquet", "pq": "parquet"}


@dataclass
class Source:
    """A file ready to be selected from: ``sql`` yields ``_row`` and ``c1``…``cN`` as VARCHAR."""
    sql: str
    headers: list[str]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_lines: int = 1          # added to ``_row`` to give the line a spreadsheet shows
    # True: ``_row`` is NULL in ``sql``; the record number is the position in file order, which the
    # importer writes down after an order-preserving insert (see importer._number_rows).
    numbered_by_order: bool = False
    temporary: list[Path] = field(default_factory=list)

    def discard(self) -> None:
        """Delete the temporary files made while reading."""
        for path in self.temporary:
            path.unlink(missing_ok=True)


def sql_string(value: str) -> str:
    """A single-quoted SQL literal."""
    return "'" + str(value).replace("'", "''") + "'"


def detect_format(path: Path, file_name: str) -> str:
    """The format from the file's first bytes, else from its extension."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CatalogImportError("xls_unsupported")
    ext = Path(file_name).suffix.lower().lstrip(".")
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    with open(path, "rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if start[:1] in (b"[", b"{") else "csv"


def reader_detail(exc: Exception) -> str:
    """DuckDB's explanation without its error class or our internal file path (uploads are renamed)."""
    first = str(exc).splitlines()[0]
    first = re.sub(r'^[A-Za-z ]*Error: ', "", first)
    return re.sub(r' in file "[^"]*"|"[^"]*/[^"]*"', "", first).strip()[:200]


def _positional(n: int) -> list[str]:
    return [f"c{i + 1}" for i in range(n)]


def csv_source(path: Path, workdir: Path, *, cp1252: bool = False) -> Source:
    """CSV read by DuckDB with the delimiter chosen here and every column as text.

    Only the file's beginning is checked for UTF-8 here: DuckDB refuses invalid UTF-8 while reading
    (:func:`is_not_utf8` tells that error), and the importer then asks again with ``cp1252=True``.
    """
    text = textfile.cp1252_copy(path, workdir) if cp1252 else textfile.to_utf8(path, workdir, reader_checks_utf8=True)
    try:
        sample = text.sample()
        if "\r" in sample and "\n" not in sample:
            sample = sample.replace("\r", "\n")     # old Mac line ends; DuckDB detects them itself
        delimiter, skip = dialect.excel_sep_line(sample)
        if skip:
            sample = sample.split("\n", 1)[1] if "\n" in sample else ""
        else:
            delimiter = dialect.sniff_delimiter(sample)
        headers = clean_headers(dialect.read_header(sample, delimiter))
        columns = ", ".join(f"'{c}': 'VARCHAR'" for c in _positional(len(headers)))
        read = (f"read_csv({sql_string(str(text.path))}, delim={sql_string(delimiter)}, quote='\"', "
                f"escape='\"', header=true, skip={skip}, auto_detect=false, columns={{{columns}}}, "
                f"max_line_size={textfile.MAX_LINE_BYTES + 1024}, "
                f"buffer_size={4 * textfile.MAX_LINE_BYTES})")
        # No WITH ORDINALITY here: DuckDB runs a statement holding it on one thread (its streaming
        # window is not a parallel operator), 3x the wall time of read_csv at 1M rows. The importer
        # numbers the records from their position instead (Source.numbered_by_order).
        sql = f"SELECT CAST(NULL AS BIGINT) AS _row, * FROM {read}"
    except BaseException:
        text.discard()
        raise
    return Source(sql, headers, "csv", text.encoding, delimiter, header_lines=1 + skip,
                  temporary=[text.path] if text.temporary else [], numbered_by_order=True)


def is_not_utf8(exc: Exception, source: Source) -> bool:
    """True when ``exc`` is DuckDB refusing bytes that are not UTF-8 in a CSV taken for UTF-8.

    Only a file as uploaded can be in another encoding: a copy this module wrote (re-encoded,
    or a workbook) is UTF-8 by construction."""
    return (source.file_format == "csv" and source.encoding in ("utf-8", "utf-8-sig")
            and "Invalid unicode" in str(exc))


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))        # an EAN typed as a number in Excel must not read "…931.0"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def xlsx_source(path: Path, workdir: Path) -> Source:
    """First sheet of a workbook, streamed row by row (openpyxl read-only) into a UTF-8 CSV.

    The one per-row Python loop of the import: a workbook can only be parsed by a library, and Excel
    caps a sheet at 1,048,576 rows; the CSV then goes through DuckDB like any other.
    """
    import openpyxl  # noqa: PLC0415 - only needed for workbooks

    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"import-{uuid.uuid4().hex}.csv"
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is no workbook
        raise CatalogImportError("invalid_xlsx", detail=type(exc).__name__) from None
    try:
        ws = wb.worksheets[0]
        with open(target, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=",", quotechar='"', lineterminator="\n")
            width = None
            for line, row in enumerate(ws.iter_rows(values_only=True), 1):
                cells = [_cell_text(v) for v in row]
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                if width is None:
                    headers = clean_headers(cells)
                    width = len(headers)
                    if width == 0:
                        raise CatalogImportError("empty")
                    writer.writerow(headers)
                    continue
                if len(cells) > width:
                    raise CatalogImportError("ragged", line=line, expected=width, found=len(cells),
                                             column=column_letter(width))
                writer.writerow(cells + [None] * (width - len(cells)))
            if width is None:
                raise CatalogImportError("empty")
    except CatalogImportError:
        target.unlink(missing_ok=True)
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails mid-way with openpyxl's own errors
        target.unlink(missing_ok=True)
        raise CatalogImportError("invalid_xlsx", detail=type(exc).__name__) from None
    finally:
        wb.close()
    src = csv_source(target, workdir)
    src.file_format, src.encoding = "xlsx", None
    src.temporary.append(target)
    return src


def json_source(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path) -> Source:
    """JSON array of objects or JSON Lines; keys become columns in order of first appearance."""
    text = textfile.to_utf8(path, workdir, max_line=False)
    objects = f"read_json_objects({sql_string(str(text.path))}, format='auto', maximum_object_size=134217728)"
    records = f"(SELECT ordinality AS _row, json FROM {objects} WITH ORDINALITY)"
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _import_json AS SELECT * FROM {records}")
        bad = con.execute("SELECT min(_row) FROM _import_json WHERE json_type(json) <> 'OBJECT'").fetchone()[0]
        if bad is not None:
            raise CatalogImportError("json_not_objects", record=int(bad))
        keys = [r[0] for r in con.execute(
            "SELECT key FROM (SELECT _row, unnest(json_keys(json)) AS key FROM _import_json) "
            "GROUP BY key ORDER BY min(_row), key").fetchall()]
    except duckdb.Error as exc:
        text.discard()
        raise CatalogImportError("invalid_json", detail=reader_detail(exc)) from None
    except BaseException:
        text.discard()
        raise
    # JSON keys may differ only by case: refuse as for any duplicate column.
    headers = clean_headers(keys)
    cols = ", ".join(f"json ->> {sql_string(k)} AS c{i + 1}" for i, k in enumerate(keys))
    sql = f"SELECT _row, {cols} FROM _import_json" if keys else "SELECT _row FROM _import_json"
    return Source(sql, headers, "json", text.encoding, None, header_lines=0,
                  temporary=[text.path] if text.temporary else [])


def parquet_source(con: duckdb.DuckDBPyConnection, path: Path) -> Source:
    """Parquet columns cast to text (lists and structs as JSON text)."""
    read = f"read_parquet({sql_string(str(path))}, file_row_number=true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()
    except duckdb.Error as exc:
        raise CatalogImportError("invalid_parquet", detail=reader_detail(exc)) from None
    fields = [(name, typ) for name, typ, *_ in described if name != "file_row_number"]
    headers = clean_headers([name for name, _ in fields])
    exprs = []
    for i, (name, typ) in enumerate(fields):
        ref = '"' + name.replace('"', '""') + '"'
        nested = typ.endswith("]") or typ.startswith(("STRUCT", "MAP", "UNION"))
        exprs.append(f"CAST(to_json({ref}) AS VARCHAR) AS c{i + 1}" if nested
                     else f"CAST({ref} AS VARCHAR) AS c{i + 1}")
    sql = f"SELECT file_row_number + 1 AS _row, {', '.join(exprs)} FROM {read}"
    return Source(sql, headers, "parquet")


def open_source(con: duckdb.DuckDBPyConnection, path: Path, file_name: str, workdir: Path) -> Source:
    """The :class:`Source` for ``path`` whatever its format."""
    fmt = detect_format(path, file_name)
    if fmt == "xlsx":
        return xlsx_source(path, workdir)
    if fmt == "parquet":
        return parquet_source(con, path)
    if fmt == "json":
        return json_source(con, path, workdir)
    return csv_source(path, workdir)
