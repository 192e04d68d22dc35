"""Paramètres > Intégrations: the Amazon integration's non-secret settings, in DuckDB.

Environment, marketplace, account type, export mode, condition and seller id live in the table
``integration_settings`` (one row per integration). The secrets do not: see
:mod:`core.spapi.credentials`. A fresh install is in demo mode — local sandbox, Amazon.fr,
Professional, new listings, new condition — so "Tester la connexion" passes out of the box.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import duckdb

from core.marketplaces import DEFAULT_MARKETPLACE, MARKETPLACES, marketplace
from core.spapi.environments import DEFAULT_ENVIRONMENT, ENVIRONMENTS

SCHEMA = """
CREATE TABLE IF NOT EXISTS integration_settings (
    integration  VARCHAR PRIMARY KEY,   -- 'amazon'
    environment  VARCHAR NOT NULL,      -- local_sandbox | amazon_sandbox | production
    marketplace  VARCHAR NOT NULL,      -- FR, DE, UK … (core.marketplaces)
    account_type VARCHAR NOT NULL,      -- professional | individual
    export_mode  VARCHAR NOT NULL,      -- create | match
    condition    VARCHAR NOT NULL,      -- new | refurbished | used
    seller_id    VARCHAR NOT NULL DEFAULT '',
    updated_at   TIMESTAMP DEFAULT current_timestamp
);
"""

AMAZON = "amazon"


@dataclass(frozen=True)
class Choice:
    """An option of a settings field: stable code, message key, and what Amazon calls it if anything."""
    code: str
    amazon_value: str = ""


ACCOUNT_TYPES = (Choice("professional", "PROFESSIONAL"), Choice("individual", "INDIVIDUAL"))
EXPORT_MODES = (Choice("create", "LISTING"), Choice("match", "LISTING_OFFER_ONLY"))
# Guide: Neuf, Reconditionné, Occasion → Amazon condition_type values (spapi-reference §d).
CONDITIONS = (Choice("new", "new_new"), Choice("refurbished", "refurbished_refurbished"),
              Choice("used", "used_good"))
ENVIRONMENT_CODES = tuple(e.code for e in ENVIRONMENTS)
FIELD_CHOICES: dict[str, tuple[str, ...]] = {
    "environment": ENVIRONMENT_CODES,
    "marketplace": tuple(m.code for m in MARKETPLACES),
    "account_type": tuple(c.code for c in ACCOUNT_TYPES),
    "export_mode": tuple(c.code for c in EXPORT_MODES),
    "condition": tuple(c.code for c in CONDITIONS),
}


@dataclass(frozen=True)
class IntegrationSettings:
    """The Amazon integration's settings (no secret here)."""
    environment: str = DEFAULT_ENVIRONMENT
    marketplace: str = DEFAULT_MARKETPLACE
    account_type: str = "professional"
    export_mode: str = "create"
    condition: str = "new"
    seller_id: str = ""
    saved: bool = False      # False: defaults (nothing stored yet)


class InvalidSetting(ValueError):
    """A value outside its field's choices; ``field`` and ``value`` say which (for the i18n message)."""

    def __init__(self, field: str, value: str):
        super().__init__(f"{field}={value!r}")
        self.field, self.value = field, value


def defaults() -> IntegrationSettings:
    """Demo mode, overridden by the non-secret keys of ``.streamlit/secrets.toml`` [amazon] if any."""
    from core.spapi.credentials import secrets_toml_settings  # noqa: PLC0415
    base = IntegrationSettings()
    extra = {k: v for k, v in secrets_toml_settings().items()
             if k == "seller_id" or v in FIELD_CHOICES.get(k, ())}
    return replace(base, **extra)


def validate(settings: IntegrationSettings) -> IntegrationSettings:
    """``settings`` if every field holds one of its choices (seller id: letters and digits), else raise."""
    for name, choices in FIELD_CHOICES.items():
        value = getattr(settings, name)
        if value not in choices:
            raise InvalidSetting(name, value)
    seller = settings.seller_id.strip()
    if seller and (not seller.isalnum() or len(seller) > 32):
        raise InvalidSetting("seller_id", seller)
    return replace(settings, seller_id=seller)


def load_settings(con: duckdb.DuckDBPyConnection) -> IntegrationSettings:
    """The stored settings, or the defaults when nothing was saved (or a stored value became invalid)."""
    row = con.execute(
        "SELECT environment, marketplace, account_type, export_mode, condition, seller_id "
        "FROM integration_settings WHERE integration = ?", [AMAZON]).fetchone()
    if row is None:
        return defaults()
    try:
        return validate(IntegrationSettings(*row, saved=True))
    except InvalidSetting:
        return defaults()


def save_settings(con: duckdb.DuckDBPyConnection, settings: IntegrationSettings) -> IntegrationSettings:
    """Validate and store ``settings`` (replacing the previous ones). Raises :class:`InvalidSetting`."""
    s = validate(settings)
    values = {k: v for k, v in asdict(s).items() if k != "saved"}
    con.execute(
        "INSERT OR REPLACE INTO integration_settings "
        "(integration, environment, marketplace, account_type, export_mode, condition, seller_id, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [AMAZON, *values.values()])
    return replace(s, saved=True)


def api_mode_allowed(settings: IntegrationSettings) -> bool:
    """True when the SP-API export mode may be offered: the guide requires a Professional account."""
    return settings.account_type == "professional"


def condition_type(settings: IntegrationSettings) -> str:
    """Amazon's ``condition_type`` value for the configured condition (new → new_new …)."""
    return next(c.amazon_value for c in CONDITIONS if c.code == settings.condition)


def listing_requirements(settings: IntegrationSettings) -> str:
    """``requirements`` of a put: LISTING for new listings, LISTING_OFFER_ONLY to match existing ASINs."""
    return next(c.amazon_value for c in EXPORT_MODES if c.code == settings.export_mode)


def effective_seller_id(settings: IntegrationSettings) -> str:
    """The seller id to use: the configured one, or the demo seller in the local sandbox."""
    if settings.seller_id:
        return settings.seller_id
    if settings.environment == "local_sandbox":
        from core.sandbox.accounts import DEMO_SELLER_ID  # noqa: PLC0415
        return DEMO_SELLER_ID
    return ""


def spapi_config(settings: IntegrationSettings, local_url: str | None = None, credentials=None):
    """The :class:`~core.spapi.client.SpApiConfig` these settings describe (credentials loaded if not given)."""
    from core.spapi.client import SpApiConfig  # noqa: PLC0415
    from core.spapi.credentials import load_credentials  # noqa: PLC0415
    return SpApiConfig(environment=settings.environment, marketplace=marketplace(settings.marketplace),
                       credentials=credentials or load_credentials(),
                       seller_id=effective_seller_id(settings), local_url=local_url)
