"""The Flat File export, end to end: validate the selection, leave out the products with ERROR
violations (unless asked to include them), write the Seller Central file and the rejects file,
and record everything in the exports history. Used by the Export page and ``python -m core.export``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from core import flatfile, reports, selection as selections
from core.catalog.store import has_catalogue
from core.db import table_exists
from core.exports import history
from core.i18n import message
from core.mapping import profiles
from core.mapping.query import LINE, lines_sql, mapped_sql
from core.marketplaces import Marketplace, marketplace as find_marketplace

ENCODING_CODE = "ENCODING_CP1252"     # reject code of a product Windows-1252 cannot hold


class ExportError(Exception):
    """An export that cannot start: ``key`` is the message key explaining why."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class ExportRequest:
    marketplace: str = "FR"
    selection: str = ""                  # saved selection name, "" = all products
    profile: str = profiles.DEFAULT_PROFILE
    profile_version: int | None = None   # None = latest
    encoding: str = "utf-8"
    include_rejected: bool = False
    out: Path | None = None              # None = runtime_dir()/exports/…
    user: str = "dashboard"
    lang: str = "fr"


@dataclass(frozen=True)
class ExportOutcome:
    export_id: int
    rows_selected: int
    rows_written: int
    rows_rejected: int
    file_path: Path
    rejects_path: Path | None
    bytes: int
    sha256: str


def _validate(con: duckdb.DuckDBPyConnection, sel: selections.Selection, lang: str) -> None:
    # The Qualité rules engine refreshes the violations of the selection, so that the export never
    # relies on a stale run. Without the engine, the violations table is used as it is.
    try:
        from core.rules.engine import validate  # noqa: PLC0415 - the rules are their own package
    except ImportError:
        return
    validate(con, sel, lang)


def _rejects_sql(con: duckdb.DuckDBPyConnection, data: str, include_rejected: bool) -> str:
    if include_rejected or not table_exists(con, "violations"):
        return "SELECT NULL::VARCHAR AS sku, NULL::VARCHAR AS field, NULL::VARCHAR AS code, " \
               "NULL::VARCHAR AS message, NULL::VARCHAR AS hint WHERE false"
    return (f"SELECT v.sku, coalesce(v.amazon_attribute, v.field) AS field, v.code, v.message, v.hint "
            f"FROM violations v WHERE v.severity = 'ERROR' AND v.sku IN (SELECT _sku FROM ({data}))")


@dataclass(frozen=True)
class Planned:
    """An export that passed its checks and is recorded as ``running``."""
    export_id: int
    request: ExportRequest
    market: Marketplace
    profile: profiles.Profile
    selection: selections.Selection


def resolve_target(con: duckdb.DuckDBPyConnection, marketplace: str, selection: str, profile: str,
                   profile_version: int | None) -> tuple[Marketplace, profiles.Profile]:
    """The checks every export (Flat File or API) makes before it starts: a known marketplace, a catalogue,
    an existing selection and the requested mapping profile version. Raises :class:`ExportError`."""
    try:
        market = find_marketplace(marketplace)
    except KeyError:
        raise ExportError("export.errors.marketplace", value=marketplace) from None
    if not has_catalogue(con):
        raise ExportError("export.errors.no_catalogue")
    if selection and selection not in selections.names(con):
        raise ExportError("export.errors.selection", value=selection)
    loaded = profiles.load(con, market.code, profile, profile_version)
    if profile_version is not None and loaded.version != profile_version:
        raise ExportError("export.errors.profile_version", value=profile_version)
    return market, loaded


def start(con: duckdb.DuckDBPyConnection, req: ExportRequest) -> Planned:
    """Check ``req`` and record the export as ``running``; raises :class:`ExportError` when it cannot start."""
    if req.encoding not in flatfile.ENCODINGS:
        raise ExportError("export.errors.encoding", value=req.encoding)
    market, profile = resolve_target(con, req.marketplace, req.selection, req.profile, req.profile_version)
    export_id = history.start(con, user=req.user, marketplace=market.code, mode="flat_file", profile=profile.name,
                              profile_version=profile.version, selection=req.selection, encoding=req.encoding,
                              include_rejected=req.include_rejected)
    return Planned(export_id, req, market, profile, selections.load(con, req.selection))


def run(con: duckdb.DuckDBPyConnection, req: ExportRequest) -> ExportOutcome:
    """Run the export described by ``req`` now, in this thread (the command line does this)."""
    return execute(con, start(con, req))


def execute(con: duckdb.DuckDBPyConnection, plan: Planned) -> ExportOutcome:
    """Do a started export: validate, reject, write the files, record the result.

    A failure is recorded (status ``failed``, message) and re-raised.
    """
    req, market, export_id = plan.request, plan.market, plan.export_id
    rej = f"_export_rejects_{export_id}"
    try:
        _validate(con, plan.selection, req.lang)
        fields = [r.field for r in plan.profile.rows]
        mapped = mapped_sql(con, plan.profile.rows, market.code, plan.selection)
        selected = con.execute(f"SELECT count(*) FROM ({mapped})").fetchone()[0]
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rej} AS {_rejects_sql(con, mapped, req.include_rejected)}")
        if req.encoding == "cp1252":
            # Rows Windows-1252 cannot hold are rejected with the offending characters, never replaced.
            kept = f"SELECT m.* FROM ({mapped}) m ANTI JOIN {rej} r ON m._sku = r.sku"
            chars = f"array_to_string(list_distinct(regexp_extract_all(value, '[^{flatfile.CP1252_CLASS}]')), ' ')"
            con.execute(
                f"INSERT INTO {rej} SELECT sku, field, '{ENCODING_CODE}', ? || {chars}, ? "
                f"FROM ({flatfile.cp1252_problems_sql(kept, fields)})",
                [message("export.reject_cp1252", req.lang), message("export.reject_cp1252_hint", req.lang)])
        data = f"SELECT m.* FROM ({mapped}) m ANTI JOIN {rej} r ON m._sku = r.sku"
        types = [r[0] for r in con.execute(
            f"SELECT DISTINCT feed_product_type FROM ({data}) WHERE feed_product_type IS NOT NULL "
            f"ORDER BY 1 LIMIT 50").fetchall()] if "feed_product_type" in fields else []
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(req.out) if req.out else history.exports_dir() / f"export-{export_id:05d}-{market.code}-{stamp}.txt"
        # The lines themselves come from lines_sql(): the same bytes as the fields of `data`, less work.
        lines = f"SELECT m.* FROM ({lines_sql(con, plan.profile.rows, market.code, plan.selection)}) m " \
                f"ANTI JOIN {rej} r ON m._sku = r.sku"
        written = flatfile.write(con, lines, fields, target, market, types, req.encoding, line_column=LINE)
        # Products (rows) left out: a SKU present twice in the catalogue counts twice, as when written.
        rejected = int(selected) - written.rows
        has_rejects = con.execute(f"SELECT count(*) > 0 FROM {rej}").fetchone()[0]
        rejects_path = _write_rejects(con, rej, target, req.lang) if has_rejects else None
        history.finish(con, export_id, rows_selected=int(selected), rows_written=written.rows,
                       rows_rejected=int(rejected), file_path=str(written.path),
                       rejects_path=str(rejects_path or ""), bytes_=written.bytes, sha256=written.sha256)
        return ExportOutcome(export_id, int(selected), written.rows, int(rejected), written.path, rejects_path,
                             written.bytes, written.sha256)
    except BaseException as exc:
        history.fail(con, export_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        con.execute(f"DROP TABLE IF EXISTS {rej}")


def _write_rejects(con: duckdb.DuckDBPyConnection, rej: str, target: Path, lang: str) -> Path:
    """The rejects, for humans: one line per (product, reason), CSV with formula injection neutralised."""
    df = con.execute(
        f"SELECT r.sku, p.title, r.field, r.code, r.message, r.hint FROM {rej} r "
        f"LEFT JOIN products p ON p.sku = r.sku ORDER BY r.sku, r.field, r.code").df()
    df.columns = [message(f"export.rejects_columns.{c}", lang) for c in df.columns]
    path = target.with_name(target.stem + ".rejects.csv")
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_bytes(reports.to_csv_bytes(df))
    tmp.replace(path)
    return path


# --- in the background (the dashboard) ---------------------------------------------------------
# The page records the export, hands it to a thread of the server process and returns at once; the
# thread writes the result to the exports table, which the pages poll. A closed tab does not stop it.
_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


def launch(con: duckdb.DuckDBPyConnection, req: ExportRequest) -> int:
    """Start the export in a background thread (own DuckDB cursor); returns its id at once.

    Raises :class:`ExportError` when it cannot start (nothing is recorded then).
    """
    plan = start(con, req)
    cursor = con.cursor()     # DuckDB: one cursor per thread, created here, used only by the worker

    def work() -> None:
        try:
            execute(cursor, plan)
        except BaseException:  # noqa: BLE001 - recorded as failed by execute(); the thread must end quietly
            pass
        finally:
            cursor.close()
            with _lock:
                _threads.pop(plan.export_id, None)

    thread = threading.Thread(target=work, name=f"flatfile-export-{plan.export_id}", daemon=True)
    with _lock:
        _threads[plan.export_id] = thread
    thread.start()
    return plan.export_id


def is_running(export_id: int) -> bool:
    """True while the export's thread is alive in this process."""
    with _lock:
        thread = _threads.get(export_id)
    return bool(thread and thread.is_alive())


def wait(export_id: int, timeout: float | None = None) -> bool:
    """Wait for a background export to end; True when it has ended."""
    with _lock:
        thread = _threads.get(export_id)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def recover(con: duckdb.DuckDBPyConnection) -> int:
    """Mark as failed the Flat File exports left ``running`` by a process that stopped; returns how many.

    Only the dashboard process writes Flat Files while it runs (DuckDB lets one process open the file),
    so a running export without a live thread here was interrupted.
    """
    stuck = [r[0] for r in con.execute(
        "SELECT id FROM exports WHERE mode = 'flat_file' AND status = 'running'").fetchall() if not is_running(r[0])]
    for export_id in stuck:
        history.fail(con, export_id, "interrupted")
    return len(stuck)
