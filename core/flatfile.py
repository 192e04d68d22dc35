"""Seller Central Flat File writer: a tab-delimited file with the three header rows of the category
("fptcustom") templates, then one row per product.

Row 1 ``TemplateType=fptcustom``, ``Version=…``, ``TemplateSignature=`` (base64 of the product
types) and the ``settings`` string; row 2 the labels in the marketplace's language; row 3 the
attribute names Amazon keys on (spapi-reference §i). Values never hold tabs or line breaks (the
mapping SQL replaces them), and are never quoted nor prefixed.

The lines are built by DuckDB (one SQL pass, all threads) and streamed as Arrow batches straight
into a temporary file renamed over the target (atomic), hashed on the way by a writer thread while
DuckDB computes the next batch. Catalogue order costs no sort when ``products`` is stored in ``_row``
order (as the import stores it): the runs of consecutive rows DuckDB's threads hand out are put back
in order as they come (ORDER BY remains the fallback). Windows-1252 is produced
by encoding those batches with Python's codec in strict mode, after the rows holding characters
Windows-1252 cannot represent were found set-based (:func:`cp1252_problems_sql`) and left out by the
caller: nothing is silently replaced.
"""
from __future__ import annotations

import base64
import hashlib
import heapq
import itertools
import os
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from core.db import quote_ident
from core.marketplaces import Marketplace
from core.mapping.fields import label

TEMPLATE_VERSION = "2021.1014"
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
# Rows per Arrow batch. Each batch's buffers are freshly allocated, so a 56 MB batch (65,536 lines of
# ~860 bytes) page-faults every page it fills (~290k faults at 1M products); 16,384 lines (~14 MB) are
# reused from the allocator's free memory: fewer faults, less system time, data still in cache when
# hashed (≈ 20 % less process CPU at 200k, bench/bench_flatfile.py).
_BATCH_ROWS = 1 << 14
ROW = "_row"      # the catalogue line of a product: the order of the file


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
          order_by: str | None = ROW, line_column: str | None = None) -> WriteResult:
    """Write the Flat File of ``data_sql`` (a query returning at least ``fields``) to ``path``.

    ``line_column``: a column of ``data_sql`` already holding each whole line (cells joined by tabs,
    ``\n`` at the end: :func:`core.mapping.query.lines_sql`); without it the lines are ``fields``
    joined here. ``fields`` always gives the header rows.

    ``order_by`` keeps the catalogue's order (so Amazon's record numbers follow it); ``None`` lets
    DuckDB produce rows in any order. Returns row count, size, sha256.

    In catalogue (``_row``) order, the lines are streamed as DuckDB produces them and put back in order
    on the way (:func:`_stream_in_row_order`), which costs no sort when ``products`` is stored in that
    order (DuckDB then hands out runs of consecutive rows, only interleaved between its threads);
    otherwise (runs too short or too many held back) the file is written again with ``ORDER BY``.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _header_text(header_rows(fields, market, product_types)).encode("utf-8")
    # DuckDB builds each whole line (fields joined by tabs, NULL as empty, "\n" at the end) on all its
    # threads; the Arrow batches then hold the file's bytes contiguously and are written as they are.
    # Measured faster than COPY … (FORMAT csv, PREFIX …) in bench/bench_flatfile.py, ordered or not.
    # One concat() (it skips NULLs) copies each line once; concat_ws(…) || chr(10) copied it twice
    # (about 1 CPU-second of 5 at 1M products).
    line = quote_ident(line_column) if line_column else \
        "concat(" + ", chr(9), ".join(quote_ident(f) for f in fields) + ", chr(10))"
    if order_by == ROW:
        try:
            return _write_file(path, header, encoding, lambda sink: _stream_in_row_order(con, data_sql, line, sink))
        except _OutOfOrder:
            pass    # not stored in catalogue order (or not worth it): DuckDB sorts
    order = f" ORDER BY {order_by}" if order_by else ""
    return _write_file(path, header, encoding,
                       lambda sink: _stream(con, f"SELECT {line} AS line FROM ({data_sql}){order}", sink))


# Put back in order only while it stays cheap: a batch broken into more runs than this, or more runs /
# bytes held back than this, means the rows are not stored in catalogue order.
_MAX_RUNS_PER_BATCH = 256
_MAX_HELD_RUNS = 4096
_MAX_HELD_BYTES = 1 << 30
# Bytes queued for the writer thread before the fetching loop waits for it (a few batches: the writer,
# sha256 and a page-cache write, is several times faster than DuckDB builds the lines).
_MAX_QUEUED_BYTES = 64 << 20
# Write-behind: every time this many bytes were written, the kernel is asked to write them to disk, and
# the bytes of the step before (written to disk by then) leave the page cache. Growing the page cache by
# the whole file cost more system time than building the lines on this VM (3.3 of 4.2 s at 1M products:
# memory the host has not handed out recently is slow to touch, bench/bench_flatfile.py); a window of
# a few steps reuses the same pages. Linux only (posix_fadvise); elsewhere the file is written as before.
_WRITE_BEHIND = 32 << 20
_FADVISE = hasattr(os, "posix_fadvise") and hasattr(os, "POSIX_FADV_DONTNEED")


class _OutOfOrder(Exception):
    """The rows do not come out in runs of consecutive catalogue rows: sort them instead."""


def _write_file(path: Path, header: bytes, encoding: str, feed) -> WriteResult:
    """Write ``header`` then what ``feed(sink)`` puts, to a temporary file renamed over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=".flatfile-", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    sink = _Sink(os.fdopen(fd, "wb"), encoding)
    try:
        with sink:
            sink.put(memoryview(header))
            rows = feed(sink)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WriteResult(path, rows, sink.size, sink.digest.hexdigest())


def _reader(con: duckdb.DuckDBPyConnection, sql: str) -> pa.RecordBatchReader:
    # DuckDB 2.0 refuses a relation on a connection holding a partly fetched execute() result
    # (ResourceInUseException); a fully fetched statement releases it. Temp tables the query
    # may read are connection-local, so another cursor would not do.
    con.execute("SELECT 1").fetchall()
    return con.sql(sql).to_arrow_reader(_BATCH_ROWS)


def _stream(con: duckdb.DuckDBPyConnection, sql: str, sink: "_Sink") -> int:
    """Put the lines of ``sql`` (one column) in the order DuckDB produces them; returns how many."""
    rows = 0
    reader = _reader(con, sql)
    try:
        for batch in reader:
            rows += batch.num_rows
            sink.put(_utf8_bytes(batch.column(0)))
            sink.wait_below(_MAX_QUEUED_BYTES)
    finally:
        reader.close()
    return rows


def _stream_in_row_order(con: duckdb.DuckDBPyConnection, data_sql: str, line: str, sink: "_Sink") -> int:
    """Put the lines of ``data_sql`` in ``_row`` order without a sort; raises :class:`_OutOfOrder` when
    the rows do not come in long runs of consecutive catalogue rows.

    The sorted ``_row`` values (8 bytes a product) give each row its place in the file. Every batch is
    cut into runs of consecutive places; a run that comes next is written at once, the others wait
    (a heap keyed by place) until the runs before them are written. Each run is a slice of a batch's
    line buffer: no line is copied. DuckDB's threads each read whole row groups, so in a table stored
    in catalogue order a batch is a few runs and what waits is at most a few row groups.
    """
    con.execute("SELECT 1").fetchall()
    order = con.execute(f"SELECT {ROW} FROM ({data_sql}) ORDER BY {ROW}").fetchnumpy()[ROW]
    if (np.ma.isMaskedArray(order) and order.mask.any()) or order.dtype.kind not in "iu" \
            or bool((np.diff(order) == 0).any()):
        raise _OutOfOrder()     # NULL, non-integer or repeated _row: no single place per row
    order = np.asarray(order)
    total, written, held, held_bytes, tie = len(order), 0, [], 0, itertools.count()
    reader = _reader(con, f"SELECT {line} AS line, {ROW} FROM ({data_sql})")
    try:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            rows = batch.column(1).to_numpy(zero_copy_only=False)
            place = np.searchsorted(order, rows)
            if (place >= total).any() or (order[np.minimum(place, total - 1)] != rows).any():
                raise _OutOfOrder()     # a row the first query did not see (the data changed meanwhile)
            cuts = np.flatnonzero(np.diff(place) != 1) + 1
            if len(cuts) >= _MAX_RUNS_PER_BATCH:
                raise _OutOfOrder()
            lines = batch.column(0)
            for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), batch.num_rows]):
                start, chunk = int(place[a]), _utf8_bytes(lines.slice(a, b - a))
                if start != written:
                    # A counter breaks ties (a row seen twice), so that chunks are never compared.
                    heapq.heappush(held, (start, next(tie), b - a, chunk))
                    held_bytes += len(chunk)
                    continue
                sink.put(chunk)
                written += b - a
                while held and held[0][0] == written:
                    _, _, n, chunk = heapq.heappop(held)
                    sink.put(chunk)
                    written, held_bytes = written + n, held_bytes - len(chunk)
            if len(held) > _MAX_HELD_RUNS or held_bytes > _MAX_HELD_BYTES:
                raise _OutOfOrder()
            sink.wait_below(_MAX_QUEUED_BYTES)
    finally:
        reader.close()
    if written != total or held:
        raise _OutOfOrder()     # a row seen twice or missing: let DuckDB sort a fresh run
    return total


class _Sink:
    """Hashes and writes chunks on its own thread, so that DuckDB computes the next batch meanwhile.

    Hashing (sha256) and writing release the GIL; done inline they left DuckDB idle for about a third
    of the time at 1M products. ``put`` never blocks: runs released together by the catalogue-order
    path (a row group held back, already in memory) are queued at once, so the thread fetching from
    DuckDB does not stop while the writer catches up. The memory queued for writing is bounded by the
    fetching loop instead, which calls :meth:`wait_below` before it asks DuckDB for the next batch. An
    error on the thread is raised again in the caller (at the next ``put`` / ``wait_below`` or on
    leaving the ``with``).
    """

    def __init__(self, fh, encoding: str) -> None:
        self.fh, self.encoding = fh, encoding
        self.digest, self.size, self.error = hashlib.sha256(), 0, None
        self.handed = self.dropped = 0        # write-behind: bytes handed to the disk, bytes left the cache
        try:
            self.fd = fh.fileno() if _FADVISE else None
        except (AttributeError, OSError):     # not a real file (tests' fakes): no write-behind
            self.fd = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.queued = 0                       # bytes put and not written yet
        self.written = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="flatfile-writer", daemon=True)

    def __enter__(self) -> "_Sink":
        self.thread.start()
        return self

    def put(self, chunk: memoryview) -> None:
        """Queue ``chunk`` (bytes of the file, UTF-8) to be written after the previous ones."""
        if self.error is not None:
            raise self.error
        with self.written:
            self.queued += len(chunk)
        self.queue.put(chunk)

    def wait_below(self, limit: int) -> None:
        """Wait until at most ``limit`` bytes are queued (back-pressure on the fetching loop)."""
        with self.written:
            while self.queued > limit and self.error is None:
                self.written.wait()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:   # after a failure, keep draining: the caller is told at its next call
                try:
                    data = chunk
                    if self.encoding == "cp1252":
                        # "strict": a character that does not fit raises (the caller left those rows out).
                        data = bytes(chunk).decode("utf-8").encode("cp1252", errors="strict")
                    self.digest.update(data)
                    self.fh.write(data)
                    self.size += len(data)
                    if self.fd is not None and self.size - self.handed >= _WRITE_BEHIND:
                        self._write_behind()
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self.error = exc
            with self.written:
                self.queued -= len(chunk)
                self.written.notify_all()

    def _write_behind(self) -> None:
        self.fh.flush()             # a failing write is the caller's error, as any other
        try:
            self.dropped, self.handed = write_behind_step(self.fd, self.dropped, self.handed, self.size)
        except OSError:             # advice refused (a file system without it): the file is the same
            self.fd = None

    def __exit__(self, exc_type, exc, tb) -> None:
        self.queue.put(None)
        self.thread.join()
        self.fh.close()
        if exc is None and self.error is not None:
            raise self.error


def write_behind_step(fd: int, dropped: int, handed: int, size: int) -> tuple[int, int]:
    """Hand bytes ``handed..size`` of file ``fd`` to the disk and drop ``dropped..handed`` (handed to it one
    step earlier, written by now) from the page cache; returns the new ``(dropped, handed)``.

    DONTNEED starts the write-back of dirty pages and drops only clean ones, hence the two calls."""
    os.posix_fadvise(fd, handed, size - handed, os.POSIX_FADV_DONTNEED)
    os.posix_fadvise(fd, dropped, handed - dropped, os.POSIX_FADV_DONTNEED)
    return handed, size


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
