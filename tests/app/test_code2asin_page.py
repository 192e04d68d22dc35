"""Code2ASIN page under AppTest with the sample catalogue and the real local sandbox, in both languages:
run the mapping, watch it finish, read counts and results, filter, choose an ASIN, export CSV."""
from __future__ import annotations

import time

import pytest

from core import db as core_db
from core import jobs
from core.code2asin import job as mapping
from core.code2asin import store
from core.i18n import LANGUAGES, message
from core.sandbox.catalog import Catalog
from tests.apptest import run_screen
from tests.factories import load_sample

HAMMER = "4006381333931"                      # two ASINs in the sandbox seed (MULTIPLE)
HAMMER_ASIN = max(i["asin"] for i in Catalog.load().find_gtin(HAMMER))


@pytest.fixture
def sample_env(db_file, sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_AMAZON_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "no-secrets.toml"))
    con = core_db.connect(db_file)
    try:
        load_sample(con)
    finally:
        con.close()     # the page opens the file itself, as the server does
    return db_file


def metrics(at) -> dict[str, int]:
    return {m.label: int(str(m.value).replace("\u202f", "").replace(" ", "")) for m in at.metric}


def results_table(at, lang):
    """The results table (the other dataframe on the page lists skipped EANs by reason)."""
    ean = message("code2asin.col.ean", lang)
    return next(d.value for d in at.dataframe if ean in d.value.columns)


def wait_until_finished(at, lang, timeout=60.0):
    """Rerun the page (as its progress fragment does) until the job's outcome is shown."""
    done_prefix = message("code2asin.finished", lang, total="").split(" ")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if any(s.value.startswith(done_prefix) for s in at.success):
            return at
    raise AssertionError("the mapping did not finish")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_run_the_mapping_then_choose_and_export(sample_env, lang):
    t = lambda key, **p: message(key, lang, **p)  # noqa: E731
    at = run_screen("code2asin", lang, {"selection": ""})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("code2asin.title")
    before = metrics(at)
    eligible = before[t("code2asin.metric.pending")]
    assert eligible > 250 and before[t("code2asin.metric.MATCHED")] == 0
    assert t("code2asin.no_results") in [i.value for i in at.info]

    at.button(key="code2asin_run").click().run()
    assert t("code2asin.started", n=eligible) in [s.value for s in at.success]
    wait_until_finished(at, lang)
    after = metrics(at)
    assert after[t("code2asin.metric.pending")] == 0
    found = {s: after[t("code2asin.metric." + s)] for s in ("MATCHED", "MULTIPLE", "NOT_FOUND", "CONFLICT")}
    assert sum(found.values()) == eligible and all(found.values())
    assert after[t("code2asin.metric.chosen")] == found["MATCHED"]

    # The table holds one page, with translated statuses; filtering keeps only the chosen status.
    table = results_table(at, lang)
    assert 0 < len(table) <= 50
    at.multiselect(key="code2asin_status_filter").set_value(["MULTIPLE"]).run()
    table = results_table(at, lang)
    assert set(table[t("code2asin.col.match_status")]) == {t("code2asin.status.MULTIPLE")}
    assert set(table[t("code2asin.col.ean")]) == {HAMMER}

    # Choose one of the hammer's two ASINs: the exports now read it.
    at.selectbox(key="code2asin_choose_ean").set_value(HAMMER).run()
    at.radio(key=f"code2asin_choose_asin_{HAMMER}").set_value(HAMMER_ASIN).run()
    at.button(key="code2asin_choose_submit").click().run()
    assert t("code2asin.chosen_ok", asin=HAMMER_ASIN, ean=HAMMER) in [s.value for s in at.success]
    assert metrics(at)[t("code2asin.metric.chosen")] == found["MATCHED"] + 1
    con = core_db.connect(sample_env)
    try:
        pairs = dict(con.execute(store.asin_for_sku_sql("FR")).fetchall())
        (hammer_sku,) = con.execute("SELECT sku FROM products WHERE ean = ?", [HAMMER]).fetchone()
    finally:
        con.close()
    assert pairs[hammer_sku] == HAMMER_ASIN and len(pairs) == found["MATCHED"] + 1

    # A second run has nothing left to search unless re-check is ticked.
    at.button(key="code2asin_run").click().run()
    assert t("code2asin.nothing_to_do", marketplace="Amazon.fr") in [i.value for i in at.info]
    assert at.get("download_button")[0].proto.label == t("code2asin.export")


def test_an_interrupted_job_offers_resume(sample_env):
    """A job left 'running' by a previous server process is shown as interrupted, and resumes."""
    con = core_db.connect(sample_env)
    try:
        job_id = mapping.create(con, mapping.Target("local_sandbox", "FR", "http://127.0.0.1:9"))
        con.execute("UPDATE jobs SET status = 'running', owner = 'a-previous-process', "
                    "heartbeat_at = now()::TIMESTAMP - INTERVAL 1 HOUR WHERE id = ?", [job_id])
        total = jobs.get(con, job_id).total
    finally:
        con.close()
    at = run_screen("code2asin", "fr", {"selection": ""})
    assert not at.exception, [e.value for e in at.exception]
    assert message("code2asin.interrupted", "fr", done=0, total=total) in [w.value for w in at.warning]
    at.button(key="code2asin_resume").click().run()       # with today's sandbox URL, not the dead one
    wait_until_finished(at, "fr")
    assert metrics(at)[message("code2asin.metric.pending", "fr")] == 0


def test_no_catalogue_points_to_the_catalogue(db_file):
    at = run_screen("code2asin", "en")
    assert not at.exception
    assert message("common.no_catalogue", "en") in [i.value for i in at.info]
