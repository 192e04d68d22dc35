"""Seller Central Flat File writer: a tab-delimited file with the three header rows of the category
("fptcustom") templates, then one row per product.

Row 1 ``TemplateType=fptcustom``, ``Version=…``, ``TemplateSignature=`` (base64 of the product
types) and the ``settings`` string; row 2 the labels in the marketplace's language; row 3 the
attribute names Amazon keys on (spapi-reference §i). Values never hold tabs or line breaks (the
mapping SQL replaces them), and are never quoted nor prefixed.

The file is written by one DuckDB ``COPY`` whose ``PREFIX`` carries the header rows (one pass; see
PERFORMANCE-NOTES), into a temporary file renamed over the target (atomic). Windows-1252 is
produced by streaming the UTF-8 file through Python's codec, after the rows holding characters
Windows-1252 cannot represent were found set-based (:func:`cp1252_problems_sql`) and left out by the
caller: nothing is silently replaced.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.db import quote_ident
from core.marketplaces import Marketplace
from core.mapping.fields import label

TEMPLATE_VERSION = "2021.1014"
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
_CHUNK = 8 << 20


@dataclass(frozen=True)
class WriteResult:
    path: Path
    rows: int
    bytes: int
    sha256: str


def header_rows(fields: list[str], market: Marketplace, product_types: list[str]) -> list[list[str]]:
    """The three header rows of the template, each as long as ``fields``."""
    signature = base64.b64encode(",".join(sorted(set(product_types)) or ["PRODUCT"]).encode()).decode()
    settings = (f"settings=contentLanguageTag={market.language_tag}&feedType=113&headerLanguageTag="
                f"{market.language_tag}&primaryMarketplaceId=amzn1.mp.o.{market.marketplace_id}"
                f"&attributeRow=3&dataRow=4&labelRow=2")
    first = ["TemplateType=fptcustom", f"Version={TEMPLATE_VERSION}", f"TemplateSignature={signature}", settings,
             "The top 3 rows are for Amazon.com use only. Do not modify or delete the top 3 rows."]
    width = max(len(fields), len(first))
    pad = lambda row: row + [""] * (width - len(row))  # noqa: E731 - every row as wide as the table
    return [pad(first), pad([label(f, market.language_tag) for f in fields]), pad(list(fields))]


def _header_text(rows: list[list[str]]) -> str:
    for row in rows:
        for cell in row:
            if re.search(r"[\t\r\n]", cell):
                raise ValueError("a header cell holds a tab or a line break")
    return "".join("\t".join(r) + "\n" for r in rows)


def _cp1252_class() -> str:
    # Every code point Windows-1252 can encode, as an RE2 character class (computed, not typed).
    chars = sorted({b.to_bytes(1, "big").decode("cp1252", errors="ignore") for b in range(256)} - {""})
    return "".join(f"\\x{{{ord(c):X}}}" for c in chars)


CP1252_CLASS = _cp1252_class()


def cp1252_problems_sql(mapped_sql: str, fields: list[str]) -> str:
    """SQL listing (sku, field, value) of every cell holding a character Windows-1252 cannot encode."""
    cells = ", ".join(f"{{'field': {_lit(f)}, 'value': {quote_ident(f)}}}" for f in fields)
    return (f"SELECT _sku AS sku, cell.field AS field, cell.value AS value FROM "
            f"(SELECT _sku, unnest([{cells}]) AS cell FROM ({mapped_sql})) "
            f"WHERE regexp_matches(cell.value, '[^{CP1252_CLASS}]')")


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def write(con: duckdb.DuckDBPyConnection, data_sql: str, fields: list[str], path: str | Path,
          market: Marketplace, product_types: list[str], encoding: str = "utf-8",
          order_by: str | None = "_row") -> WriteResult:
    """Write the Flat File of ``data_sql`` (a query returning at least ``fields``) to ``path``.

    ``order_by`` keeps the catalogue's order (so Amazon's record numbers follow it); ``None`` lets
    DuckDB write in any order, faster on large files. Returns row count, size and sha256.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _header_text(header_rows(fields, market, product_types))
    cols = ", ".join(quote_ident(f) for f in fields)
    order = f" ORDER BY {order_by}" if order_by else ""
    fd, tmp_name = tempfile.mkstemp(prefix=".flatfile-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # COPY writes PREFIX, rows joined by "\n", then SUFFIX: with no row the suffix would follow
        # the header directly (a blank line), so an empty export is the header alone.
        n = con.execute(f"SELECT count(*) FROM ({data_sql})").fetchone()[0]
        if n == 0:
            tmp.write_text(header, encoding="utf-8")
        else:
            con.execute(
                f"COPY (SELECT {cols} FROM ({data_sql}){order}) TO {_lit(str(tmp))} "
                f"(FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '', NULLSTR '', "
                f"PREFIX {_lit(header)}, SUFFIX '\n')")
        if encoding == "cp1252":
            _transcode(tmp, "cp1252")
        digest, size = _sha256(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WriteResult(path, int(n), size, digest)


def _transcode(path: Path, encoding: str) -> None:
    # Streamed (the file may be gigabytes); "strict": a character that does not fit raises.
    out = path.with_suffix(".enc")
    try:
        with open(path, encoding="utf-8", newline="") as src, open(out, "w", encoding=encoding,
                                                                    errors="strict", newline="") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
