"""Code2ASIN through the real local SP-API sandbox (shipped seed, real sp_api client, real job threads):
statuses, EAN/UPC/GTIN normalisation, marketplaces, batching by 20, resume after a failure or a stop,
re-check keeping the user's choice, the choice itself, and the SQL the exports read."""
from __future__ import annotations

import duckdb
import pytest

from core import jobs
from core.code2asin import eligible, selected, store
from core.code2asin import job as mapping
from core.code2asin.matching import (CONFLICT, MATCHED, MULTIPLE, NOT_FOUND, CatalogItem, brand_key, classify,
                                     gtin14)
from core.rules.definitions import RULES
from core.marketplaces import marketplace
from core.sandbox import server
from core.sandbox.catalog import Catalog
from core.selection import Selection
from core.selection import load as load_selection
from core.selection import save as save_selection
from core.spapi.credentials import save_credentials
from core.spapi.results import ApiError
from tests.factories import make_products, product

# Cases taken from data/sandbox/catalog_seed.json (the sandbox's Amazon-side catalogue; its ASINs are
# generated, so they are looked up here by EAN rather than copied).
SEED = Catalog.load()
FR_ID, DE_ID = marketplace("FR").marketplace_id, marketplace("DE").marketplace_id


def seed_asins(ean: str) -> tuple[str, ...]:
    return tuple(sorted(i["asin"] for i in SEED.find_gtin(ean)))


HAMMER = "4006381333931"                       # two ASINs, brand Outilpro
HAMMER_ASINS = seed_asins(HAMMER)
LAMP_UPC = "887276302195"                      # listed as EAN 0887276302195 + UPC 887276302195
(LAMP_ASIN,) = seed_asins(LAMP_UPC)
BOTTLE = "5901234123457"                       # listed under "Kuchnia Polska": a conflict for our brand
(BOTTLE_ASIN,) = seed_asins(BOTTLE)
_CHILD = next(i for i in SEED.items if i.get("parent_asin"))          # a variation child (T-shirt size)
TSHIRT_S, TSHIRT_S_ASIN, TSHIRT_PARENT = _CHILD["identifiers"]["EAN"], _CHILD["asin"], _CHILD["parent_asin"]
_DE = next(i for i in SEED.items if i["marketplaces"] == [DE_ID] and i["identifiers"].get("EAN"))
DE_ONLY, DE_ONLY_ASIN = _DE["identifiers"]["EAN"], _DE["asin"]       # on Amazon.de only


def test_the_seed_holds_the_cases():
    assert len(HAMMER_ASINS) == 2
    assert {i["brand"] for i in SEED.find_gtin(BOTTLE)} == {"Kuchnia Polska"}
    assert SEED.by_asin[TSHIRT_PARENT]["classification"] == "VARIATION_PARENT"


def ean13(body: str) -> str:
    """``body`` (12 digits) with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


UNKNOWN = [ean13(f"3099999{n:05d}") for n in range(45)]   # valid EANs the seed does not hold


@pytest.fixture
def env(con, sandbox, tmp_path, monkeypatch):
    """A fresh database, demo credentials (no secrets file), and the job pointed at the sandbox."""
    monkeypatch.setenv("EXPORT_AMAZON_SECRETS_TOML", str(tmp_path / "no-secrets.toml"))
    sandbox.set_faults(latency_ms=0, error_rate=0, drop_rate=0, throttle_rate=0)
    return con


@pytest.fixture
def calls(monkeypatch):
    """Every searchCatalogItems call the job makes (identifiers sent), still through the real client."""
    seen: list[list[str]] = []
    real = mapping.search

    def counting(cfg, identifiers, *args, **kwargs):
        seen.append(list(identifiers))
        return real(cfg, identifiers, *args, **kwargs)

    monkeypatch.setattr(mapping, "search", counting)
    return seen


def target(sandbox, market: str = "FR") -> mapping.Target:
    return mapping.Target("local_sandbox", market, sandbox.url)


def run(con, sandbox, sel=None, *, market="FR", recheck=False) -> jobs.Job:
    job_id = mapping.start(con, target(sandbox, market), sel, recheck=recheck)
    assert jobs.wait(job_id, 60)
    return jobs.get(con, job_id)


def rows(con, market="FR") -> dict[str, list[tuple]]:
    """EAN -> [(asin, status, chosen)] from asin_matches."""
    out: dict[str, list[tuple]] = {}
    for ean, asin, status, chosen in con.execute(
            "SELECT ean, asin, match_status, chosen FROM asin_matches WHERE marketplace = ? ORDER BY ean, asin",
            [market]).fetchall():
        out.setdefault(ean, []).append((asin, status, chosen))
    return out


def sku_asins(con, market="FR", sel=None) -> dict[str, str]:
    return dict(con.execute(store.asin_for_sku_sql(market, sel)).fetchall())


def catalogue(con, eans_brands: list[tuple[str, str | None, str]]) -> None:
    """Products (sku, ean, brand) from the factory."""
    make_products(con, [product(sku=sku, ean=ean, brand=brand) for sku, ean, brand in eans_brands])


# ---------------------------------------------------------------- the outcomes, through the sandbox
def test_statuses_and_normalisation_through_the_sandbox(env, sandbox, calls):
    catalogue(env, [
        ("HAMMER", HAMMER, "Outilpro"),
        ("LAMP-UPC", LAMP_UPC, "Lumina"),
        ("LAMP-EAN", "0" + LAMP_UPC, "LUMINA "),      # same GTIN spelt as EAN-13; brand case/spaces differ
        ("BOTTLE", BOTTLE, "Le Potier Gourmand"),
        ("TSHIRT-S", TSHIRT_S, _CHILD["brand"]),
        ("DE-ONLY", DE_ONLY, _DE["brand"]),
        ("NEW", UNKNOWN[0], "Marque"),
    ])
    job = run(env, sandbox)
    assert job.status == "done" and job.total == 6 and job.counts["accepted"] == 6   # 2 SKUs, one GTIN
    assert len(calls) == 1 and len(calls[0]) == 6 and ("0" + LAMP_UPC) in calls[0]
    got = rows(env)
    assert got[HAMMER] == [(HAMMER_ASINS[0], MULTIPLE, False), (HAMMER_ASINS[1], MULTIPLE, False)]
    assert got["0" + LAMP_UPC] == [(LAMP_ASIN, MATCHED, True)]
    assert got[BOTTLE] == [(BOTTLE_ASIN, CONFLICT, False)]
    assert got[TSHIRT_S] == [(TSHIRT_S_ASIN, MATCHED, True)]           # the child, never its parent
    assert got[DE_ONLY] == [(None, NOT_FOUND, False)]
    assert got[UNKNOWN[0]] == [(None, NOT_FOUND, False)]
    parent, ptype = env.execute("SELECT parent_asin, product_type FROM asin_matches WHERE asin = ?",
                                [TSHIRT_S_ASIN]).fetchone()
    assert parent == TSHIRT_PARENT and ptype
    c = store.counts(env, "FR")
    assert c.by_status == {MATCHED: 2, MULTIPLE: 1, NOT_FOUND: 2, CONFLICT: 1} and c.chosen == 2 and c.pending == 0
    # Both spellings of the lamp's GTIN get its ASIN; nothing else is chosen yet.
    assert sku_asins(env) == {"LAMP-UPC": LAMP_ASIN, "LAMP-EAN": LAMP_ASIN, "TSHIRT-S": TSHIRT_S_ASIN}


def test_marketplaces_are_kept_apart(env, sandbox):
    catalogue(env, [("DE-ONLY", DE_ONLY, _DE["brand"])])
    assert run(env, sandbox, market="FR").status == "done"
    assert run(env, sandbox, market="DE").status == "done"
    assert rows(env, "FR")[DE_ONLY] == [(None, NOT_FOUND, False)]
    assert rows(env, "DE")[DE_ONLY] == [(DE_ONLY_ASIN, MATCHED, True)]
    assert sku_asins(env, "FR") == {}
    assert sku_asins(env, "DE") == sku_asins(env, "A1PA6795UKMFR9") == {"DE-ONLY": DE_ONLY_ASIN}


def test_invalid_eans_are_not_searched(env, sandbox, calls):
    """Codes the Qualité rules reject (their own bad examples) are skipped and counted by reason."""
    skipping = {r.code: r for r in RULES if r.code in eligible.SKIPPING_RULES}
    assert set(skipping) == set(eligible.SKIPPING_RULES)
    bad = [(f"BAD-{code}", r.bad["ean"], "Marque") for code, r in skipping.items()]
    good = [(f"GOOD-{code}", r.good["ean"], "Marque") for code, r in skipping.items()]
    catalogue(env, bad + good + [("NO-EAN", None, "Marque"), ("SPACE", " ", "Marque")])
    assert selected.skipped(env) == {**{c: 1 for c in skipping}, eligible.MISSING: 2}
    expected = {eligible_form(r.good["ean"]) for r in skipping.values()}
    assert selected.count(env) == len(expected)
    run(env, sandbox)
    sent = {ean for call in calls for ean in call}
    assert sent == expected
    assert not sent & {eligible_form(r.bad["ean"]) for r in skipping.values() if r.bad["ean"].isdigit()}


def eligible_form(code: str) -> str:
    return code.strip().zfill(13)


def test_a_selection_limits_the_search(env, sandbox, calls):
    make_products(env, [product(sku="A", ean=HAMMER, category="Bricolage"),
                        product(sku="B", ean=UNKNOWN[1], category="Maison")])
    sel = Selection("bricolage", categories=("Bricolage",))
    save_selection(env, sel)
    assert run(env, sandbox, sel).total == 1
    assert calls == [[HAMMER]]
    assert store.counts(env, "FR", sel).pending == 0 and store.counts(env, "FR").pending == 1


# ---------------------------------------------------------------- batching, resume, idempotence
def test_45_eans_take_3_calls_of_at_most_20(env, sandbox, calls):
    catalogue(env, [(f"SKU-{i}", ean, "Marque") for i, ean in enumerate(UNKNOWN)])
    job = run(env, sandbox)
    assert job.status == "done" and job.total == 45
    assert [len(c) for c in calls] == [20, 20, 5]
    assert sorted(e for c in calls for e in c) == sorted(UNKNOWN)
    assert store.counts(env, "FR").by_status[NOT_FOUND] == 45


def test_a_failed_batch_stops_the_job_and_resume_searches_only_what_is_left(env, sandbox, calls, monkeypatch):
    catalogue(env, [(f"SKU-{i}", ean, "Marque") for i, ean in enumerate(UNKNOWN)])
    counting = mapping.search

    def second_call_fails(cfg, identifiers, *args, **kwargs):
        if len(calls) == 1:
            calls.append(list(identifiers))
            return ApiError("server", 503, "ServiceUnavailable", "down for the test")
        return counting(cfg, identifiers, *args, **kwargs)

    monkeypatch.setattr(mapping, "search", second_call_fails)
    job = run(env, sandbox)
    assert job.status == "failed" and job.counts["accepted"] == 20 and job.resumable
    err = mapping.last_error(env, job.id)
    assert (err.kind, err.http_status, err.amazon_code) == ("server", 503, "ServiceUnavailable")
    assert len(rows(env)) == 20                       # the first batch is stored
    first_batch = set(calls[0])

    monkeypatch.setattr(mapping, "search", counting)
    assert mapping.resume(env, job.id, sandbox.url)
    assert jobs.wait(job.id, 60)
    job = jobs.get(env, job.id)
    assert job.status == "done" and job.counts["accepted"] == 45
    resumed = [e for c in calls[2:] for e in c]
    assert len(resumed) == 25 and not first_batch & set(resumed)   # nothing searched twice
    assert set(calls[1]) <= set(resumed)                             # the failed batch again
    assert env.execute("SELECT count(*), count(DISTINCT ean) FROM asin_matches").fetchone() == (45, 45)


def test_a_stopped_job_resumes(env, sandbox, calls, monkeypatch):
    catalogue(env, [(f"SKU-{i}", ean, "Marque") for i, ean in enumerate(UNKNOWN)])
    counting = mapping.search
    state = {}

    def stop_after_first(cfg, identifiers, *args, **kwargs):
        result = counting(cfg, identifiers, *args, **kwargs)
        jobs.request_cancel(state["con"], state["id"])
        return result

    monkeypatch.setattr(mapping, "search", stop_after_first)
    job_id = mapping.create(env, target(sandbox))
    state.update(con=env.cursor(), id=job_id)
    jobs.start(env, job_id)
    assert jobs.wait(job_id, 60)
    job = jobs.get(env, job_id)
    assert job.status == "cancelled" and job.counts["accepted"] == 20 and job.resumable
    monkeypatch.setattr(mapping, "search", counting)
    assert mapping.resume(env, job_id)
    assert jobs.wait(job_id, 60)
    assert jobs.get(env, job_id).status == "done" and len(calls) == 3


def test_already_checked_eans_are_skipped_unless_recheck_and_choices_survive(env, sandbox, calls):
    catalogue(env, [("HAMMER", HAMMER, "Outilpro"), ("NEW", UNKNOWN[2], "Marque")])
    run(env, sandbox)
    assert mapping.count_items(env, "FR") == 0
    assert run(env, sandbox).total == 0 and len(calls) == 1          # nothing searched again
    store.choose(env, HAMMER, "FR", HAMMER_ASINS[1])
    assert mapping.count_items(env, "FR", recheck=True) == 2
    job = run(env, sandbox, recheck=True)
    assert job.total == 2 and len(calls) == 2
    assert rows(env)[HAMMER] == [(HAMMER_ASINS[0], MULTIPLE, False), (HAMMER_ASINS[1], MULTIPLE, True)]
    assert env.execute("SELECT count(*) FROM asin_matches").fetchone()[0] == 3      # replaced, not added


def test_a_refused_authorisation_fails_with_its_typed_error(env, sandbox):
    save_credentials("amzn1.application-oa2-client.sandboxdemo", "sandbox-demo-secret", "Atzr|sandbox-norole")
    catalogue(env, [("HAMMER", HAMMER, "Outilpro")])
    job = run(env, sandbox)
    assert job.status == "failed"
    assert mapping.last_error(env, job.id).kind == "forbidden"
    assert rows(env) == {}


# ---------------------------------------------------------------- the user's choice, and the exports' SQL
def test_choice_among_several_asins_is_validated_and_feeds_the_export(env, sandbox):
    catalogue(env, [("HAMMER", HAMMER, "Outilpro"), ("BOTTLE", BOTTLE, "Le Potier Gourmand"),
                    ("HAMMER-TYPO", " " + HAMMER, "Outilpro")])        # invalid (space): never associated
    run(env, sandbox)
    assert sku_asins(env) == {}
    with pytest.raises(store.InvalidChoice):
        store.choose(env, HAMMER, "FR", "B000000000")
    store.choose(env, HAMMER, "FR", HAMMER_ASINS[0])
    store.choose(env, BOTTLE, "FR", BOTTLE_ASIN)                      # the user confirms a conflict
    assert sku_asins(env) == {"HAMMER": HAMMER_ASINS[0], "BOTTLE": BOTTLE_ASIN}
    store.choose(env, HAMMER, "FR", HAMMER_ASINS[1])                  # one chosen ASIN per EAN
    store.choose(env, BOTTLE, "FR", None)
    assert sku_asins(env) == {"HAMMER": HAMMER_ASINS[1]}
    assert sku_asins(env, "FR", Selection(categories=("Nothing",))) == {}
    assert [w[0] for w in store.eans_needing_choice(env, "FR")] == [HAMMER, BOTTLE]
    assert store.counts(env, "FR").chosen == 1


def test_results_are_paged_filtered_and_exported(env, sandbox):
    catalogue(env, [("HAMMER", HAMMER, "Outilpro")] + [(f"N{i}", e, "M") for i, e in enumerate(UNKNOWN[:5])])
    run(env, sandbox)
    assert store.results_count(env, "FR") == 7
    assert store.results_count(env, "FR", statuses=(MULTIPLE,)) == 2
    assert store.results_count(env, "FR", search="hammer") == 2     # by SKU, case-insensitive
    page = store.results_page(env, "FR", statuses=(NOT_FOUND,), offset=2, limit=2)
    assert list(page["ean"]) == sorted(UNKNOWN[:5])[2:4] and list(page.columns) == list(store.RESULT_COLUMNS)
    assert len(store.results_frame(env, "FR")) == 7


# ---------------------------------------------------------------- matching rules, without the network
def item(asin, ean, brand="Marque", classification="BASE_PRODUCT"):
    return CatalogItem(asin, frozenset({gtin14(ean)}), "x", brand, "PRODUCT", classification)


def test_classification_rules():
    e = "3760000000001"
    assert classify(e, "Marque", [])[0].status == NOT_FOUND
    assert [(m.asin, m.chosen) for m in classify(e, "Marque", [item("A", e), item("B", e, "Autre")])] == \
        [("A", True), ("B", False)]                                   # one agreeing brand: matched
    assert {m.status for m in classify(e, "Marque", [item("A", e, "Autre")])} == {CONFLICT}
    assert {m.status for m in classify(e, None, [item("A", e, "Autre")])} == {MATCHED}   # nothing to compare
    assert classify(e, "Marque", [item("P", e, classification="VARIATION_PARENT")])[0].status == NOT_FOUND
    assert [m.chosen for m in classify(e, "Marque", [item("A", e), item("B", e)], previous_choice="B")] == \
        [False, True]
    assert classify(e, "Marque", [item("A", "0" * 13)])[0].status == NOT_FOUND   # another code's item
    assert gtin14("887276302195") == gtin14("0887276302195") == gtin14("00887276302195") == "00887276302195"
    assert gtin14("12345") is None and gtin14("ABC") is None
    assert brand_key("Naturéa ") == brand_key("NATUREA") != brand_key("Naturéa Europe")


def test_the_selection_cache_follows_catalogue_and_selection_changes(env):
    catalogue(env, [("A", HAMMER, "Outilpro"), ("B", BOTTLE, "Marque")])
    assert selected.count(env) == 2
    catalogue(env, [("A", HAMMER, "Outilpro")])                       # a new import replaces the table
    assert selected.count(env) == 1
    make_products(env, [product(sku="A", ean=HAMMER, category="X"), product(sku="B", ean=BOTTLE, category="Y")])
    sel = Selection("mine", categories=("X",))
    save_selection(env, sel)
    assert selected.count(env, sel) == 1
    save_selection(env, Selection("mine", categories=("X", "Y")))   # same name, new definition
    assert selected.count(env, load_selection(env, "mine")) == 2
    assert env.execute("SELECT count(DISTINCT key) FROM code2asin_selected").fetchone()[0] == 1   # only the latest


def test_a_write_conflict_is_retried(env, sandbox, monkeypatch):
    """DuckDB refuses one of two concurrent writes to the same rows (a user's choice during a re-check):
    the batch's transaction is run again instead of failing the job."""
    catalogue(env, [("HAMMER", HAMMER, "Outilpro")])
    real, conflicts = store.replace_rows, []

    def conflicting_once(*args, **kwargs):
        if not conflicts:
            conflicts.append(1)
            raise duckdb.TransactionException("Conflict on update")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "replace_rows", conflicting_once)
    job = run(env, sandbox)
    assert conflicts and job.status == "done" and job.counts["accepted"] == 1
    assert len(rows(env)[HAMMER]) == 2


def test_a_matched_ean_with_another_brands_asin_can_still_be_changed(env, sandbox):
    """Two ASINs carry the code, one of the product's brand: it is chosen, the other stays offered."""
    other_brand = [{"asin": "B0OTHERBRD", "identifiers": {"EAN": HAMMER}, "item_name": "Autre marteau",
                    "brand": "Autre", "product_type": "TOOLS", "classification": "BASE_PRODUCT"}]
    srv = server.start(port=0, state_dir=sandbox.state_dir / "other",
                       catalog_seed=[SEED.by_asin[HAMMER_ASINS[0]], *other_brand])
    try:
        catalogue(env, [("HAMMER", HAMMER, "Outilpro")])
        run(env, srv)
    finally:
        srv.stop()
    assert rows(env)[HAMMER] == sorted([(HAMMER_ASINS[0], MATCHED, True), ("B0OTHERBRD", MATCHED, False)])
    assert store.eans_needing_choice(env, "FR") == [(HAMMER, "HAMMER", MATCHED, HAMMER_ASINS[0])]
