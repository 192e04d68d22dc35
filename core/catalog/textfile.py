"""Turn an uploaded text file into UTF-8 DuckDB can read, in one streaming pass.

DuckDB reads UTF-8 only (offline). UTF-8 (with or without BOM) is used as is; otherwise the file is
re-encoded from UTF-16 (with BOM) or Windows-1252 (French Excel) into a temporary UTF-8 file. The pass
over the file refuses binary content (NUL bytes, which DuckDB would store) and over-long records, so
that DuckDB never sees them. Whether the whole file is valid UTF-8 is decided here for JSON; for CSV
only the beginning is checked here and DuckDB's CSV reader checks the rest while it reads (it refuses
invalid UTF-8 exactly as a full check does, see tests/unit/test_catalog_encodings.py): the importer
then reads the file again as Windows-1252 (:func:`cp1252_copy`), which saves a decoding pass over
every UTF-8 file. Memory stays at one block whatever the file size; line numbers are counted only
when there is an error to report.
"""
from __future__ import annotations

import codecs
import mmap
import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from core.catalog.errors import CatalogImportError

CHUNK = 4 * 1024 * 1024
# Longest record accepted: far above any real product, far below what would exhaust memory.
MAX_LINE_BYTES = 8 * 1024 * 1024
LIMIT_MB = MAX_LINE_BYTES // (1024 * 1024)
SAMPLE_BYTES = 256 * 1024


@dataclass(frozen=True)
class TextFile:
    """A UTF-8 copy (or the original) of a text file, and what it was decoded from."""
    path: Path
    encoding: str          # utf-8 | utf-8-sig | utf-16 | cp1252
    temporary: bool        # True when ``path`` is a re-encoded copy to delete after the import

    def sample(self, size: int = SAMPLE_BYTES) -> str:
        """The beginning of the text (BOM removed), cut at the last complete line."""
        with open(self.path, "rb") as fh:
            raw = fh.read(size)
        text = raw.decode("utf-8-sig", errors="ignore")
        if len(raw) == size and "\n" in text:
            text = text[: text.rindex("\n") + 1]
        return text

    def discard(self) -> None:
        """Delete the re-encoded copy, if any."""
        if self.temporary:
            self.path.unlink(missing_ok=True)


def line_at(path: Path, position: int) -> int:
    """1-based physical line of byte ``position`` (only called to report an error)."""
    lines, done = 1, 0
    with open(path, "rb") as fh:
        while done < position and (block := fh.read(min(CHUNK, position - done))):
            lines += block.count(b"\n")
            done += len(block)
    return lines


def _utf8_valid(data: bytes) -> bool:
    # Arrow's SIMD validator is several times faster than bytes.decode on large blocks.
    array = pa.Array.from_buffers(pa.utf8(), 1, [None, pa.py_buffer(struct.pack("<ii", 0, len(data))),
                                                 pa.py_buffer(data)])
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _char_boundary(data: bytes) -> int:
    """Length of the longest prefix of ``data`` that ends on a UTF-8 character boundary."""
    for i in range(len(data) - 1, max(-1, len(data) - 5), -1):
        if data[i] < 0x80:
            return i + 1
        if data[i] >= 0xC0:
            return i
    return len(data)


def _scan(path: Path, max_line: bool, check_utf8: bool = True) -> bool:
    """Refuse NUL bytes and over-long records; return whether the whole file is valid UTF-8
    (True without looking when ``check_utf8`` is False: the reader checks it)."""
    valid, carry, since_nl = True, b"", 0
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        for offset in range(0, size, CHUNK):
            # Mapped, not read: finding a byte in the page cache needs no copy into Python. One block
            # mapped at a time, so the pages touched leave the process's resident memory as it goes.
            with mmap.mmap(fh.fileno(), min(CHUNK, size - offset), access=mmap.ACCESS_READ,
                           offset=offset) as block:
                nul = block.find(b"\x00")
                if nul >= 0:
                    raise CatalogImportError("binary", line=line_at(path, offset + nul))
                if max_line:
                    first = block.find(b"\n")
                    # Every record longer than the limit crosses a block boundary (limit >= block size).
                    if (first < 0 and since_nl + len(block) > MAX_LINE_BYTES) or \
                            (first >= 0 and since_nl + first > MAX_LINE_BYTES):
                        raise CatalogImportError("line_too_long", line=line_at(path, offset), limit_mb=LIMIT_MB)
                    since_nl = since_nl + len(block) if first < 0 else len(block) - block.rfind(b"\n") - 1
                if check_utf8 and valid:
                    data = carry + block[:]
                    cut = _char_boundary(data)
                    valid, carry = _utf8_valid(data[:cut]), data[cut:]
    return valid and (not carry or _utf8_valid(carry))


def _head_is_utf8(head: bytes, whole: bool) -> bool:
    """Whether the first bytes are UTF-8 (``whole``: they are the whole file, so no cut character)."""
    return _utf8_valid(head if whole else head[:_char_boundary(head)])


def _reencode(path: Path, encoding: str, workdir: Path) -> Path:
    """Stream ``path`` from ``encoding`` to a UTF-8 temporary file; name the line that fails."""
    target = workdir / f"import-{uuid.uuid4().hex}.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    try:
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise CatalogImportError("encoding", line=line_at(path, offset + exc.start),
                                             byte=f"0x{chunk[exc.start]:02X}") from None
                offset += len(chunk)
                dst.write(text)
            dst.write(decoder.decode(b"", final=True))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def to_utf8(path: Path, workdir: Path, *, max_line: bool = True, reader_checks_utf8: bool = False) -> TextFile:
    """A UTF-8 view of the text file ``path`` (see module docstring); raises CatalogImportError.

    ``max_line=False`` skips the record-length limit (a JSON array may sit on one line).
    ``reader_checks_utf8``: a file whose first :data:`SAMPLE_BYTES` are UTF-8 is returned as UTF-8
    without checking the rest; the caller's reader must refuse invalid UTF-8 (DuckDB's CSV reader
    does) and then ask for :func:`cp1252_copy`.
    """
    path = Path(path)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if size == 0 or not head.lstrip(codecs.BOM_UTF8).strip():
        raise CatalogImportError("empty")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 is full of NULs: decode first, then check the UTF-8 result.
        workdir.mkdir(parents=True, exist_ok=True)
        copy = _reencode(path, "utf-16", workdir)
        try:
            _scan(copy, max_line, check_utf8=False)     # written by Python's encoder: valid UTF-8
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return TextFile(copy, "utf-16", True)
    controls = sum(head.count(bytes([b])) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))
    if controls > max(2, len(head) // 100):
        # Text never carries many control characters; an image, a zip or a PDF does.
        raise CatalogImportError("binary", line=1)
    if reader_checks_utf8:
        _scan(path, max_line, check_utf8=False)
        utf8 = _head_is_utf8(head, whole=len(head) == size)
    else:
        utf8 = _scan(path, max_line)
    if utf8:
        return TextFile(path, "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8", False)
    return cp1252_copy(path, workdir)


def cp1252_copy(path: Path, workdir: Path) -> TextFile:
    """The text file ``path`` (already scanned by :func:`to_utf8`) re-encoded from Windows-1252."""
    workdir.mkdir(parents=True, exist_ok=True)
    return TextFile(_reencode(Path(path), "cp1252", workdir), "cp1252", True)
