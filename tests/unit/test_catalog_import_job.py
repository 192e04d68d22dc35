"""The catalogue import as a background job: it runs, shows it is running, refuses a second import,
and a refused or crashed import leaves the previous catalogue and says why."""
from __future__ import annotations

import dataclasses
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core import jobs
from core.catalog import import_job, uploads
from core.catalog.errors import MissingColumns
from core.catalog.importer import import_file
from core.catalog.store import catalogue_status
from core.i18n import message
from tests.factories import make_products, product

DATA = Path(__file__).resolve().parent.parent / "data"


def saved(name: str) -> Path:
    """A test file saved as the page saves an upload."""
    return uploads.save_upload(name, (DATA / name).read_bytes())


def finished(con, job_id: int) -> import_job.Outcome:
    assert jobs.wait(job_id, 30), "the import job did not end"
    out = import_job.outcome(con, job_id)
    assert out is not None
    return out


@pytest.fixture
def gate(import_gate):
    """Import jobs held at their start (tests/conftest.py)."""
    return import_gate


def seed(con, n=3):
    make_products(con, [product(sku=f"OLD-{i}") for i in range(n)])


def test_the_job_imports_the_file_and_reports_what_the_importer_says(con, tmp_path):
    path = saved("duplicate-skus.csv")
    size = path.stat().st_size
    job_id = import_job.start(con, path, "duplicate-skus.csv")
    out = finished(con, job_id)
    assert out.error is None and out.problem is None
    # The same report as a direct import of the same file (import id and duration aside).
    direct = import_file(con, DATA / "duplicate-skus.csv", file_name="duplicate-skus.csv")
    ignore = {"import_id": 0, "seconds": 0.0}
    assert dataclasses.replace(out.result, **ignore) == dataclasses.replace(direct, **ignore)
    assert out.result.rows == 5 and out.result.duplicate_count == 2 and out.result.duplicate_skus
    job = jobs.get(con, job_id)
    assert job.status == "done" and job.phase == "importing" and job.params["size"] == size
    assert not path.exists()                    # the upload is removed once imported
    assert import_job.running(con) is None


def test_result_survives_its_json_round_trip_whole():
    from core.catalog.importer import DuplicateSku, ImportResult
    dups = tuple(DuplicateSku(f"S{i}", 3, tuple(range(2, 12))) for i in range(200))   # far over 2000 chars
    result = ImportResult(7, 10, "f.csv", "csv", "utf-8", ";", {"sku": "Réf", "title": None}, ("x", "y"), 200,
                          dups, 1, 0.5)
    assert import_job.result_from_json(import_job.result_to_json(result)) == result


def test_a_running_import_is_visible_and_a_second_one_is_refused(con, gate):
    first = import_job.start(con, saved("duplicate-skus.csv"), "duplicate-skus.csv")
    running = import_job.running(con)
    assert running is not None and running.id == first and running.alive
    assert import_job.outcome(con, first) is None
    second = saved("pipe-delimited.csv")
    with pytest.raises(import_job.ImportBusy) as refused:
        import_job.start(con, second, "pipe-delimited.csv")
    assert refused.value.job.params["file_name"] == "duplicate-skus.csv"
    assert [j.id for j in jobs.of_kind(con, import_job.KIND)] == [first]     # no second job recorded
    gate.set()
    assert finished(con, first).result.rows == 5
    # Once it ended, the next import is accepted.
    assert finished(con, import_job.start(con, second, "pipe-delimited.csv")).result is not None


def test_a_refused_file_keeps_the_old_catalogue_and_reports_line_and_column(con):
    seed(con)
    path = saved("ragged-rows.csv")
    out = finished(con, import_job.start(con, path, "ragged-rows.csv"))
    assert out.result is None and out.problem is None
    assert out.error.message("en") == message("catalogue.errors.ragged", "en", line=3, expected=9, found=8,
                                              column="I")
    assert catalogue_status(con).products == 3
    assert not path.exists()


def test_missing_columns_keep_the_upload_for_the_question_then_import(con):
    path = saved("missing-sku.csv")
    out = finished(con, import_job.start(con, path, "missing-sku.csv"))
    assert isinstance(out.error, MissingColumns) and out.error.missing == ("sku",)
    assert "Référence interne" in out.error.file_columns and path.exists()
    column_map = {**out.error.matched, "sku": "Référence interne"}
    again = finished(con, import_job.start(con, path, "missing-sku.csv", column_map=column_map))
    assert again.result.rows == 2 and again.result.column_map["sku"] == "Référence interne"
    assert not path.exists()


def test_an_unexpected_error_fails_the_job_and_keeps_the_old_catalogue(con, monkeypatch):
    seed(con)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_job, "import_file", boom)
    path = saved("duplicate-skus.csv")
    out = finished(con, import_job.start(con, path, "duplicate-skus.csv"))
    assert out.problem == "crashed" and "RuntimeError: disk on fire" in out.detail
    assert jobs.get(con, jobs.of_kind(con, import_job.KIND)[0].id).status == "failed"
    assert catalogue_status(con).products == 3 and not path.exists()


def test_an_import_left_by_a_stopped_server_is_interrupted_and_its_upload_removed(con):
    path = saved("duplicate-skus.csv")
    job_id = jobs.create(con, import_job.KIND, {"path": str(path), "file_name": "duplicate-skus.csv"},
                         "SELECT 'file' AS item, 1 AS seq, NULL AS payload")
    old = datetime.now() - timedelta(seconds=jobs.STALE_AFTER_S + 5)
    con.execute("UPDATE jobs SET status = 'running', owner = 'gone-process', started_at = ?, heartbeat_at = ? "
                "WHERE id = ?", [old, old, job_id])
    assert import_job.running(con) is None
    assert import_job.forget_interrupted(con) == [job_id] and not path.exists()
    assert import_job.outcome(con, job_id).problem == "interrupted"


def test_live_progress_reads_duckdbs_estimate_of_the_running_statement(con):
    assert import_job.live_progress(123456) is None          # no such import running
    cur = con.cursor()
    cur.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    import_job._live[-1] = cur
    seen, errors = [], []

    def long_statement():
        try:
            cur.execute("SELECT count(DISTINCT md5(i::VARCHAR)) FROM range(500000000) t(i)").fetchall()
        except Exception as exc:  # noqa: BLE001 - interrupted below once the estimate was read
            errors.append(exc)

    work = threading.Thread(target=long_statement)
    work.start()
    try:
        deadline = time.monotonic() + 20
        while work.is_alive() and len(seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            value = import_job.live_progress(-1)
            if value is not None:
                seen.append(value)
    finally:
        cur.interrupt()
        work.join()
        import_job._live.pop(-1, None)
    assert seen and all(0.0 <= v <= 1.0 for v in seen)


def test_the_progress_shown_never_goes_back_between_the_imports_statements():
    class Cursor:      # DuckDB's per-statement estimates: the INSERT, then a short statement after it
        values = iter([-1.0, 12.5, 60.0, 99.0, 0.0, 40.0])

        def query_progress(self):
            return next(self.values)

    import_job._live[-2] = Cursor()
    try:
        shown = [import_job.live_progress(-2) for _ in range(6)]
    finally:
        import_job._live.pop(-2, None)
        import_job._best.pop(-2, None)
    assert shown == [None, 0.125, 0.6, 0.99, 0.99, 0.99]


def test_the_import_tracks_duckdbs_progress_without_printing_it(con):
    import_file(con, DATA / "duplicate-skus.csv", file_name="duplicate-skus.csv")
    settings = dict(con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                "('enable_progress_bar', 'enable_progress_bar_print')").fetchall())
    assert settings == {"enable_progress_bar": "true", "enable_progress_bar_print": "false"}
