"""The Catalogue page with its import running as a background job: live progress while it runs (in the
session that started it and in another one), a second import refused, then the usual report."""
from pathlib import Path

import pytest

from core import jobs
from core.catalog import import_job
from core.i18n import message
from core.ui import catalogue_import
from tests.apptest import run_screen

DATA = Path(__file__).resolve().parent.parent / "data"


def metric(at, key, lang):
    return next(m.value for m in at.metric if m.label == message(key, lang))


@pytest.fixture
def gate(import_gate, monkeypatch):
    """Import jobs held at their start (tests/conftest.py); the page does not wait for them."""
    monkeypatch.setattr(catalogue_import, "SETTLE_S", 0.05)
    return import_gate


def upload(at, name):
    at.file_uploader(key="catalogue_upload").set_value((name, (DATA / name).read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_progress_then_the_report(db_file, con, gate, lang):
    at = run_screen("catalogue", lang)
    upload(at, "duplicate-skus.csv")
    job = import_job.running(con)
    assert job is not None and job.params["file_name"] == "duplicate-skus.csv"
    infos = [i.value for i in at.info]
    size = message("catalogue.job.size_kb", lang, n=1)
    assert any(v.startswith(message("catalogue.job.progress", lang, file="duplicate-skus.csv", size=size,
                                    elapsed=0).split("…")[0]) for v in infos), infos
    assert message("catalogue.job.keep_working", lang) in [c.value for c in at.caption]
    assert metric(at, "common.products", lang) == "0"          # the old catalogue until the job ends

    # Another user opens the page meanwhile: same progress, and their import is refused.
    other = run_screen("catalogue", lang)
    assert any("duplicate-skus.csv" in i.value for i in other.info)
    upload(other, "pipe-delimited.csv")
    assert message("catalogue.job.busy", lang, file="duplicate-skus.csv") in [w.value for w in other.warning]
    assert len(jobs.of_kind(con, import_job.KIND)) == 1

    # A rerun of the first session does not start a second import.
    at.run()
    assert len(jobs.of_kind(con, import_job.KIND)) == 1

    gate.set()
    assert jobs.wait(job.id, 30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "common.products", lang) == "5"
    assert any("duplicate-skus.csv" in s.value for s in at.success)
    assert message("catalogue.duplicates", lang, n=2) in [w.value for w in at.warning]
    assert not any("duplicate-skus.csv" in i.value for i in at.info)      # progress gone
    uploads = db_file.parent / "runtime" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_question_asked_when_the_job_ends_on_missing_columns(db_file, con, gate):
    at = run_screen("catalogue", "fr")
    upload(at, "missing-sku.csv")
    assert not [s for s in at.selectbox if s.key == "catalogue_map_sku"]   # not yet: the job runs
    gate.set()
    assert jobs.wait(import_job.running(con).id, 30)
    at.run()
    question = at.selectbox(key="catalogue_map_sku")
    question.set_value("Référence interne")
    at.button(key="catalogue_map_submit").click()
    at.run()
    job = jobs.of_kind(con, import_job.KIND)[0]
    assert jobs.wait(job.id, 30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "common.products", "fr") == "2"


def test_a_crash_in_the_job_is_reported_and_the_catalogue_kept(db_file, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_job, "import_file", boom)
    monkeypatch.setattr(catalogue_import, "SETTLE_S", 60.0)    # the page waits for the (short) job
    at = run_screen("catalogue", "en")
    upload(at, "duplicate-skus.csv")
    assert message("catalogue.job.crashed", "en", error="RuntimeError: disk on fire") in [e.value for e in at.error]
    assert message("catalogue.failed", "en") in [c.value for c in at.caption]
    assert metric(at, "common.products", "en") == "0"
