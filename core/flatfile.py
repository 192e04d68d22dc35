"""Seller Central Flat File writer: a tab-delimited file with the three header rows of the category
("fptcustom") templates, then one row per product.

Row 1 ``TemplateType=fptcustom``, ``Version=…``, ``TemplateSignature=`` (base64 of the product
types) and the ``settings`` string; row 2 the labels in the marketplace's language; row 3 the
attribute names Amazon keys on (spapi-reference §i). Values never hold tabs or line breaks (the
mapping SQL replaces them), and are never quoted nor prefixed.

The lines are built by DuckDB (one SQL pass, all threads) and streamed as Arrow batches straight
into a temporary file renamed over the target (atomic), hashed on the way by a writer thread while
DuckDB computes the next batch. Windows-1252 is produced
by encoding those batches with Python's codec in strict mode, after the rows holding characters
Windows-1252 cannot represent were found set-based (:func:`cp1252_problems_sql`) and left out by the
caller: nothing is silently replaced.
"""
from __future__ import annotations

import base64
import hashlib
import os
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from core.db import quote_ident
from core.marketplaces import Marketplace
from core.mapping.fields import label

TEMPLATE_VERSION = "2021.1014"
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
_BATCH_ROWS = 1 << 16


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
    DuckDB produce rows in any order, a little faster on large files. Returns row count, size, sha256.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _header_text(header_rows(fields, market, product_types))
    # DuckDB builds each whole line (fields joined by tabs, NULL as empty, "\n" at the end) on all its
    # threads; the Arrow batches then hold the file's bytes contiguously and are written as they are.
    # Measured faster than COPY … (FORMAT csv, PREFIX …) in bench/bench_flatfile.py, ordered or not.
    # One concat() (it skips NULLs) copies each line once; concat_ws(…) || chr(10) copied it twice
    # (about 1 CPU-second of 5 at 1M products).
    line = "concat(" + ", chr(9), ".join(quote_ident(f) for f in fields) + ", chr(10))"
    order = f" ORDER BY {order_by}" if order_by else ""
    fd, tmp_name = tempfile.mkstemp(prefix=".flatfile-", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    sink = _Sink(os.fdopen(fd, "wb"), encoding)
    rows = 0
    try:
        with sink:
            sink.put(memoryview(header.encode("utf-8")))
            # DuckDB 2.0 refuses a relation on a connection holding a partly fetched execute() result
            # (ResourceInUseException); a fully fetched statement releases it. Temp tables the query
            # may read are connection-local, so another cursor would not do.
            con.execute("SELECT 1").fetchall()
            reader = con.sql(f"SELECT {line} AS line FROM ({data_sql}){order}").to_arrow_reader(_BATCH_ROWS)
            for batch in reader:
                rows += batch.num_rows
                sink.put(_utf8_bytes(batch.column(0)))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WriteResult(path, rows, sink.size, sink.digest.hexdigest())


class _Sink:
    """Hashes and writes chunks on its own thread, so that DuckDB computes the next batch meanwhile.

    Hashing (sha256) and writing release the GIL; done inline they left DuckDB idle for about a third
    of the time at 1M products. The queue is short: at most a few batches are held in memory. An error
    on the thread is raised again in the caller (at the next ``put`` or on leaving the ``with``).
    """

    def __init__(self, fh, encoding: str) -> None:
        self.fh, self.encoding = fh, encoding
        self.digest, self.size, self.error = hashlib.sha256(), 0, None
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.thread = threading.Thread(target=self._run, name="flatfile-writer", daemon=True)

    def __enter__(self) -> "_Sink":
        self.thread.start()
        return self

    def put(self, chunk: memoryview) -> None:
        """Queue ``chunk`` (bytes of the file, UTF-8) to be written after the previous ones."""
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is not None:
                continue   # keep draining so that put() never blocks after a failure
            try:
                if self.encoding == "cp1252":
                    # "strict": a character that does not fit raises (the caller left those rows out).
                    chunk = bytes(chunk).decode("utf-8").encode("cp1252", errors="strict")
                self.digest.update(chunk)
                self.fh.write(chunk)
                self.size += len(chunk)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self.error = exc

    def __exit__(self, exc_type, exc, tb) -> None:
        self.queue.put(None)
        self.thread.join()
        self.fh.close()
        if exc is None and self.error is not None:
            raise self.error


def _utf8_bytes(arr: pa.Array) -> memoryview:
    """The concatenated bytes of a string array without NULLs: a slice of its data buffer (no copy)."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    if data is None or len(arr) == 0:
        return memoryview(b"")
    width = 8 if pa.types.is_large_string(arr.type) else 4
    off = memoryview(offsets).cast("q" if width == 8 else "i")
    return memoryview(data)[off[arr.offset]:off[arr.offset + len(arr)]]
