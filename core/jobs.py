"""Background jobs owned by the server process: a thread per job, state in DuckDB, resumable.

A job is one row of ``jobs`` (kind, params, status, heartbeat) and one row per unit of work in
``job_items`` (the item key — a SKU, an EAN — its input payload and its state). The page that starts
a job returns at once; the thread writes progress to DuckDB and pages poll it, so a refresh, a closed
tab or another user sees the same job.

Item states (:data:`ITEM_STATES`): ``pending`` (not sent yet), ``sent`` (handed to the remote side,
no answer recorded), ``accepted`` / ``rejected`` (final answer), ``failed`` (no usable answer after
the retries: sent again on resume). A job found ``running`` whose heartbeat is stale — its thread
died, or the server process stopped — is *resumable*; the worker of its kind decides what to do with
``sent`` items (e.g. ask the remote side before sending again), so nothing accepted is sent twice.

The worker runs with its own cursor (DuckDB: one cursor per thread) and calls :meth:`JobContext.beat`
between items; only the worker thread writes its job's rows, so writes never conflict.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import duckdb

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS job_id_seq;
CREATE TABLE IF NOT EXISTS jobs (
    id           BIGINT PRIMARY KEY DEFAULT nextval('job_id_seq'),
    kind         VARCHAR NOT NULL,     -- api_export, code2asin …
    status       VARCHAR NOT NULL,     -- queued | running | done | failed | cancelled | interrupted
    params       JSON,                 -- what the worker needs to (re)start; never a secret
    ref          BIGINT,               -- e.g. the exports history id
    created_at   TIMESTAMP DEFAULT current_timestamp,
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP,
    heartbeat_at TIMESTAMP,
    owner        VARCHAR,              -- process token of the thread running it
    runs         INTEGER DEFAULT 0,    -- 1 + number of resumes
    cancel_requested BOOLEAN DEFAULT false,
    phase        VARCHAR,              -- worker-defined step (sending, polling …) for the UI
    error        VARCHAR               -- message of a failed job (never a secret)
);
CREATE TABLE IF NOT EXISTS job_items (
    job_id      BIGINT NOT NULL,
    item        VARCHAR NOT NULL,      -- SKU, EAN …
    seq         BIGINT,                -- sending order
    state       VARCHAR NOT NULL,      -- see ITEM_STATES
    payload     VARCHAR,               -- JSON input of the item, fixed when the job is created
    attempts    INTEGER DEFAULT 0,
    sent_at     TIMESTAMP,
    answered_at TIMESTAMP,
    remote_id   VARCHAR,               -- submission id, feed id …
    detail      VARCHAR,               -- last status or error text
    PRIMARY KEY (job_id, item)
);
"""

STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
FINAL_STATUSES = ("done",)
ITEM_STATES = ("pending", "sent", "accepted", "rejected", "failed")
FINAL_ITEM_STATES = ("accepted", "rejected")
# A job whose heartbeat is older than this, with no live thread in this process, was interrupted.
STALE_AFTER_S = 60.0
# params key: False while the worker has still to compute the job's items (see replace_items).
PREPARED = "prepared"
BEAT_EVERY_S = 1.0

# This process's token: tells a job run by this server process from one left by a previous process.
PROCESS_TOKEN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
_threads: dict[int, threading.Thread] = {}
_threads_lock = threading.RLock()   # start() asks Job.stale, which asks is_alive(), under the lock
_workers: dict[str, Callable[["JobContext"], None]] = {}


def register(kind: str, worker: Callable[["JobContext"], None]) -> None:
    """Declare the function that runs (and resumes) jobs of ``kind``."""
    _workers[kind] = worker


@dataclass(frozen=True)
class Job:
    """One row of ``jobs`` plus item counts by state."""
    id: int
    kind: str
    status: str
    params: dict
    ref: int | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    owner: str | None
    runs: int
    cancel_requested: bool
    phase: str | None
    error: str | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done_items(self) -> int:
        """Items with a final answer (accepted or rejected)."""
        return sum(self.counts.get(s, 0) for s in FINAL_ITEM_STATES)

    @property
    def progress(self) -> float:
        """Share of items with a final answer (1.0 for a job without items)."""
        return 1.0 if not self.total else self.done_items / self.total

    @property
    def alive(self) -> bool:
        """True when this process runs the job right now."""
        return is_alive(self.id)

    @property
    def stale(self) -> bool:
        """A ``running`` job nobody runs any more (thread dead, or heartbeat too old)."""
        if self.status != "running" or self.alive:
            return False
        if self.owner == PROCESS_TOKEN:       # ours, and its thread is gone: it died
            return True
        beat = self.heartbeat_at or self.started_at or self.created_at
        return beat is None or (_now(None) - beat).total_seconds() > STALE_AFTER_S

    @property
    def resumable(self) -> bool:
        """True when the job stopped before every item had a final answer."""
        unfinished = self.total - self.done_items
        if not self.params.get(PREPARED, True):
            unfinished = max(unfinished, 1)      # its items are not computed yet
        return unfinished > 0 and (self.status in ("queued", "interrupted", "cancelled", "failed") or self.stale)


def _now(con: duckdb.DuckDBPyConnection | None) -> datetime:
    # DuckDB's current_timestamp is TIMESTAMPTZ; naive local time matches what TIMESTAMP columns return.
    return datetime.now()


def create(con: duckdb.DuckDBPyConnection, kind: str, params: dict, items_sql: str, *, ref: int | None = None,
           sql_params: list | None = None) -> int:
    """Record a job and its items; ``items_sql`` selects (item, seq, payload) — set-based, no Python loop.

    Duplicate item keys keep the first row by ``seq``.
    """
    job_id = int(con.execute(
        "INSERT INTO jobs (kind, status, params, ref) VALUES (?, 'queued', ?, ?) RETURNING id",
        [kind, json.dumps(params, ensure_ascii=False), ref]).fetchone()[0])
    replace_items(con, job_id, items_sql, sql_params)
    return job_id


def replace_items(con: duckdb.DuckDBPyConnection, job_id: int, items_sql: str, sql_params: list | None = None) -> int:
    """(Re)fill a job's items from ``items_sql`` (item, seq, payload) — for a worker that computes its
    items itself (params ``PREPARED: false``) before sending anything. Returns the number of items."""
    con.execute("DELETE FROM job_items WHERE job_id = ?", [job_id])
    con.execute(
        f"INSERT INTO job_items (job_id, item, seq, state, payload) "
        f"SELECT {int(job_id)}, item, seq, 'pending', payload FROM ("
        f"  SELECT CAST(item AS VARCHAR) AS item, seq, CAST(payload AS VARCHAR) AS payload, "
        f"         row_number() OVER (PARTITION BY item ORDER BY seq) AS _n FROM ({items_sql})"
        f") WHERE _n = 1 AND item IS NOT NULL", sql_params or [])
    return int(con.execute("SELECT count(*) FROM job_items WHERE job_id = ?", [job_id]).fetchone()[0])


def get(con: duckdb.DuckDBPyConnection, job_id: int) -> Job | None:
    """The job with its item counts (None when unknown)."""
    row = con.execute(
        "SELECT id, kind, status, params, ref, created_at, started_at, finished_at, heartbeat_at, owner, runs, "
        "cancel_requested, phase, error FROM jobs WHERE id = ?", [job_id]).fetchone()
    if row is None:
        return None
    counts = dict(con.execute("SELECT state, count(*) FROM job_items WHERE job_id = ? GROUP BY state",
                              [job_id]).fetchall())
    return Job(row[0], row[1], row[2], json.loads(row[3] or "{}"), row[4], row[5], row[6], row[7], row[8], row[9],
               int(row[10] or 0), bool(row[11]), row[12], row[13],
               {s: int(counts.get(s, 0)) for s in ITEM_STATES})


def of_kind(con: duckdb.DuckDBPyConnection, kind: str, limit: int = 50) -> list[Job]:
    """The latest jobs of ``kind``, newest first."""
    ids = [r[0] for r in con.execute("SELECT id FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT ?",
                                     [kind, limit]).fetchall()]
    return [j for j in (get(con, i) for i in ids) if j is not None]


def by_ref(con: duckdb.DuckDBPyConnection, kind: str, ref: int) -> Job | None:
    """The latest job of ``kind`` attached to ``ref`` (e.g. an export id)."""
    row = con.execute("SELECT max(id) FROM jobs WHERE kind = ? AND ref = ?", [kind, ref]).fetchone()
    return get(con, row[0]) if row and row[0] is not None else None


def is_alive(job_id: int) -> bool:
    """True when a thread of this process is running the job."""
    with _threads_lock:
        thread = _threads.get(job_id)
    return bool(thread and thread.is_alive())


def recover(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Mark every stale ``running`` job ``interrupted`` (resumable); returns their ids."""
    ids = [r[0] for r in con.execute("SELECT id FROM jobs WHERE status = 'running'").fetchall()]
    stale = [i for i in ids if (j := get(con, i)) is not None and j.stale]
    for i in stale:
        con.execute("UPDATE jobs SET status = 'interrupted', owner = NULL WHERE id = ? AND status = 'running'", [i])
    return stale


class JobContext:
    """What a worker gets: its job, its own cursor, and the ways to report progress."""

    def __init__(self, con: duckdb.DuckDBPyConnection, job: Job):
        self.con, self.job = con, job
        self._last_beat = 0.0
        self.tried: set[str] = set()     # items sent during this run (a worker sends each at most once per run)

    @property
    def id(self) -> int:
        return self.job.id

    @property
    def params(self) -> dict:
        return self.job.params

    def beat(self, phase: str | None = None, *, force: bool = False) -> None:
        """Refresh the heartbeat (at most once a second unless ``force``) and optionally the phase."""
        now = time.monotonic()
        if not force and phase is None and now - self._last_beat < BEAT_EVERY_S:
            return
        self._last_beat = now
        if phase is None:
            self.con.execute("UPDATE jobs SET heartbeat_at = ? WHERE id = ?", [_now(self.con), self.id])
        else:
            self.con.execute("UPDATE jobs SET heartbeat_at = ?, phase = ? WHERE id = ?",
                             [_now(self.con), phase, self.id])

    def cancel_requested(self) -> bool:
        """True when someone asked the job to stop (checked between items)."""
        row = self.con.execute("SELECT cancel_requested FROM jobs WHERE id = ?", [self.id]).fetchone()
        return bool(row and row[0])

    def items(self, states: tuple[str, ...], limit: int | None = None) -> list[tuple[str, str, int]]:
        """(item, payload, attempts) of the items in ``states``, in sending order."""
        marks = ", ".join("?" for _ in states)
        sql = (f"SELECT item, payload, attempts FROM job_items WHERE job_id = ? AND state IN ({marks}) "
               f"ORDER BY seq, item")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [(r[0], r[1], int(r[2] or 0)) for r in self.con.execute(sql, [self.id, *states]).fetchall()]

    def mark_sent(self, items: list[str], remote_id: str | None = None) -> None:
        """Record that ``items`` are being handed over now (before the request leaves). A new send
        replaces the remote id of an earlier one (e.g. a failed feed's id)."""
        if items:
            self.con.execute(
                "UPDATE job_items SET state = 'sent', sent_at = ?, attempts = attempts + 1, remote_id = ?, "
                "answered_at = NULL WHERE job_id = ? AND list_contains(?, item)",
                [_now(self.con), remote_id, self.id, items])

    def set_remote_id(self, items: list[str], remote_id: str) -> None:
        """Attach a remote id (e.g. the feed id) to items already sent."""
        if items:
            self.con.execute("UPDATE job_items SET remote_id = ? WHERE job_id = ? AND list_contains(?, item)",
                             [remote_id, self.id, items])

    def answer(self, item: str, state: str, detail: str = "", remote_id: str | None = None, *,
               max_detail: int | None = 2000) -> None:
        """Record the answer for one item. ``detail`` is cut at ``max_detail`` characters (None: kept
        whole, for a worker whose detail is a structured result the page reads back)."""
        if state not in ITEM_STATES:
            raise ValueError(state)
        self.con.execute(
            "UPDATE job_items SET state = ?, detail = ?, answered_at = ?, remote_id = coalesce(?, remote_id) "
            "WHERE job_id = ? AND item = ?",
            [state, detail if max_detail is None else detail[:max_detail], _now(self.con), remote_id, self.id, item])


def _finish(con: duckdb.DuckDBPyConnection, job_id: int, status: str, error: str | None = None) -> None:
    con.execute("UPDATE jobs SET status = ?, finished_at = ?, heartbeat_at = ?, error = ?, owner = NULL "
                "WHERE id = ?", [status, _now(con), _now(con), (error or None) and error[:2000], job_id])


def _run(con: duckdb.DuckDBPyConnection, job_id: int) -> None:
    try:
        job = get(con, job_id)
        worker = _workers.get(job.kind)
        if worker is None:
            _finish(con, job_id, "failed", f"no worker registered for {job.kind}")
            return
        ctx = JobContext(con, job)
        try:
            worker(ctx)
        except Exception as exc:  # noqa: BLE001 - recorded on the job; the thread must not die silently
            _finish(con, job_id, "failed", f"{type(exc).__name__}: {exc}")
            return
        if ctx.cancel_requested():
            _finish(con, job_id, "cancelled")
        else:
            done = get(con, job_id)
            left = done.total - done.done_items
            _finish(con, job_id, "done" if left == 0 else "failed",
                    None if left == 0 else f"{left} item(s) without a final answer")
    finally:
        con.close()


def start(con: duckdb.DuckDBPyConnection, job_id: int) -> bool:
    """Run (or resume) job ``job_id`` in a background thread of this process.

    False when it is already running here, or when it is ``done``. ``con`` may be any cursor of the
    process-wide connection: the thread opens its own cursor from it.
    """
    with _threads_lock:
        current = _threads.get(job_id)
        if current is not None and current.is_alive():
            return False
        job = get(con, job_id)
        if job is None or job.status == "done":
            return False
        if job.status == "running" and not job.stale:
            return False     # another process runs it and its heartbeat is fresh
        con.execute("UPDATE jobs SET status = 'running', owner = ?, started_at = coalesce(started_at, ?), "
                    "heartbeat_at = ?, runs = runs + 1, cancel_requested = false, error = NULL, finished_at = NULL "
                    "WHERE id = ?", [PROCESS_TOKEN, _now(con), _now(con), job_id])
        # The thread's own cursor, made now: the caller's cursor may be closed when its script run ends.
        thread = threading.Thread(target=_run, args=(con.cursor(), job_id), name=f"job-{job_id}", daemon=True)
        _threads[job_id] = thread
        thread.start()
    return True


def request_cancel(con: duckdb.DuckDBPyConnection, job_id: int) -> None:
    """Ask a running job to stop after the item in flight (it stays resumable)."""
    con.execute("UPDATE jobs SET cancel_requested = true WHERE id = ?", [job_id])


def wait(job_id: int, timeout: float | None = None) -> bool:
    """Block until this process's thread of ``job_id`` ends; False on timeout."""
    with _threads_lock:
        thread = _threads.get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def stale_cutoff() -> datetime:
    """Heartbeats older than this are stale."""
    return _now(None) - timedelta(seconds=STALE_AFTER_S)
