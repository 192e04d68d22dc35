"""The API export end to end through the REAL local sandbox (core.sandbox.server on a free port).

Products are built with tests.factories (new listings carry the attributes the PRODUCT type requires
as extra catalogue columns). The sandbox keeps its own log of every listing submission it received
(``Store.submissions``): the "never sent twice" assertions read it, not our own bookkeeping.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from core import integrations, jobs
from core.exports import api_export, history
from core.exports.api_export import ApiExportRequest, prepare
from core.exports.flatfile_export import ExportError
from core.sandbox.accounts import DEMO_SELLER_ID
from core.sandbox.feeds import FeedTiming
from core.sandbox.server import start
from tests.factories import make_products, product
from tests.sandbox.spapi_client import clear_token_cache

FR = "A13V1IB3VIYZZH"
EXTRAS = ("color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation")
SEED = [
    {"asin": "B0MATCH001", "identifiers": {"EAN": "4006381333931"}, "item_name": "Marque Lampe de bureau LED noire",
     "brand": "Marque", "manufacturer": "Marque SAS", "product_type": "LAMP", "classification": "BASE_PRODUCT",
     "marketplaces": [FR]},
]


def new_listing(sku: str, **overrides) -> dict:
    """A product that makes a valid new listing on the sandbox (own brand, GTIN-exempt, complete)."""
    values = dict(sku=sku, ean=None, gtin_exempt=True, brand="Maison Vauban", manufacturer="Maison Vauban SAS",
                  title=f"Maison Vauban Lampe de bureau {sku}", color="Noir", country_of_origin="FR",
                  item_type_keyword="desk-lamps", supplier_declared_dg_hz_regulation="not_applicable")
    return product(**{**values, **overrides})


@pytest.fixture(autouse=True)
def _tokens(monkeypatch):
    clear_token_cache()
    # Fresh client-side quotas per test: a sandbox port reused by a later test is the same "account",
    # and createFeed's documented quota (burst 15, then one per 2 min) would carry over.
    from core.spapi.ratelimit import LIMITER
    monkeypatch.setattr(LIMITER, "_buckets", {})
    yield
    clear_token_cache()


@pytest.fixture
def sandbox(tmp_path):
    server = start(0, tmp_path / "sandbox", rate_limits=False, catalog_seed=SEED,
                   feed_timing=FeedTiming(in_queue_s=0.2, in_progress_s=0.2))
    yield server
    server.stop()


def received(sandbox) -> Counter:
    """How many submissions the sandbox received per SKU."""
    return Counter(r["sku"] for r in sandbox.ctx.store.submissions(DEMO_SELLER_ID, FR))


def run(con, sandbox, **kwargs) -> tuple[api_export.Prepared, jobs.Job]:
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, **kwargs))
    assert api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 120)
    return prepared, jobs.get(con, prepared.job_id)


def issue_codes(con, job_id: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sku, code in con.execute("SELECT sku, code FROM api_export_issues WHERE job_id = ?", [job_id]).fetchall():
        out.setdefault(sku, set()).add(code)
    return out


MIXED = [
    new_listing("OK-1"),
    new_listing("OK-2"),
    new_listing("GATED-1", brand="Lenovo", title="Lenovo Lampe de bureau LED"),   # 5461 on the sandbox
    new_listing("NOCOLOR-1", color=None),                                          # 90220 'color'
    new_listing("ZERO-PRICE", price="0.00"),                                       # local rule ERROR: not sent
]


@pytest.mark.parametrize("method", ["put", "feed"])
def test_accepted_and_invalid_items_recorded_with_amazon_issues(con, sandbox, method):
    make_products(con, MIXED, extra_columns=EXTRAS)
    prepared, job = run(con, sandbox, method=method)
    assert job.status == "done", job.error
    assert job.counts == {"pending": 0, "sent": 0, "accepted": 2, "rejected": 2, "failed": 0}
    states = dict(con.execute("SELECT item, state FROM job_items WHERE job_id = ?", [job.id]).fetchall())
    assert states == {"OK-1": "accepted", "OK-2": "accepted", "GATED-1": "rejected", "NOCOLOR-1": "rejected"}
    codes = issue_codes(con, job.id)
    assert "5461" in codes["GATED-1"] and "90220" in codes["NOCOLOR-1"]
    # Amazon's issues are in violations (source amazon), with the explanation's fix as hint.
    amazon = con.execute("SELECT sku, code, amazon_attribute, field, hint FROM violations WHERE source = 'amazon' "
                         "AND severity = 'ERROR' ORDER BY sku").fetchall()
    nocolor = [r for r in amazon if r[0] == "NOCOLOR-1"]
    assert nocolor and nocolor[0][1] == "90220" and "color" in nocolor[0][2] and nocolor[0][4]
    gated = [r for r in amazon if r[0] == "GATED-1"][0]
    assert gated[3] == "brand"          # Amazon's attribute mapped back to the catalogue column
    # The local rule ERROR was never sent; every other SKU exactly once.
    assert received(sandbox) == Counter({"OK-1": 1, "OK-2": 1, "GATED-1": 1, "NOCOLOR-1": 1})
    record = history.get(con, prepared.export_id)
    assert (record["mode"], record["status"]) == ("api", "done")
    assert (record["rows_selected"], record["rows_written"], record["rows_rejected"]) == (5, 2, 3)
    listing = sandbox.ctx.store.get_listing(DEMO_SELLER_ID, "OK-1", FR)
    assert listing["attributes"]["color"][0]["value"] == "Noir"
    if method == "feed":
        feeds = api_export.feeds_of(con, job.id)
        assert len(feeds) == 1 and feeds["status"][0] == "DONE" and int(feeds["messages"][0]) == 4


def test_match_mode_sends_offers_on_the_existing_asin(con, sandbox):
    integrations.save_settings(con, integrations.IntegrationSettings(export_mode="match"))
    make_products(con, [product(sku="OFFER-1"), product(sku="OFFER-2", ean="5901234123457")])
    _, job = run(con, sandbox, method="put")
    states = dict(con.execute("SELECT item, state FROM job_items WHERE job_id = ?", [job.id]).fetchall())
    assert states == {"OFFER-1": "accepted", "OFFER-2": "rejected"}     # the 2nd EAN has no ASIN on Amazon.fr
    listing = sandbox.ctx.store.get_listing(DEMO_SELLER_ID, "OFFER-1", FR)
    assert listing["requirements"] == "LISTING_OFFER_ONLY" and listing["asin"] == "B0MATCH001"
    assert "item_name" not in listing["attributes"]      # offer only: no product facts sent
    assert "8560" in issue_codes(con, job.id)["OFFER-2"]


def test_individual_account_cannot_export_through_the_api(con, sandbox):
    integrations.save_settings(con, integrations.IntegrationSettings(account_type="individual"))
    make_products(con, [new_listing("OK-1")], extra_columns=EXTRAS)
    with pytest.raises(ExportError) as err:
        prepare(con, ApiExportRequest(local_url=sandbox.url))
    assert err.value.key == "api_export.errors.individual"
    assert history.recent(con).empty and received(sandbox) == Counter()


class Crash(BaseException):
    """Kills the worker thread the way a process stop would: not caught by the job runner."""


def _crash_after(monkeypatch, n_answers: int) -> None:
    real = jobs.JobContext.answer
    calls = {"n": 0}

    def answer(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n_answers:
            raise Crash()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jobs.JobContext, "answer", answer)


def _as_left_by_another_process(con, job_id: int) -> None:
    # What a server restart leaves: status running, an owner that is not us, an old heartbeat.
    old = datetime.now() - timedelta(seconds=jobs.STALE_AFTER_S + 5)
    con.execute("UPDATE jobs SET owner = 'previous-process', heartbeat_at = ? WHERE id = ?", [old, job_id])


def _resume_after_restart(con, job_id: int) -> jobs.Job:
    """Do what a restarted server and a click on Resume do: recover the stale job, launch it, wait for it."""
    _as_left_by_another_process(con, job_id)
    jobs.recover(con)
    api_export.launch(con, job_id)
    assert jobs.wait(job_id, 60)
    return jobs.get(con, job_id)


CRASH_WARNING = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@CRASH_WARNING
def test_resume_after_a_crash_never_sends_an_accepted_sku_twice(con, sandbox, monkeypatch):
    make_products(con, [new_listing(f"SKU-{i:02d}") for i in range(10)], extra_columns=EXTRAS)
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, method="put"))
    monkeypatch.setattr(api_export, "PUT_CHUNK", 6)
    _crash_after(monkeypatch, 3)
    api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 60)
    crashed = jobs.get(con, prepared.job_id)
    # 3 answers recorded, 3 more handed over (their PUTs reached the sandbox) with no answer recorded.
    assert crashed.status == "running" and crashed.stale and crashed.resumable
    assert (crashed.counts["accepted"], crashed.counts["sent"], crashed.counts["pending"]) == (3, 3, 4)
    assert sum(received(sandbox).values()) == 6
    monkeypatch.undo()
    _as_left_by_another_process(con, prepared.job_id)
    # One more item marked sent whose request never left (crash between the mark and the send).
    never = con.execute("SELECT item FROM job_items WHERE job_id = ? AND state = 'pending' ORDER BY seq LIMIT 1",
                        [prepared.job_id]).fetchone()[0]
    con.execute("UPDATE job_items SET state = 'sent', sent_at = ? WHERE job_id = ? AND item = ?",
                [datetime.now(), prepared.job_id, never])
    assert jobs.recover(con) == [prepared.job_id]
    assert jobs.get(con, prepared.job_id).status == "interrupted"
    assert api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 60)
    done = jobs.get(con, prepared.job_id)
    assert done.status == "done" and done.counts["accepted"] == 10 and done.runs == 2
    counts = received(sandbox)
    assert set(counts) == {f"SKU-{i:02d}" for i in range(10)}
    assert max(counts.values()) == 1, counts          # the sandbox saw every SKU exactly once
    rechecked = con.execute("SELECT count(*) FROM job_items WHERE job_id = ? AND detail LIKE '%rechecked%'",
                            [prepared.job_id]).fetchone()[0]
    assert rechecked == 3
    assert history.get(con, prepared.export_id)["status"] == "done"


@CRASH_WARNING
def test_resumed_feed_is_polled_again_never_resubmitted(con, sandbox, monkeypatch):
    make_products(con, [new_listing(f"FEED-{i}") for i in range(4)], extra_columns=EXTRAS)
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, method="feed"))

    def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(api_export, "_poll_feed", crash)     # dies right after the feed id is stored
    api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 60)
    feeds = api_export.feeds_of(con, prepared.job_id)
    assert len(feeds) == 1 and jobs.get(con, prepared.job_id).counts["sent"] == 4
    monkeypatch.undo()
    job = _resume_after_restart(con, prepared.job_id)
    assert job.status == "done" and job.counts["accepted"] == 4
    assert len(api_export.feeds_of(con, prepared.job_id)) == 1
    assert len(sandbox.ctx.store.query("SELECT feed_id FROM feeds")) == 1
    assert max(received(sandbox).values()) == 1


def test_thirty_percent_throttling_every_item_eventually_accepted(con, sandbox):
    make_products(con, [new_listing(f"T-{i:02d}") for i in range(12)], extra_columns=EXTRAS)
    sandbox.set_faults(throttle_rate=0.3)
    _, job = run(con, sandbox, method="put")
    assert job.status == "done" and job.counts["accepted"] == 12
    assert received(sandbox) == Counter({f"T-{i:02d}": 1 for i in range(12)})


def test_refused_credentials_stop_the_job_with_a_reason(con, sandbox, tmp_path, monkeypatch):
    from core.spapi.credentials import Credentials
    make_products(con, [new_listing(f"C-{i}") for i in range(3)], extra_columns=EXTRAS)
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, method="put"))
    cfg = integrations.spapi_config(integrations.load_settings(con), local_url=sandbox.url,
                                    credentials=Credentials("amzn1.application-oa2-client.x", "wrong", "Atzr|sandbox-demo"))
    api_export.launch(con, prepared.job_id, cfg)
    assert jobs.wait(prepared.job_id, 60)
    job = jobs.get(con, prepared.job_id)
    assert job.status == "failed" and job.error and "auth" in job.error
    assert job.counts["accepted"] == 0 and job.resumable
    assert "wrong" not in job.error
    assert history.get(con, prepared.export_id)["status"] == "failed"
    assert received(sandbox) == Counter()


@pytest.mark.parametrize("limit, value, items, feeds", [("FEED_MAX_MESSAGES", 3, 5, 2), ("FEED_MAX_BYTES", 1, 2, 2)])
def test_feeds_are_split_by_message_count_and_size(con, sandbox, monkeypatch, limit, value, items, feeds):
    monkeypatch.setattr(api_export, limit, value)
    make_products(con, [new_listing(f"B-{i}") for i in range(items)], extra_columns=EXTRAS)
    _, job = run(con, sandbox, method="feed")
    assert job.status == "done" and job.counts["accepted"] == items
    sent = api_export.feeds_of(con, job.id)
    assert len(sent) == feeds and int(sent["messages"].sum()) == items
    assert received(sandbox) == Counter({f"B-{i}": 1 for i in range(items)})


def test_stop_then_resume_sends_the_rest_once(con, sandbox, monkeypatch):
    monkeypatch.setattr(api_export, "PUT_CHUNK", 2)
    make_products(con, [new_listing(f"S-{i}") for i in range(8)], extra_columns=EXTRAS)
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, method="put"))
    jobs.request_cancel(con, prepared.job_id)     # asked before the first chunk: start() clears it …
    api_export.launch(con, prepared.job_id)
    jobs.request_cancel(con, prepared.job_id)     # … so ask again while it runs
    assert jobs.wait(prepared.job_id, 60)
    stopped = jobs.get(con, prepared.job_id)
    assert stopped.status == "cancelled" and stopped.resumable and stopped.counts["accepted"] < 8
    assert history.get(con, prepared.export_id)["status"] == "running"    # not finished: no figures yet
    api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 60)
    assert jobs.get(con, prepared.job_id).counts["accepted"] == 8
    assert received(sandbox) == Counter({f"S-{i}": 1 for i in range(8)})
    assert history.get(con, prepared.export_id)["status"] == "done"


@CRASH_WARNING
def test_items_of_a_failed_feed_resent_per_sku_are_rechecked_after_a_crash(con, sandbox, monkeypatch):
    # Items whose feed failed earlier carry that feed's id; sent again per SKU, they must lose it, or
    # after a crash they would wait forever for a feed that already ended.
    make_products(con, [new_listing(f"R-{i}") for i in range(3)], extra_columns=EXTRAS)
    prepared = prepare(con, ApiExportRequest(local_url=sandbox.url, method="put"))
    con.execute("INSERT INTO api_export_feeds VALUES (?, '999', 'doc', 3, 'FATAL', now(), now())", [prepared.job_id])
    con.execute("UPDATE job_items SET state = 'failed', remote_id = '999' WHERE job_id = ?", [prepared.job_id])
    _crash_after(monkeypatch, 1)
    api_export.launch(con, prepared.job_id)
    assert jobs.wait(prepared.job_id, 60)
    assert jobs.get(con, prepared.job_id).counts["sent"] == 2
    monkeypatch.undo()
    job = _resume_after_restart(con, prepared.job_id)
    assert job.status == "done" and job.counts["accepted"] == 3
    assert received(sandbox) == Counter({"R-0": 1, "R-1": 1, "R-2": 1})


@CRASH_WARNING
def test_queued_export_is_validated_and_built_by_the_job_even_after_a_crash(con, sandbox, monkeypatch):
    make_products(con, MIXED, extra_columns=EXTRAS)
    queued = api_export.queue(con, ApiExportRequest(local_url=sandbox.url, method="put"))
    job = jobs.get(con, queued.job_id)
    assert job.total == 0 and job.params[jobs.PREPARED] is False and job.resumable   # the page waited for nothing
    real = api_export.listings_sql

    def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(api_export, "listings_sql", crash)     # the server dies while building
    api_export.launch(con, queued.job_id)
    assert jobs.wait(queued.job_id, 60)
    assert jobs.get(con, queued.job_id).total == 0 and jobs.get(con, queued.job_id).resumable
    monkeypatch.setattr(api_export, "listings_sql", real)
    job = _resume_after_restart(con, queued.job_id)
    assert job.status == "done" and job.total == 4 and job.counts["accepted"] == 2
    record = history.get(con, queued.export_id)
    assert (record["status"], record["rows_selected"], record["rows_written"], record["rows_rejected"]) == ("done", 5, 2, 3)
    assert max(received(sandbox).values()) == 1 and "ZERO-PRICE" not in received(sandbox)


def test_sample_catalogue_makes_new_listings_on_the_demo_sandbox(con, tmp_path):
    """The dashboard's demo path: the shipped sample, exported in "création" mode to the sandbox with its
    shipped seed. Clean products carry every attribute the PRODUCT type requires, so they are ACCEPTED;
    only products with a deliberate defect Amazon would catch come back INVALID."""
    from core.catalog.sample import SAMPLE_PATH
    from core.catalog.importer import import_file
    import_file(con, SAMPLE_PATH)
    server = start(0, tmp_path / "demo-sandbox", rate_limits=False,
                   feed_timing=FeedTiming(in_queue_s=0.1, in_progress_s=0.1))
    try:
        prepared, job = run(con, server, method="feed")
    finally:
        server.stop()
    assert job.status == "done", job.error
    counts = job.counts
    sent = counts["accepted"] + counts["rejected"]
    assert sent > 200 and counts["failed"] == 0
    # Missing required attributes (90220) are not what rejects the sample's listings any more.
    missing = con.execute("SELECT count(DISTINCT sku) FROM api_export_issues WHERE job_id = ? AND code = '90220'",
                          [job.id]).fetchone()[0]
    assert missing == 0
    assert counts["accepted"] >= 0.9 * sent, counts
