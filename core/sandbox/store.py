"""The sandbox's durable state (listings, feeds, documents) in one SQLite file.

SQLite, not the app's DuckDB file: DuckDB allows one writing process and the dashboard owns it. One
connection guarded by a lock is plenty for a local emulator and keeps writes ordered. The state
survives a restart of the sandbox on the same ``state_dir``.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS listings (
    seller_id TEXT NOT NULL, sku TEXT NOT NULL, marketplace_id TEXT NOT NULL,
    product_type TEXT NOT NULL, requirements TEXT NOT NULL, asin TEXT NOT NULL, attributes TEXT NOT NULL, issues TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (seller_id, sku, marketplace_id)
);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY, seller_id TEXT NOT NULL, kind TEXT NOT NULL,
    content_type TEXT NOT NULL, compression TEXT, content BLOB, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (
    feed_id INTEGER PRIMARY KEY AUTOINCREMENT, seller_id TEXT NOT NULL, feed_type TEXT NOT NULL,
    marketplace_ids TEXT NOT NULL, input_document_id TEXT NOT NULL, feed_options TEXT,
    created REAL NOT NULL, status TEXT NOT NULL, result_document_id TEXT
);
-- Every listing submission received (PUT, PATCH, feed message), accepted or not: lets a client's
-- tests check that nothing was sent twice.
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, seller_id TEXT NOT NULL, sku TEXT NOT NULL,
    marketplace_id TEXT NOT NULL, requirements TEXT NOT NULL, status TEXT NOT NULL, received TEXT NOT NULL
);
"""
# Amazon's feed ids are numeric strings; start high so they look like it.
FIRST_FEED_ID = 50000000001


class Store:
    """Row access used by the API modules (JSON columns are decoded on the way out)."""

    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "sandbox.sqlite3"
        self._con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._con.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.executescript(SCHEMA)
            if self._con.execute("SELECT count(*) FROM sqlite_sequence WHERE name='feeds'").fetchone()[0] == 0:
                self._con.execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('feeds', ?)", (FIRST_FEED_ID - 1,))

    def close(self) -> None:
        """Close the SQLite file."""
        with self._lock:
            self._con.close()

    def query(self, sql: str, params: tuple = ()) -> list[dict]:
        """Rows of a read as dicts."""
        with self._lock:
            return [dict(r) for r in self._con.execute(sql, params).fetchall()]

    def execute(self, sql: str, params: tuple = ()) -> int:
        """Run one write; returns lastrowid."""
        with self._lock:
            return self._con.execute(sql, params).lastrowid

    # --- listings -----------------------------------------------------------------------------
    def get_listing(self, seller_id: str, sku: str, marketplace_id: str) -> dict | None:
        """The stored listing of a SKU in a marketplace, or None."""
        rows = self.query("SELECT * FROM listings WHERE seller_id=? AND sku=? AND marketplace_id=?",
                          (seller_id, sku, marketplace_id))
        return _decode_listing(rows[0]) if rows else None

    def listings_of(self, seller_id: str, marketplace_id: str) -> list[dict]:
        """Every stored listing of the seller in a marketplace, by SKU."""
        rows = self.query("SELECT * FROM listings WHERE seller_id=? AND marketplace_id=? ORDER BY sku",
                          (seller_id, marketplace_id))
        return [_decode_listing(r) for r in rows]

    def save_listing(self, row: dict) -> None:
        """Insert or replace a listing row (attributes and issues as JSON)."""
        self.execute(
            "INSERT OR REPLACE INTO listings VALUES (?,?,?,?,?,?,?,?,?,?)",
            (row["seller_id"], row["sku"], row["marketplace_id"], row["product_type"], row["requirements"], row["asin"],
             json.dumps(row["attributes"]), json.dumps(row["issues"]), row["created"], row["updated"]),
        )

    def log_submission(self, seller_id: str, sku: str, marketplace_id: str, requirements: str, status: str,
                       received: str) -> None:
        """Remember one listing submission received (accepted or not)."""
        self.execute("INSERT INTO submissions (seller_id, sku, marketplace_id, requirements, status, received) "
                     "VALUES (?,?,?,?,?,?)", (seller_id, sku, marketplace_id, requirements, status, received))

    def submissions(self, seller_id: str, marketplace_id: str | None = None) -> list[dict]:
        """Every submission received for the seller (and marketplace), oldest first."""
        if marketplace_id is None:
            return self.query("SELECT * FROM submissions WHERE seller_id=? ORDER BY id", (seller_id,))
        return self.query("SELECT * FROM submissions WHERE seller_id=? AND marketplace_id=? ORDER BY id",
                          (seller_id, marketplace_id))

    def delete_listing(self, seller_id: str, sku: str, marketplace_id: str) -> None:
        """Remove a listing."""
        self.execute("DELETE FROM listings WHERE seller_id=? AND sku=? AND marketplace_id=?",
                     (seller_id, sku, marketplace_id))


def _decode_listing(row: dict) -> dict:
    row["attributes"] = json.loads(row["attributes"])
    row["issues"] = json.loads(row["issues"])
    return row
