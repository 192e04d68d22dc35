"""The RULES table is complete (codes, vocabulary, texts in both languages, examples), and every rule
flags its bad example and leaves its good example alone, asserted on (sku, code)."""
from __future__ import annotations

import string

import pytest

from core import db
from core.i18n import LANGUAGES, has_key, message
from core.rules.definitions import EXAMPLE_FIXTURES, RULES, TEXT_FIELDS
from core.rules.engine import validate
from core.rules.model import CATEGORIES, SEVERITIES
from tests.factories import make_products, product

CASE_SKU = "CASE-1"


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_codes_are_unique_and_stable_shaped():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(c.isupper() and c.replace("_", "").isalnum() for c in codes)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_entry_is_complete(rule):
    assert rule.severity in SEVERITIES
    assert rule.category in CATEGORIES
    assert rule.when.strip()
    assert isinstance(rule.good, dict) and isinstance(rule.bad, dict) and rule.bad, "a good and a bad example"
    assert rule.good != rule.bad
    if rule.per_field:
        assert set(rule.per_field) <= set(TEXT_FIELDS)
    else:
        assert rule.field and rule.amazon_attribute
    for lang in LANGUAGES:
        for key in (rule.message_key, rule.hint_key, f"rules.{rule.code}.label"):
            assert has_key(key, lang), f"{key} missing in {lang}"
        # every placeholder of the message and hint is fed by the rule (or is the offending value)
        for key in (rule.message_key, rule.hint_key):
            assert _fields(message(key, lang)) <= set(rule.params) | {"value"}, key


@pytest.fixture(scope="module")
def mem():
    con = db.connect(":memory:")
    yield con
    con.close()


def _run_case(con, rule, overrides: dict) -> set[tuple[str, str]]:
    fixture = EXAMPLE_FIXTURES.get(rule.code, {})
    if "sql" in fixture:
        con.execute(fixture["sql"])
    rows = [product(**{"sku": CASE_SKU, **overrides})]
    # the other rows get EANs of their own so that only the case decides on EAN duplicates
    others = [{"ean": None, "gtin_exempt": True, **o} for o in fixture.get("others", [])]
    rows += [product(**o) for o in others]
    make_products(con, rows)
    validate(con, None, "fr", rules=(rule,))
    return set(con.execute("SELECT sku, code FROM violations").fetchall())


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_is_flagged(mem, rule):
    sku = rule.bad.get("sku", CASE_SKU)
    assert (sku, rule.code) in _run_case(mem, rule, rule.bad)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_good_example_is_not_flagged(mem, rule):
    sku = rule.good.get("sku", CASE_SKU)
    assert (sku, rule.code) not in _run_case(mem, rule, rule.good)


def test_a_clean_product_passes_every_rule(mem):
    make_products(mem, [product(sku="CLEAN-1")])
    run = validate(mem)
    assert mem.execute("SELECT code FROM violations").fetchall() == []
    assert run.counts == {"ERROR": 0, "WARNING": 0, "INFO": 0} and run.score == 1.0
