"""Uploaded files on their way to the importer: saved under the runtime folder, then removed.

The page never parses an upload: it saves it here and calls
:func:`core.catalog.importer.import_file` on the saved path (which streams it from disk).
"""
from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from core.db import runtime_dir

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def uploads_dir() -> Path:
    """Folder holding uploads waiting for (or answering a question about) their import."""
    path = runtime_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(file_name: str, data: BinaryIO | bytes) -> Path:
    """Write an uploaded file to :func:`uploads_dir` under a unique, filesystem-safe name."""
    safe = _UNSAFE.sub("_", Path(file_name).name)[-80:] or "upload"
    target = uploads_dir() / f"{uuid.uuid4().hex}-{safe}"
    with open(target, "wb") as fh:
        if isinstance(data, (bytes, bytearray, memoryview)):
            fh.write(data)
        else:
            data.seek(0)
            shutil.copyfileobj(data, fh, 4 * 1024 * 1024)
    return target


def discard(path: str | Path | None) -> None:
    """Remove a saved upload (only ever one inside :func:`uploads_dir`)."""
    if path is None:
        return
    path = Path(path)
    if path.parent.resolve() == uploads_dir().resolve():
        path.unlink(missing_ok=True)
