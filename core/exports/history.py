"""The exports history: one row per export, whatever its mode (Flat File now, API later).

Status is stored as a code (:data:`STATUSES`) and translated in the UI (``dashboard.status.<code>``).
Files live under ``runtime_dir()/exports/`` (git-ignored).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from core.db import runtime_dir

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS export_id_seq;
CREATE TABLE IF NOT EXISTS exports (
    id               BIGINT PRIMARY KEY DEFAULT nextval('export_id_seq'),
    created_at       TIMESTAMP DEFAULT current_timestamp,
    finished_at      TIMESTAMP,
    "user"           VARCHAR,      -- OS user, or "dashboard"
    marketplace      VARCHAR,      -- marketplace code (FR, DE …)
    mode             VARCHAR,      -- flat_file | api
    profile          VARCHAR,      -- mapping profile name
    profile_version  INTEGER,      -- 0 = the guide's default mapping
    selection        VARCHAR,      -- selection name, "" = all products
    encoding         VARCHAR,      -- utf-8 | cp1252 (files only)
    include_rejected BOOLEAN,
    rows_selected    BIGINT,
    rows_written     BIGINT,
    rows_rejected    BIGINT,
    status           VARCHAR,      -- running | done | failed
    file_path        VARCHAR,
    rejects_path     VARCHAR,
    bytes            BIGINT,
    sha256           VARCHAR,
    error            VARCHAR       -- message of a failed export (never a secret)
);
"""

STATUSES = ("running", "done", "failed")
MODES = ("flat_file", "api")


def exports_dir() -> Path:
    """Folder of the exported files."""
    path = runtime_dir() / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(con: duckdb.DuckDBPyConnection, *, user: str, marketplace: str, mode: str, profile: str,
          profile_version: int, selection: str, encoding: str = "", include_rejected: bool = False) -> int:
    """Record an export that starts now (status ``running``); returns its id."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode}")
    return int(con.execute(
        'INSERT INTO exports ("user", marketplace, mode, profile, profile_version, selection, encoding, '
        "include_rejected, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running') RETURNING id",
        [user, marketplace, mode, profile, profile_version, selection, encoding, include_rejected]).fetchone()[0])


def finish(con: duckdb.DuckDBPyConnection, export_id: int, *, rows_selected: int, rows_written: int,
           rows_rejected: int, file_path: str = "", rejects_path: str = "", bytes_: int = 0, sha256: str = "") -> None:
    """Mark an export ``done`` with its counts and files."""
    con.execute(
        "UPDATE exports SET status = 'done', finished_at = current_timestamp, rows_selected = ?, rows_written = ?, "
        "rows_rejected = ?, file_path = ?, rejects_path = ?, bytes = ?, sha256 = ? WHERE id = ?",
        [rows_selected, rows_written, rows_rejected, file_path, rejects_path, bytes_, sha256, export_id])


def fail(con: duckdb.DuckDBPyConnection, export_id: int, error: str) -> None:
    """Mark an export ``failed`` with its error message."""
    con.execute("UPDATE exports SET status = 'failed', finished_at = current_timestamp, error = ? WHERE id = ?",
                [error[:2000], export_id])


def get(con: duckdb.DuckDBPyConnection, export_id: int) -> dict | None:
    """One export as a dict (None when unknown)."""
    cur = con.execute("SELECT * FROM exports WHERE id = ?", [export_id])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def recent(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The latest exports, newest first."""
    return con.execute("SELECT * FROM exports ORDER BY id DESC LIMIT ?", [limit]).df()
