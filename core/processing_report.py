"""Amazon's processing report of an uploaded Flat File, brought back into the dashboard.

Seller Central's report (spapi-reference §i) is tab-separated text: a "Feed Processing Summary"
block (records processed / successful), then a header ``original-record-number  sku  error-code
error-type  error-message`` and one line per error or warning. The errors are stored against an
export, joined to the products (by SKU) and to :mod:`core.errors` for the explanation and the fix.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from core.catalog.store import has_catalogue
from core.errors import KNOWN_ERRORS
from core.i18n import message

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS processing_report_seq;
CREATE TABLE IF NOT EXISTS processing_reports (
    id          BIGINT PRIMARY KEY DEFAULT nextval('processing_report_seq'),
    export_id   BIGINT,
    uploaded_at TIMESTAMP DEFAULT current_timestamp,
    file_name   VARCHAR,
    processed   BIGINT,
    successful  BIGINT
);
CREATE TABLE IF NOT EXISTS processing_report_errors (
    report_id  BIGINT,
    record     BIGINT,     -- original-record-number: data line of the uploaded file
    sku        VARCHAR,
    code       VARCHAR,
    type       VARCHAR,    -- Error | Warning (as Amazon writes it)
    message    VARCHAR
);
"""

COLUMNS = ("original-record-number", "sku", "error-code", "error-type", "error-message")


class ReportError(ValueError):
    """The uploaded file is not a processing report; ``key`` is the message key saying why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class ParsedReport:
    processed: int | None
    successful: int | None
    rows: pd.DataFrame       # record, sku, code, type, message


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _count(text: str, label: str) -> int | None:
    m = re.search(label + r"\D*(\d+)", text, re.IGNORECASE)
    return int(m.group(1)) if m else None


def parse(data: bytes) -> ParsedReport:
    """Read a Seller Central processing report (bytes as uploaded)."""
    text = _decode(data)
    if not text.strip():
        raise ReportError("dashboard.report.errors.empty")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().lower().startswith("original-record-number")),
                 None)
    if start is None:
        raise ReportError("dashboard.report.errors.no_header")
    header = [h.strip().lower() for h in lines[start].split("\t")]
    if any(c not in header for c in COLUMNS):
        raise ReportError("dashboard.report.errors.no_header")
    idx = [header.index(c) for c in COLUMNS]
    records = []
    for cells in csv.reader(io.StringIO("\n".join(lines[start + 1:])), delimiter="\t", quoting=csv.QUOTE_NONE):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        record, sku, code, kind, msg = (cells[i].strip() for i in idx)
        records.append((int(record) if record.isdigit() else None, sku, code, kind, msg))
    rows = pd.DataFrame(records, columns=["record", "sku", "code", "type", "message"]).astype(
        {"record": "Int64", "sku": "string", "code": "string", "type": "string", "message": "string"})
    summary = "\n".join(lines[:start])
    return ParsedReport(_count(summary, "records processed"), _count(summary, "records successful"), rows)


def store(con: duckdb.DuckDBPyConnection, export_id: int | None, file_name: str, report: ParsedReport) -> int:
    """Save a parsed report against ``export_id``; returns the report id."""
    report_id = int(con.execute(
        "INSERT INTO processing_reports (export_id, file_name, processed, successful) VALUES (?, ?, ?, ?) RETURNING id",
        [export_id, file_name, report.processed, report.successful]).fetchone()[0])
    rows = report.rows  # noqa: F841 - read by DuckDB's replacement scan below
    con.execute("INSERT INTO processing_report_errors SELECT ?, record, sku, code, type, message FROM rows",
                [report_id])
    return report_id


def _explanations(lang: str) -> pd.DataFrame:
    # One row per (code or pattern, texts): joined set-based to the report's errors.
    out = []
    for e in KNOWN_ERRORS:
        texts = [message(f"errors.{e.key}.{p}", lang) for p in ("title", "cause", "fix")]
        out += [(e.key, c, None, *texts) for c in e.codes]
        out += [(e.key, None, p, *texts) for p in e.patterns]
    return pd.DataFrame(out, columns=["key", "code", "pattern", "title", "cause", "fix"])


def errors(con: duckdb.DuckDBPyConnection, report_id: int, lang: str) -> pd.DataFrame:
    """The report's errors with the product's title (by SKU) and the explanation and fix when known."""
    known = _explanations(lang)  # noqa: F841 - read by DuckDB's replacement scan below
    title = "p.title" if has_catalogue(con) else "NULL::VARCHAR"
    join = "LEFT JOIN (SELECT sku, any_value(title) AS title FROM products GROUP BY sku) p ON p.sku = e.sku" \
        if has_catalogue(con) else ""
    return con.execute(
        f"""WITH e AS MATERIALIZED (SELECT row_number() OVER () AS n, * FROM processing_report_errors WHERE report_id = ?),
                 by_code AS (SELECT e.n, k.title, k.cause, k.fix FROM e JOIN known k ON k.code = e.code),
                 by_text AS (SELECT e.n, arg_min(k.title, k.key) AS title, arg_min(k.cause, k.key) AS cause,
                                    arg_min(k.fix, k.key) AS fix
                             FROM e JOIN known k ON k.pattern IS NOT NULL AND contains(lower(e.message), k.pattern)
                             WHERE e.n NOT IN (SELECT n FROM by_code) GROUP BY e.n),
                 x AS (SELECT * FROM by_code UNION ALL SELECT * FROM by_text)
            SELECT e.record, e.sku, {title} AS title, e.code, e.type, e.message,
                   x.title AS explanation, x.cause, x.fix
            FROM e LEFT JOIN x ON x.n = e.n {join}
            ORDER BY e.record NULLS LAST, e.n""", [report_id]).df()


def reports_of(con: duckdb.DuckDBPyConnection, export_id: int) -> pd.DataFrame:
    """The processing reports uploaded for an export, newest first, with their error counts."""
    return con.execute(
        """SELECT r.id, r.uploaded_at, r.file_name, r.processed, r.successful,
                  count(e.report_id) FILTER (WHERE lower(e.type) LIKE 'error%') AS errors,
                  count(e.report_id) FILTER (WHERE lower(e.type) LIKE 'warn%') AS warnings
           FROM processing_reports r LEFT JOIN processing_report_errors e ON e.report_id = r.id
           WHERE r.export_id = ? GROUP BY ALL ORDER BY r.id DESC""", [export_id]).df()
