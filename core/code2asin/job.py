"""The Code2ASIN mapping job, run by :mod:`core.jobs` (a server thread, state in DuckDB, resumable).

A job's items are the selection's searchable EANs (EAN-13 form; see :mod:`core.code2asin.eligible`)
not checked yet on the marketplace — all of them with ``recheck`` — chosen in one SQL statement.
The worker takes them 20 at a time (Amazon's maximum per ``searchCatalogItems``), follows the
answer's pages, classifies the items (:mod:`core.code2asin.matching`) and, in ONE transaction per
batch, replaces those EANs' rows in ``asin_matches`` and answers their job items ``accepted`` (detail:
the match status). So a stopped, failed or crashed job resumes where it was: a finished batch is never
searched again, an unfinished one is searched again and its rows replaced (idempotent). A search
that fails after the client's retries marks the batch ``failed`` (detail: the typed error as JSON)
and ends the job, which stays resumable. A search only reads Amazon's catalogue, so ``sent`` items
are simply searched again on resume.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from core import jobs
from core.code2asin import selected, store
from core.code2asin.matching import classify, parse_item
from core.marketplaces import marketplace as marketplace_by_code
from core.selection import Selection, sql_literal
from core.spapi import catalog as catalog_api
from core.spapi.results import ApiError, Result

KIND = "code2asin"
BATCH_SIZE = catalog_api.MAX_IDENTIFIERS       # 20 identifiers per searchCatalogItems call
MAX_PAGES = 10                                  # answer pages followed per batch (20 items each)
INCLUDED = ("identifiers", "summaries", "productTypes", "relationships")
TODO_STATES = ("pending", "sent", "failed")
WRITE_ATTEMPTS = 3                              # a batch's transaction, if a write conflict aborts it

# The catalogue search the worker calls (tests wrap it to count calls; it stays the real client).
search = catalog_api.search_by_identifiers


@dataclass(frozen=True)
class Target:
    """Where a job searches: environment, marketplace code, local sandbox URL (no secret here)."""
    environment: str
    marketplace: str
    local_url: str | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def items_sql(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None, recheck: bool) -> str:
    """SQL selecting the job items (item = EAN-13, seq, payload = JSON of the products' brand)."""
    skip_checked = "" if recheck else (
        f"WHERE e.ean NOT IN (SELECT ean FROM {store.TABLE} WHERE marketplace = {sql_literal(marketplace)})")
    return (f"SELECT e.ean AS item, row_number() OVER (ORDER BY e.ean) AS seq, "
            f"json_object('brand', e.product_brand) AS payload FROM {selected.table_sql(con, sel)} AS e {skip_checked}")


def count_items(con: duckdb.DuckDBPyConnection, marketplace: str, sel: Selection | None = None, *,
                recheck: bool = False) -> int:
    """How many EANs a job created now would search."""
    code = store.marketplace_code(marketplace)
    return int(con.execute(f"SELECT count(*) FROM ({items_sql(con, code, sel, recheck)})").fetchone()[0])


def create(con: duckdb.DuckDBPyConnection, target: Target, sel: Selection | None = None, *,
           recheck: bool = False) -> int:
    """Record a mapping job for the selection's EANs on ``target.marketplace`` (not started)."""
    sel = sel or Selection()
    code = store.marketplace_code(target.marketplace)
    params = {"environment": target.environment, "marketplace": code, "selection": sel.name,
              "recheck": recheck, "local_url": target.local_url}
    return jobs.create(con, KIND, params, items_sql(con, code, sel, recheck))


def start(con: duckdb.DuckDBPyConnection, target: Target, sel: Selection | None = None, *,
          recheck: bool = False) -> int:
    """Create a mapping job and run it in a background thread; its id."""
    job_id = create(con, target, sel, recheck=recheck)
    jobs.start(con, job_id)
    return job_id


def resume(con: duckdb.DuckDBPyConnection, job_id: int, local_url: str | None = None) -> bool:
    """Continue a stopped, failed or interrupted job (with today's sandbox URL when given)."""
    job = jobs.get(con, job_id)
    if job is None or job.kind != KIND:
        return False
    if local_url and job.params.get("local_url") != local_url:
        # The local sandbox may listen on another port since the job was created (server restarted).
        con.execute("UPDATE jobs SET params = ? WHERE id = ?",
                    [json.dumps({**job.params, "local_url": local_url}), job_id])
    return jobs.start(con, job_id)


def latest(con: duckdb.DuckDBPyConnection, marketplace: str) -> jobs.Job | None:
    """The most recent mapping job on ``marketplace``."""
    return next((j for j in jobs.of_kind(con, KIND, limit=50) if j.params.get("marketplace") == marketplace), None)


def last_error(con: duckdb.DuckDBPyConnection, job_id: int) -> ApiError | None:
    """The typed error that stopped the job, if a search failed."""
    row = con.execute("SELECT detail FROM job_items WHERE job_id = ? AND state = 'failed' "
                      "ORDER BY answered_at DESC LIMIT 1", [job_id]).fetchone()
    if not row or not row[0]:
        return None
    try:
        data = json.loads(row[0])
        return ApiError(data["kind"], data.get("http_status"), data.get("amazon_code"), data.get("message", ""))
    except (ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- the worker
def config(params: dict):
    """The SP-API config of a job (credentials loaded now: they are never stored with the job)."""
    from core.spapi.client import SpApiConfig  # noqa: PLC0415
    from core.spapi.credentials import load_credentials  # noqa: PLC0415
    return SpApiConfig(environment=params["environment"], marketplace=marketplace_by_code(params["marketplace"]),
                       credentials=load_credentials(), local_url=params.get("local_url"))


def search_all(cfg, eans: list[str]) -> tuple[Result, list[dict]]:
    """Every item Amazon returns for ``eans`` (all pages): the last result and the raw items."""
    items, token = [], None
    for _page in range(MAX_PAGES):
        result = search(cfg, eans, "EAN", included=INCLUDED, page_size=BATCH_SIZE, page_token=token)
        if not result.ok:
            return result, items
        payload = result.payload if isinstance(result.payload, dict) else {}
        items.extend(i for i in payload.get("items") or [] if isinstance(i, dict))
        token = (payload.get("pagination") or {}).get("nextToken")
        if not token:
            break
    return result, items


def _brand(payload: str | None) -> str | None:
    try:
        return (json.loads(payload or "{}") or {}).get("brand")
    except ValueError:
        return None


def _error_detail(error: ApiError) -> str:
    return json.dumps({"kind": error.kind, "http_status": error.http_status, "amazon_code": error.amazon_code,
                       "message": error.message[:500]})


def _write_batch(ctx: jobs.JobContext, code: str, batch: list[tuple[str, str, int]], raw: list[dict],
                 marketplace_id: str) -> None:
    con, eans = ctx.con, [ean for ean, _, _ in batch]
    items = [parse_item(i, marketplace_id) for i in raw]
    for attempt in range(WRITE_ATTEMPTS):
        con.execute("BEGIN TRANSACTION")
        try:
            kept = store.previous_choices(con, code, eans)
            matches = {ean: classify(ean, _brand(payload), items, kept.get(ean)) for ean, payload, _ in batch}
            store.replace_rows(con, code, eans, [m for rows in matches.values() for m in rows], _now())
            for ean, rows in matches.items():
                ctx.answer(ean, "accepted", rows[0].status)
            con.execute("COMMIT")
            return
        except duckdb.TransactionException:
            # A user's choice touched the same rows at that instant: DuckDB refuses one of the two writes.
            _rollback(con)
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
        except Exception:
            _rollback(con)
            raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:   # a failed COMMIT has already ended the transaction
        pass


def worker(ctx: jobs.JobContext) -> None:
    """Search the job's remaining EANs batch by batch until done, cancelled or a search fails."""
    cfg = config(ctx.params)
    code = ctx.params["marketplace"]
    while not ctx.cancel_requested():
        batch = ctx.items(TODO_STATES, limit=BATCH_SIZE)
        if not batch:
            return
        eans = [ean for ean, _, _ in batch]
        ctx.mark_sent(eans)
        ctx.beat("searching", force=True)
        result, raw = search_all(cfg, eans)
        if not result.ok:
            for ean in eans:
                ctx.answer(ean, "failed", _error_detail(result))
            return
        _write_batch(ctx, code, batch, raw, cfg.marketplace.marketplace_id)


jobs.register(KIND, worker)

