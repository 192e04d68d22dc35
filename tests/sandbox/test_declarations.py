"""The sandbox's declarations as data are complete: rules, rate limits, product types, accounts, README."""
from __future__ import annotations

import json
import re

import pytest

from core.db import ROOT
from core.sandbox import listing_rules, product_types
from core.sandbox.accounts import BUILTIN_ACCOUNTS, DEMO_REFRESH_TOKEN, DEMO_SELLER_ID
from core.sandbox.catalog import DEFAULT_SEED
from core.sandbox.ratelimits import RATE_LIMITS
from core.sandbox.server import ROUTES
from tests.sandbox.models import model

README = (ROOT / "README.md").read_text("utf-8")


def _possible_values(description: str) -> set[str]:
    # The model lists enum-like values in descriptions: "* 'INVALID_ATTRIBUTE' - …" / "* `LISTING_SUPPRESSED` - …"
    return set(re.findall(r"\*\s+['`]([A-Z_]+)['`]", description))


def test_every_rule_is_complete_and_uses_amazons_vocabulary():
    definitions = model("listingsItems_2021-08-01.json")["definitions"]
    categories = _possible_values(definitions["Issue"]["properties"]["categories"]["description"])
    actions = _possible_values(definitions["IssueEnforcementAction"]["properties"]["action"]["description"])
    assert {"INVALID_ATTRIBUTE", "QUALIFICATION_REQUIRED"} <= categories and "SEARCH_SUPPRESSED" in actions
    ids = [r.id for r in listing_rules.RULES]
    assert len(ids) == len(set(ids))
    for rule in listing_rules.RULES:
        assert rule.code and rule.severity in ("ERROR", "WARNING", "INFO") and rule.stage in ("submission", "post")
        assert rule.categories and set(rule.categories) <= categories, rule.id
        assert rule.enforcement is None or rule.enforcement in actions, rule.id
        assert callable(rule.check)
        assert f"| {rule.id} | {rule.code} |" in README, f"rule {rule.id} is not documented in README"


def test_every_route_has_a_documented_rate_limit():
    assert all(r.rate > 0 and r.burst >= 1 for r in RATE_LIMITS)
    operations = {r.operation for r in RATE_LIMITS}
    assert {route.operation for route in ROUTES} <= operations


def test_every_product_type_has_its_schema_shipped_with_the_license():
    folder = product_types.SCHEMA_DIR
    assert (folder / "LICENSE").exists() and (folder / "NOTICE").exists()
    for pt in product_types.PRODUCT_TYPES:
        assert json.loads((folder / pt.schema_file).read_bytes())["properties"], pt.name


def test_every_product_type_the_seed_and_the_mapping_use_is_known():
    names = set(product_types.BY_NAME)
    seed = json.loads(DEFAULT_SEED.read_text("utf-8"))
    assert {i["product_type"] for i in seed} <= names
    suggestions = pytest.importorskip("core.mapping.product_types").SUGGESTIONS
    assert {pt for _, pt in suggestions} <= names


def test_demo_account_is_the_first_builtin_and_refresh_tokens_are_unique():
    assert (BUILTIN_ACCOUNTS[0].refresh_token, BUILTIN_ACCOUNTS[0].seller_id) == (DEMO_REFRESH_TOKEN, DEMO_SELLER_ID)
    tokens = [a.refresh_token for a in BUILTIN_ACCOUNTS]
    assert len(tokens) == len(set(tokens)) and all(t.startswith("Atzr|") for t in tokens)
