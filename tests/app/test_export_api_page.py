"""Export page, mode "API directe", under AppTest against the real local sandbox (EXPORT_AMAZON_SANDBOX_URL):
launch, background job, live progress and Amazon's errors explained; Individual accounts refused;
the dashboard shows the same job."""
from __future__ import annotations

import pytest

from core import db as core_db
from core import integrations, jobs
from core.i18n import message
from core.sandbox.feeds import FeedTiming
from core.sandbox.server import start
from tests.apptest import run_screen
from tests.factories import make_products, product
from tests.sandbox.spapi_client import clear_token_cache

EXTRAS = ("color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation")


def listing(sku: str, **overrides) -> dict:
    values = dict(sku=sku, ean=None, gtin_exempt=True, brand="Maison Vauban", manufacturer="Maison Vauban SAS",
                  title=f"Maison Vauban Lampe de bureau {sku}", color="Noir", country_of_origin="FR",
                  item_type_keyword="desk-lamps", supplier_declared_dg_hz_regulation="not_applicable")
    return product(**{**values, **overrides})


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    clear_token_cache()
    server = start(0, tmp_path / "sandbox", rate_limits=False, catalog_seed=[],
                   feed_timing=FeedTiming(in_queue_s=0.2, in_progress_s=0.2))
    monkeypatch.setenv("EXPORT_AMAZON_SANDBOX_URL", server.url)
    yield server
    server.stop()
    clear_token_cache()


def _catalogue(db_file, account_type: str = "professional") -> None:
    con = core_db.connect(db_file)
    try:
        make_products(con, [listing("OK-1"), listing("GATED-1", brand="Lenovo", title="Lenovo Lampe de bureau")],
                      extra_columns=EXTRAS)
        integrations.save_settings(con, integrations.IntegrationSettings(account_type=account_type))
    finally:
        con.close()


def _errors_table(at, lang):
    # The live error table: the dataframe whose columns are the api_export.col.* headers.
    code = message("api_export.col.code", lang)
    found = [d.value for d in at.dataframe if code in d.value.columns and message("api_export.col.fix", lang)
             in d.value.columns]
    assert len(found) == 1
    return found[0]


def _metrics(at) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_export_runs_in_the_background_and_shows_progress_and_errors(db_file, sandbox, lang):
    _catalogue(db_file)
    at = run_screen("export", lang, {"selection": ""})
    at.radio(key="export_mode").set_value("api").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="api_export_method").set_value("put").run()
    at.button(key="api_export_launch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job_id = at.session_state["api_export_job"]
    assert any(message("api_export.queued", lang, export=1) == s.value for s in at.success)
    assert jobs.wait(job_id, 60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert metrics[message("jobs.accepted", lang)] == "1" and metrics[message("jobs.rejected", lang)] == "1"
    assert any(message("jobs.status.done", lang) in md.value for md in at.markdown)
    errors = _errors_table(at, lang)
    assert list(errors.columns)[:3] == [message("api_export.col." + c, lang) for c in ("sku", "severity", "code")]
    row = errors[errors[message("api_export.col.sku", lang)] == "GATED-1"].iloc[0]
    assert row[message("api_export.col.code", lang)] == "5461"
    assert row[message("api_export.col.explanation", lang)] == message("errors.brand_gated.title", lang)

    dash = run_screen("dashboard", lang)
    assert not dash.exception, [e.value for e in dash.exception]
    assert _metrics(dash)[message("jobs.accepted", lang)] == "1"
    assert _errors_table(dash, lang).shape[0] >= 1


def test_individual_account_gets_the_guides_warning_and_no_launch(db_file, sandbox):
    _catalogue(db_file, account_type="individual")
    at = run_screen("export", "fr", {"selection": ""})
    at.radio(key="export_mode").set_value("api").run()
    assert not at.exception
    assert message("settings.individual_warning", "fr") in [w.value for w in at.warning]
    assert "api_export_launch" not in [b.key for b in at.button]


def test_an_interrupted_export_is_offered_for_resumption(db_file, sandbox):
    from core.exports import api_export
    _catalogue(db_file)
    con = core_db.connect(db_file)
    try:
        prepared = api_export.prepare(con, api_export.ApiExportRequest(method="put", local_url=sandbox.url))
        con.execute("UPDATE jobs SET status = 'interrupted' WHERE id = ?", [prepared.job_id])
    finally:
        con.close()
    at = run_screen("export", "fr", {"selection": ""})
    at.radio(key="export_mode").set_value("api").run()
    assert message("api_export.resumable_title", "fr") in [s.value for s in at.subheader]
    at.button(key=f"api_export_resume_{prepared.job_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert jobs.wait(prepared.job_id, 60)
    at.run()
    metrics = _metrics(at)
    assert metrics[message("jobs.accepted", "fr")] == "1" and metrics[message("jobs.rejected", "fr")] == "1"
