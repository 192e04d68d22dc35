"""The shape of one Amazon rule, and Amazon's vocabulary for severities and issue categories.

A rule is "SQL that selects the bad rows" (soda/dbt style): ``when`` is a predicate over one product
of the selection (alias ``p``), and may use ``{sel}`` (the selected products, for duplicates or
distributions) and the ``{...}`` names of :data:`core.rules.definitions.SQL_CONTEXT`. Its texts
live in the message catalogues under ``rules.<CODE>.message`` (placeholders = keys of ``params``)
and ``rules.<CODE>.hint``; its ``good``/``bad`` product overrides are the test cases the completeness
test runs, so a rule cannot be half-added.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "ERROR", "WARNING", "INFO"
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)

# Listings Items API issue categories (listingsItems_2021-08-01 Issue.categories) plus the two the
# Seller Central reports use for our cases.
CATEGORIES: tuple[str, ...] = (
    "MISSING_ATTRIBUTE", "INVALID_ATTRIBUTE", "MISSING_IMAGE", "INVALID_IMAGE", "MISSING_PRICE",
    "INVALID_PRICE", "DUPLICATE", "QUALIFICATION_REQUIRED",
)


@dataclass(frozen=True, eq=False)
class Rule:
    """One Amazon rule.

    ``field``: the products column shown to the user; ``reads``: every column the SQL needs (when one
    is absent from ``products`` the rule is reported NOT_EVALUATED, never as bad data);
    ``value``: SQL of the offending value (default: ``field`` as text); ``params``: message
    placeholders → SQL expressions; ``tables``: other tables the SQL reads (NOT_EVALUATED if absent);
    ``per_field``: the same check over several text columns (``{col}`` in ``when``/``value``).
    """
    code: str
    field: str
    amazon_attribute: str
    severity: str
    category: str
    when: str
    good: dict
    bad: dict
    value: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    reads: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    per_field: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of ``products`` this rule cannot run without."""
        return tuple(dict.fromkeys(self.reads or (self.per_field or (self.field,))))

    @property
    def message_key(self) -> str:
        return f"rules.{self.code}.message"

    @property
    def hint_key(self) -> str:
        return f"rules.{self.code}.hint"


@dataclass(frozen=True)
class NotEvaluated:
    """A rule the engine could not run on this catalogue, and why (missing columns or tables)."""
    code: str
    missing: tuple[str, ...]
