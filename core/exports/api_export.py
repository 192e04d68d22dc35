"""The "API directe" export: validate → build the JSON listings → send through SP-API in a background job.

:func:`queue` checks the request and records an exports-history row (mode ``api``) and a job;
:func:`launch` runs the job in a thread of the server process (:mod:`core.jobs`). Its worker
:func:`run_job` first :func:`build`\ s it — runs the rules, leaves out the SKUs with rule ERRORs (unless
asked to include them), builds every putListingsItem body in one DuckDB statement (:mod:`core.listings`)
into the job's items — then sends (and, when resumed, carries on):

1. items left ``sent`` without a recorded answer (the process stopped in between) are re-checked
   with getListingsItem — a listing updated since the item was sent, or holding exactly the sent
   attributes, counts as accepted — and only the others go back to ``pending``;
2. feeds created by an earlier run are polled again (their ids are stored before any polling), never
   re-submitted;
3. the remaining items are sent: per SKU with putListingsItem (rate-limited, retried client), or in
   JSON_LISTINGS_FEED documents of at most :data:`FEED_MAX_MESSAGES` messages and about
   :data:`FEED_MAX_BYTES` whose processing report is parsed into per-item results.

Amazon's issues land in ``api_export_issues`` (per job, for the live table) and in ``violations``
with ``source = 'amazon'`` (replacing that SKU's previous Amazon rows), explained by :mod:`core.errors`.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd

from core import errors as amazon_errors
from core import integrations, jobs
from core import selection as selections
from core.db import table_exists
from core.exports import history
from core.exports.flatfile_export import ExportError, resolve_target
from core.i18n import message
from core.listings import ATTRIBUTES, BuildOptions, OFFER_ONLY, feed_document_sql, listings_sql
from core.mapping import profiles
from core.mapping.default import DEFAULT_MAPPING
from core.marketplaces import marketplace as find_marketplace

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_export_feeds (
    job_id      BIGINT,
    feed_id     VARCHAR,            -- stored as soon as createFeed answers, before any polling
    document_id VARCHAR,
    messages    BIGINT,
    status      VARCHAR,            -- IN_QUEUE … DONE | FATAL | CANCELLED (Amazon's processingStatus)
    created_at  TIMESTAMP,
    finished_at TIMESTAMP,
    PRIMARY KEY (job_id, feed_id)
);
CREATE TABLE IF NOT EXISTS api_export_issues (
    job_id    BIGINT,
    sku       VARCHAR,
    code      VARCHAR,
    severity  VARCHAR,              -- ERROR | WARNING | INFO
    category  VARCHAR,              -- Amazon's first category (MISSING_ATTRIBUTE …)
    attribute VARCHAR,              -- Amazon's attribute name(s)
    message   VARCHAR,              -- Amazon's own text
    noted_at  TIMESTAMP
);
"""

KIND = "api_export"
METHODS = ("auto", "put", "feed")
AUTO_FEED_THRESHOLD = 500          # "auto": per-SKU puts up to this many items, feeds beyond
FEED_MAX_MESSAGES = 25000          # JSON_LISTINGS_FEED limit (spapi-reference §f)
FEED_MAX_BYTES = 10 * 1024 * 1024  # Amazon's feeds best practice: documents under 10 MiB (§f)
PUT_WORKERS = 4                    # concurrent puts; the shared rate limiter keeps them under 5 rps
PUT_CHUNK = 20                     # items marked sent together before their requests leave
POLL_FIRST_S, POLL_MAX_S = 0.5, 30.0
RECHECK_TOLERANCE_S = 2.0          # Amazon's dates are to the second
FATAL_KINDS = ("auth", "forbidden", "unauthorized")   # no point sending the other items

# JSON attribute → catalogue column, for the ``field`` of Amazon's issues in ``violations``.
_SOURCE_OF_FIELD = {r.field: r.source for r in DEFAULT_MAPPING if r.source}
ATTRIBUTE_FIELDS: dict[str, str] = {
    a.name: _SOURCE_OF_FIELD[a.fields[0]] for a in ATTRIBUTES if a.fields and a.fields[0] in _SOURCE_OF_FIELD}


class JobAborted(Exception):
    """The job cannot go on (credentials refused, role missing): recorded as the job's error."""


@dataclass(frozen=True)
class ApiExportRequest:
    marketplace: str = "FR"
    selection: str = ""                  # saved selection name, "" = all products
    profile: str = profiles.DEFAULT_PROFILE
    profile_version: int | None = None
    include_rejected: bool = False
    method: str = "auto"                 # auto | put | feed
    user: str = "dashboard"
    lang: str = "fr"
    local_url: str | None = None         # the local sandbox's URL (environment local_sandbox)


@dataclass(frozen=True)
class Prepared:
    export_id: int
    job_id: int
    rows_selected: int
    rows_rejected: int
    items: int


def _rejects_sql(con: duckdb.DuckDBPyConnection, include_rejected: bool) -> str:
    # Only the local rules block: Amazon's own issues of a previous export must not stop a re-send.
    if include_rejected or not table_exists(con, "violations"):
        return "SELECT NULL::VARCHAR AS sku WHERE false"
    return "SELECT DISTINCT sku FROM violations WHERE source = 'rule' AND severity = 'ERROR' AND sku IS NOT NULL"


def queue(con: duckdb.DuckDBPyConnection, req: ApiExportRequest,
          settings: integrations.IntegrationSettings | None = None) -> Prepared:
    """Check the request and record the export (history row + job) in a few milliseconds; the rules
    run and the JSON build are left to the job (:func:`build`), so the page never waits for them.

    Raises :class:`ExportError` (message key + params) when the export cannot start.
    """
    settings = settings or integrations.load_settings(con)
    if not integrations.api_mode_allowed(settings):
        raise ExportError("api_export.errors.individual")
    if req.method not in METHODS:
        raise ExportError("api_export.errors.method", value=req.method)
    if not integrations.effective_seller_id(settings):
        raise ExportError("api_export.errors.seller_id")
    market, profile = resolve_target(con, req.marketplace, req.selection, req.profile, req.profile_version)
    export_id = history.start(con, user=req.user, marketplace=market.code, mode="api", profile=profile.name,
                              profile_version=profile.version, selection=req.selection,
                              include_rejected=req.include_rejected)
    condition_row = next((r for r in profile.rows if r.field == "condition_type"), None)
    params = {"export_id": export_id, "marketplace": market.code, "method": req.method, "lang": req.lang,
              "requirements": integrations.listing_requirements(settings),
              "condition_type": integrations.condition_type(settings),
              "per_product_condition": bool(condition_row and condition_row.source),
              "selection": req.selection, "profile": profile.name, "profile_version": profile.version,
              "include_rejected": req.include_rejected, "local_url": req.local_url,
              jobs.PREPARED: False}
    job_id = jobs.create(con, KIND, params, "SELECT NULL AS item, NULL AS seq, NULL AS payload WHERE false",
                         ref=export_id)
    return Prepared(export_id, job_id, 0, 0, 0)


def build(con: duckdb.DuckDBPyConnection, job_id: int) -> Prepared:
    """Run the rules and build every body of a queued export into its job items (set-based; idempotent:
    nothing is sent before it ends). Returns the counts."""
    job = jobs.get(con, job_id)
    params = dict(job.params)
    export_id = params["export_id"]
    try:
        market = find_marketplace(params["marketplace"])
        profile = profiles.load(con, market.code, params["profile"], params["profile_version"])
        sel = selections.load(con, params["selection"])
        try:
            from core.rules.engine import validate  # noqa: PLC0415 - the rules refresh violations
            validate(con, sel, params["lang"])
        except ImportError:
            pass
        opts = BuildOptions(market, params["requirements"], params["condition_type"],
                            per_product_condition=params["per_product_condition"])
        built = listings_sql(con, profile.rows, opts, sel)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _api_built AS {built}")
        selected = int(con.execute("SELECT count(*) FROM _api_built").fetchone()[0])
        items_sql = (f"SELECT sku AS item, _row AS seq, body AS payload FROM _api_built WHERE "
                     f"nullif(trim(sku), '') IS NOT NULL AND sku NOT IN ({_rejects_sql(con, params['include_rejected'])})")
        items = jobs.replace_items(con, job_id, items_sql)
        rejected = selected - items
        params.update({jobs.PREPARED: True, "rows_selected": selected, "rows_rejected": rejected})
        con.execute("UPDATE jobs SET params = ? WHERE id = ?", [json.dumps(params), job_id])
        con.execute("UPDATE exports SET rows_selected = ?, rows_rejected = ? WHERE id = ?",
                    [selected, rejected, export_id])
        return Prepared(export_id, job_id, selected, rejected, items)
    except Exception as exc:
        history.fail(con, export_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _api_built")


def prepare(con: duckdb.DuckDBPyConnection, req: ApiExportRequest,
            settings: integrations.IntegrationSettings | None = None) -> Prepared:
    """:func:`queue` then :func:`build` at once (CLI, tests): the job then only sends."""
    queued = queue(con, req, settings)
    return build(con, queued.job_id)


# ---------------------------------------------------------------- launching
_configs: dict[int, object] = {}     # job id → SpApiConfig given at launch (kept in memory, never stored)


def launch(con: duckdb.DuckDBPyConnection, job_id: int, cfg=None) -> bool:
    """Run (or resume) the export job in a background thread; ``cfg`` overrides the settings' config."""
    if cfg is not None:
        _configs[job_id] = cfg
    return jobs.start(con, job_id)


def _config(ctx: jobs.JobContext):
    # Taken once: a later resume passes its own (job ids are per database, this dict per process).
    cfg = _configs.pop(ctx.id, None)
    if cfg is not None:
        return cfg
    settings = integrations.load_settings(ctx.con)
    return integrations.spapi_config(settings, local_url=ctx.params.get("local_url"))


# ---------------------------------------------------------------- issues
def _explain(code: str, text: str, lang: str) -> tuple[str, str]:
    found = amazon_errors.explain(code, text, lang)
    return (found[0], found[2]) if found else ("", "")


def record_issues(con: duckdb.DuckDBPyConnection, job_id: int, skus: list[str], issues: list[dict], lang: str) -> None:
    """Store Amazon's ``issues`` for ``skus`` (each issue: sku, code, severity, categories, attributeNames,
    message): in this job's issue list, and in ``violations`` (source ``amazon``) replacing the SKUs'
    previous Amazon rows."""
    if not skus:
        return
    rows = []
    now = datetime.now()
    for i in issues:
        attrs = [str(a) for a in (i.get("attributeNames") or ([i["attributeName"]] if i.get("attributeName") else []))]
        cats = i.get("categories") or []
        code, text = str(i.get("code") or ""), str(i.get("message") or "")
        _title, fix = _explain(code, text, lang)
        rows.append({"job_id": job_id, "sku": i.get("sku"), "code": code, "severity": str(i.get("severity") or "ERROR"),
                     "category": cats[0] if cats else None, "attribute": ", ".join(attrs) or None,
                     "field": next((ATTRIBUTE_FIELDS[a] for a in attrs if a in ATTRIBUTE_FIELDS), None),
                     "message": text, "hint": fix or None, "noted_at": now})
    # the violations view reads the other sources' rows from this table (core.rules.store)
    con.execute("DELETE FROM violations_other WHERE source = 'amazon' AND list_contains(?, sku)", [skus])
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=["job_id", "sku", "code", "severity", "category", "attribute", "field",
                                        "message", "hint", "noted_at"])
    con.register("_api_issues_in", frame)
    try:
        con.execute("INSERT INTO api_export_issues SELECT job_id, sku, code, severity, category, attribute, message, noted_at "
                    "FROM _api_issues_in")
        con.execute("INSERT INTO violations_other (source, sku, field, amazon_attribute, code, severity, category, value, "
                    "message, hint) SELECT 'amazon', sku, field, attribute, code, severity, category, NULL, message, hint "
                    "FROM _api_issues_in")
    finally:
        con.unregister("_api_issues_in")


def issues_frame(con: duckdb.DuckDBPyConnection, job_id: int, lang: str, *, errors_only: bool = False,
                 limit: int = 500) -> pd.DataFrame:
    """This job's Amazon issues, newest first, with the explanation and fix of known codes."""
    where = " AND severity = 'ERROR'" if errors_only else ""
    df = con.execute(f"SELECT sku, severity, code, attribute, message FROM api_export_issues WHERE job_id = ?{where} "
                     f"ORDER BY noted_at DESC, sku LIMIT {int(limit)}", [job_id]).df()
    explained = [_explain(c, m, lang) for c, m in zip(df["code"], df["message"])]
    df["explanation"] = [e[0] for e in explained]
    df["fix"] = [e[1] for e in explained]
    return df


# ---------------------------------------------------------------- per-SKU puts
def _issues_of(payload: dict, sku: str) -> list[dict]:
    return [dict(i, sku=sku) for i in (payload.get("issues") or []) if isinstance(i, dict)]


def _answer_put(ctx: jobs.JobContext, sku: str, result, lang: str) -> None:
    """Record the answer of one putListingsItem."""
    if result.ok:
        payload = result.payload if isinstance(result.payload, dict) else {}
        status = str(payload.get("status") or "")
        issues = _issues_of(payload, sku)
        state = "accepted" if status in ("ACCEPTED", "VALID") else "rejected"
        record_issues(ctx.con, ctx.id, [sku], issues, lang)
        ctx.answer(sku, state, status, payload.get("submissionId"))
        return
    if result.kind == "invalid":     # Amazon refused the request itself (400 …): not worth resending as is
        issue = {"sku": sku, "code": result.amazon_code or str(result.http_status or ""), "severity": "ERROR",
                 "message": " ".join(p for p in (result.message, result.details) if p)}
        record_issues(ctx.con, ctx.id, [sku], [issue], lang)
        ctx.answer(sku, "rejected", f"{result.kind}: {result.message}")
        return
    ctx.answer(sku, "failed", f"{result.kind} {result.http_status or ''} {result.amazon_code or ''}: {result.message}")
    if result.kind in FATAL_KINDS:
        raise JobAborted(f"{result.kind}: {result.message}")


def _send_puts(ctx: jobs.JobContext, cfg, lang: str) -> None:
    from core.spapi import listings as api  # noqa: PLC0415 - sp_api only where it is needed

    def put(item):
        sku, body = item
        return sku, api.put_item(cfg, sku, json.loads(body))

    with ThreadPoolExecutor(max_workers=PUT_WORKERS, thread_name_prefix=f"job-{ctx.id}-put") as pool:
        while True:
            if ctx.cancel_requested():
                return
            batch = ctx.items(("pending", "failed"), limit=PUT_CHUNK)
            # One send per item and per run: items failed in this run wait for the next resume.
            batch = [b for b in batch if b[0] not in ctx.tried]
            if not batch:
                return
            ctx.tried.update(b[0] for b in batch)
            ctx.mark_sent([b[0] for b in batch])
            ctx.beat("sending", force=True)
            for sku, result in pool.map(put, [(b[0], b[1]) for b in batch]):
                _answer_put(ctx, sku, result, lang)
                ctx.beat()


# ---------------------------------------------------------------- re-check of items sent without an answer
def _parse_amazon_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _recheck_sent(ctx: jobs.JobContext, cfg, lang: str) -> None:
    """Items ``sent`` with no answer and no feed: ask Amazon whether the listing got our submission."""
    from core.spapi import listings as api  # noqa: PLC0415
    rows = ctx.con.execute(
        "SELECT i.item, i.payload, i.sent_at FROM job_items i WHERE i.job_id = ? AND i.state = 'sent' "
        "AND NOT EXISTS (SELECT 1 FROM api_export_feeds f WHERE f.job_id = i.job_id AND f.feed_id = i.remote_id) "
        "ORDER BY i.seq", [ctx.id]).fetchall()
    for sku, body, sent_at in rows:
        ctx.beat("rechecking")
        got = api.get_item(cfg, sku, included=("summaries", "attributes", "issues"))
        if not got.ok:
            if got.kind in FATAL_KINDS:
                raise JobAborted(f"{got.kind}: {got.message}")
            # 404: never arrived. Anything else: unknown — send again (a PUT is a full replace).
            ctx.answer(sku, "pending", f"recheck {got.kind}")
            continue
        item = got.payload if isinstance(got.payload, dict) else {}
        sent_utc = sent_at.astimezone(timezone.utc) if sent_at else None   # naive local → UTC
        updated = [_parse_amazon_time(s.get("lastUpdatedDate")) for s in item.get("summaries") or []]
        fresh = sent_utc is not None and any(
            u is not None and (u - sent_utc).total_seconds() >= -RECHECK_TOLERANCE_S for u in updated)
        same = (item.get("attributes") or None) == (json.loads(body).get("attributes") or {})
        if fresh or same:
            issues = _issues_of(item, sku)
            record_issues(ctx.con, ctx.id, [sku], issues, lang)
            ctx.answer(sku, "accepted", "ACCEPTED (rechecked)")
        else:
            ctx.answer(sku, "pending", "recheck: not received")


# ---------------------------------------------------------------- JSON_LISTINGS_FEED
def _submit_feed(ctx: jobs.JobContext, cfg, batch: list[str]) -> str | None:
    """Build, upload and create one feed for ``batch``; its id is stored before any polling."""
    from core.spapi import feeds as api  # noqa: PLC0415
    market = cfg.marketplace
    ids = ", ".join("'" + s.replace("'", "''") + "'" for s in batch)
    messages = (f"SELECT row_number() OVER (ORDER BY seq, item) AS message_id, item AS sku, payload AS body "
                f"FROM job_items WHERE job_id = {int(ctx.id)} AND item IN ({ids})")
    document = ctx.con.execute(feed_document_sql(messages, cfg.seller_id, market.language_tag)).fetchone()[0]
    ctx.mark_sent(batch)
    ctx.beat("submitting_feed", force=True)
    sent = api.submit_json(cfg, document.encode("utf-8"))
    if not sent.ok:
        state = "failed"
        for sku in batch:
            ctx.answer(sku, state, f"feed {sent.kind}: {sent.message} {sent.details}".strip())
        if sent.kind in FATAL_KINDS:
            raise JobAborted(f"{sent.kind}: {sent.message}")
        return None
    feed_id = str(sent.payload["feedId"])
    ctx.con.execute("INSERT INTO api_export_feeds VALUES (?, ?, ?, ?, 'IN_QUEUE', ?, NULL)",
                    [ctx.id, feed_id, sent.payload.get("feedDocumentId"), len(batch), datetime.now()])
    ctx.set_remote_id(batch, feed_id)
    return feed_id


def _apply_report(ctx: jobs.JobContext, feed_id: str, report: dict, lang: str) -> None:
    """Per-item results of a feed's processing report: a SKU with an ERROR issue is rejected."""
    skus = [r[0] for r in ctx.con.execute("SELECT item FROM job_items WHERE job_id = ? AND remote_id = ?",
                                          [ctx.id, feed_id]).fetchall()]
    issues = [i for i in report.get("issues") or [] if isinstance(i, dict)]
    in_feed = set(skus)
    sku_issues = [i for i in issues if i.get("sku") in in_feed]
    feed_wide = [i for i in issues if not i.get("sku") and i.get("severity") == "ERROR"]
    if feed_wide:      # an issue without SKU (e.g. the document itself): every message failed
        text = "; ".join(str(i.get("message")) for i in feed_wide)
        for sku in skus:
            ctx.answer(sku, "failed", f"feed {feed_id}: {text}")
        return
    record_issues(ctx.con, ctx.id, skus, sku_issues, lang)
    bad = sorted({i["sku"] for i in sku_issues if i.get("severity") == "ERROR"})
    ctx.con.execute(
        "UPDATE job_items SET state = CASE WHEN list_contains(?, item) THEN 'rejected' ELSE 'accepted' END, "
        "detail = ?, answered_at = ? WHERE job_id = ? AND remote_id = ? AND state = 'sent'",
        [bad, f"feed {feed_id}", datetime.now(), ctx.id, feed_id])


def _poll_feed(ctx: jobs.JobContext, cfg, feed_id: str, lang: str) -> None:
    """Poll one feed until it ends, then apply its report (or fail its items)."""
    from core.spapi import feeds as api  # noqa: PLC0415
    delay = POLL_FIRST_S
    while True:
        if ctx.cancel_requested():
            return
        ctx.beat("polling_feed", force=True)
        got = api.get_feed(cfg, feed_id)
        if not got.ok:
            if got.kind in FATAL_KINDS:
                raise JobAborted(f"{got.kind}: {got.message}")
            time.sleep(delay)
            delay = min(POLL_MAX_S, delay * 1.5)
            continue
        status = str(got.payload.get("processingStatus") or "")
        ctx.con.execute("UPDATE api_export_feeds SET status = ? WHERE job_id = ? AND feed_id = ?",
                        [status, ctx.id, feed_id])
        if status in api.FINAL_STATUSES:
            break
        time.sleep(delay)
        delay = min(POLL_MAX_S, delay * 1.5)
    ctx.con.execute("UPDATE api_export_feeds SET finished_at = ? WHERE job_id = ? AND feed_id = ?",
                    [datetime.now(), ctx.id, feed_id])
    result_doc = got.payload.get("resultFeedDocumentId")
    report = api.fetch_report(cfg, result_doc) if result_doc else None
    if report is not None and report.ok and isinstance(report.payload, dict):
        _apply_report(ctx, feed_id, report.payload, lang)
        return
    why = f"feed {feed_id} {status}" + ("" if report is None or report.ok else f": {report.message}")
    for (sku,) in ctx.con.execute("SELECT item FROM job_items WHERE job_id = ? AND remote_id = ? AND state = 'sent'",
                                  [ctx.id, feed_id]).fetchall():
        ctx.answer(sku, "failed", why)


def _next_feed_batch(ctx: jobs.JobContext) -> list[str]:
    """The next items for one feed: in sending order, at most FEED_MAX_MESSAGES messages and about
    FEED_MAX_BYTES of JSON (always at least one item), skipping items already tried in this run."""
    tried = sorted(ctx.tried)
    rows = ctx.con.execute(
        "SELECT item FROM (SELECT item, seq, sum(length(payload) + 200) OVER (ORDER BY seq, item) AS size, "
        "row_number() OVER (ORDER BY seq, item) AS n FROM job_items "
        "WHERE job_id = ? AND state IN ('pending', 'failed') AND NOT list_contains(?, item)) "
        "WHERE n = 1 OR (n <= ? AND size <= ?) ORDER BY seq, item",
        [ctx.id, tried, FEED_MAX_MESSAGES, FEED_MAX_BYTES]).fetchall()
    return [r[0] for r in rows]


def _send_feeds(ctx: jobs.JobContext, cfg, lang: str) -> None:
    while not ctx.cancel_requested():
        batch = _next_feed_batch(ctx)
        if not batch:
            return
        ctx.tried.update(batch)
        feed_id = _submit_feed(ctx, cfg, batch)
        if feed_id:
            _poll_feed(ctx, cfg, feed_id, lang)


# ---------------------------------------------------------------- the worker
def _finish_history(ctx: jobs.JobContext) -> None:
    job = jobs.get(ctx.con, ctx.id)
    export_id = ctx.params.get("export_id")
    if export_id is None:
        return
    local = int(ctx.params.get("rows_rejected") or 0)
    history.finish(ctx.con, export_id, rows_selected=int(ctx.params.get("rows_selected") or job.total),
                   rows_written=job.counts["accepted"], rows_rejected=local + job.counts["rejected"])
    left = job.total - job.done_items
    if left:
        ctx.con.execute("UPDATE exports SET status = 'failed', error = ? WHERE id = ?",
                        [message("api_export.unfinished", ctx.params.get("lang", "fr"), n=left), export_id])


def run_job(ctx: jobs.JobContext) -> None:
    """The worker of an API export job (first run and every resume)."""
    lang = ctx.params.get("lang", "fr")
    if not ctx.params.get(jobs.PREPARED, True):
        ctx.beat("preparing", force=True)
        build(ctx.con, ctx.id)
        ctx.job = jobs.get(ctx.con, ctx.id)
    cfg = _config(ctx)
    ctx.beat("starting", force=True)
    try:
        _recheck_sent(ctx, cfg, lang)
        for (feed_id,) in ctx.con.execute(
                "SELECT feed_id FROM api_export_feeds WHERE job_id = ? AND finished_at IS NULL ORDER BY created_at",
                [ctx.id]).fetchall():
            _poll_feed(ctx, cfg, feed_id, lang)
        method = ctx.params.get("method", "auto")
        if method == "auto":
            left = len(ctx.items(("pending", "failed"), limit=AUTO_FEED_THRESHOLD + 1))
            method = "feed" if left > AUTO_FEED_THRESHOLD else "put"
        (_send_feeds if method == "feed" else _send_puts)(ctx, cfg, lang)
    except JobAborted as exc:
        ctx.con.execute("UPDATE exports SET status = 'failed', finished_at = current_timestamp, error = ? WHERE id = ?",
                        [str(exc), ctx.params.get("export_id")])
        raise
    if not ctx.cancel_requested():
        _finish_history(ctx)


jobs.register(KIND, run_job)


def feeds_of(con: duckdb.DuckDBPyConnection, job_id: int) -> pd.DataFrame:
    """The feeds of a job (feed id, messages, status)."""
    return con.execute("SELECT feed_id, messages, status, created_at, finished_at FROM api_export_feeds "
                       "WHERE job_id = ? ORDER BY created_at", [job_id]).df()


def requirements_label_key(requirements: str) -> str:
    """Message key describing the requirements sent (create vs offer on existing ASINs)."""
    return "api_export.requirements.offer_only" if requirements == OFFER_ONLY else "api_export.requirements.listing"
