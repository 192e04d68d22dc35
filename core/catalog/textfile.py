"""Turn an uploaded text file into UTF-8 DuckDB can read, in one streaming pass.

DuckDB reads UTF-8 only (offline), so the file is checked chunk by chunk: UTF-8 (with or without
BOM) is used as is; otherwise it is re-encoded from UTF-16 (with BOM) or Windows-1252 (French Excel)
into a temporary UTF-8 file. The same pass refuses binary content (NUL bytes) and over-long lines,
naming the line, so that DuckDB never sees them. Memory stays at one chunk whatever the file size.
"""
from __future__ import annotations

import codecs
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

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


def _check_chunk(chunk: bytes, state: dict, max_line: bool = True) -> None:
    """Refuse NUL bytes and records longer than MAX_LINE_BYTES; count lines for messages."""
    if b"\x00" in chunk:
        line = state["lines"] + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
        raise CatalogImportError("binary", line=line)
    if not max_line:
        return
    first = chunk.find(b"\n")
    if first < 0:
        state["since_nl"] += len(chunk)
    else:
        # Every line longer than the limit crosses a chunk boundary (limit >= chunk size).
        if state["since_nl"] + first > MAX_LINE_BYTES:
            raise CatalogImportError("line_too_long", line=state["lines"] + 1, limit_mb=LIMIT_MB)
        state["since_nl"] = len(chunk) - chunk.rindex(b"\n") - 1
        state["lines"] += chunk.count(b"\n")
    if state["since_nl"] > MAX_LINE_BYTES:
        raise CatalogImportError("line_too_long", line=state["lines"] + 1, limit_mb=LIMIT_MB)


def _is_utf8(path: Path, max_line: bool = True) -> tuple[bool, str]:
    """Whether the whole file is valid UTF-8 (and whether it starts with a BOM)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    state = {"lines": 0, "since_nl": 0}
    with open(path, "rb") as fh:
        head = fh.read(3)
        bom = head == codecs.BOM_UTF8
        fh.seek(0)
        ok = True
        while chunk := fh.read(CHUNK):
            _check_chunk(chunk, state, max_line)
            if ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    ok = False      # keep scanning: NULs and long lines are refused whatever the encoding
        if ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                ok = False
    return ok, "utf-8-sig" if bom else "utf-8"


def _reencode(path: Path, encoding: str, workdir: Path) -> Path:
    """Stream ``path`` from ``encoding`` to a UTF-8 temporary file; name the line that fails."""
    target = workdir / f"import-{uuid.uuid4().hex}.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    try:
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: exc.start].count(b"\n") + 1
                    raise CatalogImportError("encoding", line=line,
                                             byte=f"0x{chunk[exc.start]:02X}") from None
                lines += chunk.count(b"\n")
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
    controls = sum(head.count(bytes([b])) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))
    if controls > max(2, len(head) // 100):
        # Text never carries many control characters; an image, a zip or a PDF does.
        raise CatalogImportError("binary", line=1)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 is full of NULs: decode first, then check the UTF-8 result.
        workdir.mkdir(parents=True, exist_ok=True)
        copy = _reencode(path, "utf-16", workdir)
        try:
            _is_utf8(copy, max_line)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return TextFile(copy, "utf-16", True)
    ok, encoding = _is_utf8(path, max_line)
    if ok:
        return TextFile(path, encoding, False)
    workdir.mkdir(parents=True, exist_ok=True)
    return TextFile(_reencode(path, "cp1252", workdir), "cp1252", True)
