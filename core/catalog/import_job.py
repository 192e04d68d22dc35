"""The catalogue import as a background job (:mod:`core.jobs`, kind ``catalog_import``).

A 1M-row file takes 10–20 s to import: run in the page's script run, a click or a closed tab could
interrupt it and the page was frozen meanwhile. Here the page saves the upload to a runtime file
(:mod:`core.catalog.uploads`) and :func:`start` records a job with ONE item (``file``); a server
thread calls :func:`core.catalog.importer.import_file` unchanged, on its own cursor, and answers the
item:

- ``accepted``, detail = the :class:`~core.catalog.importer.ImportResult` as JSON;
- ``rejected``, detail = the :class:`~core.catalog.errors.CatalogImportError` (code, params) as JSON —
  for :class:`~core.catalog.errors.MissingColumns` also the columns, so the page asks its question and
  the upload is kept for the second attempt.

An unexpected exception fails the job (``jobs.error``). Either way the importer's own guarantee holds:
nothing replaces ``products`` before its final transaction. Only one import runs at a time in the
server process (:class:`ImportBusy`); a job whose thread or process died is ``interrupted`` and its
upload is removed (the importer's staging table goes at the next start, see ``drop_leftovers``).
"""
from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import jobs
from core.catalog import uploads
from core.catalog.errors import CatalogImportError, MissingColumns
from core.catalog.importer import DuplicateSku, ImportResult, import_file

KIND = "catalog_import"
ITEM = "file"                 # the job's only item: the file being imported
RECENT = 20                   # import jobs looked at for one running now

# One check-then-start at a time: two sessions clicking together still get one import.
_start_lock = threading.Lock()
# Cursor of each import running in this process (job id -> cursor), for DuckDB's progress estimate.
_live: dict[int, duckdb.DuckDBPyConnection] = {}
_best: dict[int, float] = {}      # job id -> highest estimate shown so far (see live_progress)


class ImportBusy(Exception):
    """An import is already running: ``job`` is it (its ``params["file_name"]`` says which file)."""

    def __init__(self, job: jobs.Job):
        self.job = job
        super().__init__(f"import job {job.id} is running")


@dataclass(frozen=True)
class Outcome:
    """How a finished import job ended: exactly one of ``result``, ``error`` or ``problem`` is set.

    ``problem`` is ``"crashed"`` (unexpected exception, text in ``detail``) or ``"interrupted"``
    (its thread or the server stopped mid-way); the previous catalogue is intact in both cases."""
    result: ImportResult | None = None
    error: CatalogImportError | None = None
    problem: str | None = None
    detail: str = ""


# ---------------------------------------------------------------- results as JSON (job_items.detail)
def result_to_json(result: ImportResult) -> str:
    """The import result as the job item's detail."""
    return json.dumps(dataclasses.asdict(result), ensure_ascii=False, default=str)


def result_from_json(text: str) -> ImportResult:
    """Inverse of :func:`result_to_json` (tuples and :class:`DuplicateSku` rebuilt)."""
    data = json.loads(text)
    data["extra_columns"] = tuple(data.get("extra_columns") or ())
    data["duplicate_skus"] = tuple(DuplicateSku(d["sku"], int(d["count"]), tuple(d["lines"]))
                                   for d in data.get("duplicate_skus") or ())
    return ImportResult(**data)


def error_to_json(error: CatalogImportError) -> str:
    """A refused import as the job item's detail (MissingColumns keeps what the question needs)."""
    data = {"code": error.code, "params": error.params}
    if isinstance(error, MissingColumns):
        data.update(missing=list(error.missing), columns=list(error.file_columns), matched=error.matched)
    return json.dumps(data, ensure_ascii=False, default=str)


def error_from_json(text: str) -> CatalogImportError:
    """Inverse of :func:`error_to_json`."""
    data = json.loads(text)
    if "missing" in data:
        return MissingColumns(tuple(data["missing"]), tuple(data["columns"]), dict(data["matched"]))
    return CatalogImportError(data["code"], **data.get("params", {}))


# ---------------------------------------------------------------- start, watch, read the outcome
def running(con: duckdb.DuckDBPyConnection) -> jobs.Job | None:
    """The import running now (any session), or None."""
    # Read on every run of the Catalogue page: one query when nothing runs.
    ids = [r[0] for r in con.execute("SELECT id FROM jobs WHERE kind = ? AND status = 'running' ORDER BY id DESC",
                                     [KIND]).fetchall()]
    return next((j for j in (jobs.get(con, i) for i in ids) if j is not None and not j.stale), None)


def start(con: duckdb.DuckDBPyConnection, path: str | Path, file_name: str, *,
          column_map: dict[str, str | None] | None = None) -> int:
    """Record an import of ``path`` (a saved upload, or the sample) and run it in a server thread.

    Returns the job id at once. Raises :class:`ImportBusy` when an import is already running."""
    path = Path(path)
    with _start_lock:
        busy = running(con)
        if busy is not None:
            raise ImportBusy(busy)
        forget_interrupted(con)
        params = {"path": str(path), "file_name": file_name, "column_map": column_map,
                  "size": path.stat().st_size if path.is_file() else None}
        job_id = jobs.create(con, KIND, params, f"SELECT '{ITEM}' AS item, 1 AS seq, NULL AS payload")
        jobs.start(con, job_id)
    return job_id


def outcome(con: duckdb.DuckDBPyConnection, job_id: int) -> Outcome | None:
    """How job ``job_id`` ended; None while it runs."""
    job = jobs.get(con, job_id)
    if job is None:
        return Outcome(problem="interrupted")
    if job.status == "running" and not job.stale:      # the same test as running()
        return None
    row = con.execute("SELECT state, detail FROM job_items WHERE job_id = ? AND item = ?", [job_id, ITEM]).fetchone()
    state, detail = row if row else (None, None)
    if state == "accepted":
        return Outcome(result=result_from_json(detail))
    if state == "rejected":
        return Outcome(error=error_from_json(detail))
    if job.status == "failed":
        return Outcome(problem="crashed", detail=job.error or "")
    return Outcome(problem="interrupted")


def live_progress(job_id: int) -> float | None:
    """How far the running import is (0–1), from DuckDB's estimate, or None before it has one.

    The importer turns DuckDB's progress tracking on for its cursor (never printed). The estimate is
    per statement, and the import runs a few short ones after its long INSERT, so the value shown
    never goes back: the page's bar would otherwise drop to 0 for the last steps."""
    cur = _live.get(job_id)
    if cur is None:
        return None
    try:
        value = cur.query_progress()
    except duckdb.Error:
        return None     # the job ended between the lookup and the call
    share = min(value, 100.0) / 100.0 if value is not None and value >= 0 else None
    best = _best.get(job_id)
    if share is not None and (best is None or share > best):
        _best[job_id] = best = share
    return best


def forget_interrupted(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Remove the uploads of import jobs that will never finish (thread or server stopped mid-way).

    Their item stays unanswered, so :func:`outcome` says ``interrupted``; returns their ids."""
    jobs.recover(con)
    # One query (this runs at every start): the recent stopped jobs whose file never got an answer.
    dead = con.execute(
        "SELECT j.id, j.params FROM jobs AS j JOIN job_items AS i ON i.job_id = j.id AND i.item = ? "
        "WHERE j.kind = ? AND j.status IN ('interrupted', 'failed', 'cancelled') "
        "AND i.state NOT IN ('accepted', 'rejected') ORDER BY j.id DESC LIMIT ?", [ITEM, KIND, RECENT]).fetchall()
    for _, params in dead:
        uploads.discard(json.loads(params or "{}").get("path"))
    return [job_id for job_id, _ in dead]


# ---------------------------------------------------------------- the worker
def worker(ctx: jobs.JobContext) -> None:
    """Import the job's file on the job's own cursor and answer its one item."""
    params = ctx.params
    path = params["path"]
    ctx.beat("importing", force=True)
    keep_upload = False
    _live[ctx.id] = ctx.con
    try:
        result = import_file(ctx.con, path, file_name=params["file_name"], column_map=params.get("column_map"))
    except MissingColumns as exc:
        keep_upload = True          # asked again with the user's column_map
        ctx.answer(ITEM, "rejected", error_to_json(exc), max_detail=None)
    except CatalogImportError as exc:
        ctx.answer(ITEM, "rejected", error_to_json(exc), max_detail=None)
    else:
        ctx.answer(ITEM, "accepted", result_to_json(result), remote_id=str(result.import_id), max_detail=None)
    finally:
        _live.pop(ctx.id, None)
        _best.pop(ctx.id, None)
        if not keep_upload:
            uploads.discard(path)   # only ever a file of the uploads folder (never the sample)


jobs.register(KIND, worker)
