"""Turn an uploaded text file into UTF-8 DuckDB can read, in one streaming pass.

DuckDB reads UTF-8 only (offline) and stores invalid bytes without complaint, so the file is checked
here, block by block: UTF-8 (with or without BOM) is used as is; otherwise it is re-encoded from
UTF-16 (with BOM) or Windows-1252 (French Excel) into a temporary UTF-8 file. The same pass refuses
binary content (NUL bytes) and over-long records, so that DuckDB never sees them. Memory stays at
one block whatever the file size; line numbers are counted only when there is an error to report.
"""
from __future__ import annotations

import codecs
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


def _scan(path: Path, max_line: bool) -> bool:
    """Refuse NUL bytes and over-long records; return whether the whole file is valid UTF-8."""
    valid, carry, offset, since_nl = True, b"", 0, 0
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            nul = block.find(b"\x00")
            if nul >= 0:
                raise CatalogImportError("binary", line=line_at(path, offset + nul))
            if max_line:
                first = block.find(b"\n")
                # Every record longer than the limit crosses a block boundary (limit >= block size).
                if (first < 0 and since_nl + len(block) > MAX_LINE_BYTES) or since_nl + first > MAX_LINE_BYTES:
                    raise CatalogImportError("line_too_long", line=line_at(path, offset), limit_mb=LIMIT_MB)
                since_nl = since_nl + len(block) if first < 0 else len(block) - block.rindex(b"\n") - 1
            if valid:
                data = carry + block
                cut = _char_boundary(data)
                valid, carry = _utf8_valid(data[:cut]), data[cut:]
            offset += len(block)
    return valid and (not carry or _utf8_valid(carry))


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


def to_utf8(path: Path, workdir: Path, *, max_line: bool = True) -> TextFile:
    """A UTF-8 view of the text file ``path`` (see module docstring); raises CatalogImportError.

    ``max_line=False`` skips the record-length limit (a JSON array may sit on one line).
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
            _scan(copy, max_line)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return TextFile(copy, "utf-16", True)
    controls = sum(head.count(bytes([b])) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))
    if controls > max(2, len(head) // 100):
        # Text never carries many control characters; an image, a zip or a PDF does.
        raise CatalogImportError("binary", line=1)
    if _scan(path, max_line):
        return TextFile(path, "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8", False)
    workdir.mkdir(parents=True, exist_ok=True)
    return TextFile(_reencode(path, "cp1252", workdir), "cp1252", True)
