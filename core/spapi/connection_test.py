""""Tester la connexion": the guide's four checks, each passed, failed (with its reason) or not run.

1. ``api_reachable`` — the SP-API (and the Login with Amazon endpoint) answer over the network;
2. ``credentials`` — Login with Amazon exchanges the refresh token (Client ID, Client Secret valid);
3. ``permissions`` — the Sellers API answers (the application is authorised, the role granted);
4. ``marketplace`` — the configured marketplace is among the seller's, participating (a warning when
   it has suspended listings, or when Amazon reports an Individual selling plan).

A check that cannot run because an earlier one failed is ``skipped``, never reported as failed.
Each outcome carries a message key (``spapi.check.*``) and its parameters — never a secret.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from core.spapi import sellers
from core.spapi.client import SpApiConfig, auth_client_class, error_from_exception, tls_context
from core.spapi.results import ApiError
from core.spapi.retry import NO_RETRY

CHECKS: tuple[str, ...] = ("api_reachable", "credentials", "permissions", "marketplace")
PASSED, WARNING, FAILED, SKIPPED = "passed", "warning", "failed", "skipped"
PROBE_TIMEOUT = 5.0
LIMITER_WAIT = 3.0   # getMarketplaceParticipations allows ~1 request a minute once its burst is spent


@dataclass(frozen=True)
class CheckOutcome:
    """The outcome of one check: ``reason`` is a message key, ``params`` its values."""
    check: str
    status: str
    reason: str
    params: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True for passed and warning (the check itself succeeded)."""
        return self.status in (PASSED, WARNING)


def _error_reason(err: ApiError) -> tuple[str, dict]:
    params = {"status": err.http_status or "-", "code": err.amazon_code or "-", "message": err.message or ""}
    return "spapi.error." + err.kind, params


def check_reachable(cfg: SpApiConfig) -> CheckOutcome:
    """Any HTTP answer from the API host and the LWA host counts; refused, reset or timed out fails."""
    for url in dict.fromkeys((cfg.endpoint + "/", cfg.lwa_url)):
        try:
            httpx.get(url, timeout=PROBE_TIMEOUT, verify=tls_context())
        except httpx.TransportError as exc:
            return CheckOutcome("api_reachable", FAILED, "spapi.check.unreachable",
                                {"url": url.split("?")[0], "error": type(exc).__name__})
    return CheckOutcome("api_reachable", PASSED, "spapi.check.reachable", {"url": cfg.endpoint})


def check_credentials(cfg: SpApiConfig) -> CheckOutcome:
    """A fresh token exchange with Login with Amazon (the cached token is dropped first)."""
    from sp_api.auth.exceptions import AuthorizationError  # noqa: PLC0415

    c = cfg.credentials
    if not c.complete:
        return CheckOutcome("credentials", FAILED, "spapi.check.credentials_missing")
    token_client = auth_client_class(cfg.lwa_url)(refresh_token=c.refresh_token, credentials=_Creds(c),
                                                   verify=tls_context())
    token_client.forget()
    try:
        token_client.get_auth()
    except (AuthorizationError, httpx.TransportError, ValueError) as exc:
        err = error_from_exception(exc)
        if err.kind == "auth":
            key = {"invalid_client": "spapi.check.invalid_client",
                   "invalid_grant": "spapi.check.invalid_grant",
                   "unauthorized_client": "spapi.check.unauthorized_client"}.get(err.amazon_code or "",
                                                                                 "spapi.check.lwa_refused")
            return CheckOutcome("credentials", FAILED, key, {"code": err.amazon_code or "-"})
        key, params = _error_reason(err)
        return CheckOutcome("credentials", FAILED, key, params)
    return CheckOutcome("credentials", PASSED, "spapi.check.credentials_ok")


class _Creds:
    """The attribute shape sp_api's token client reads its credentials from."""

    def __init__(self, c):
        self.lwa_app_id, self.lwa_client_secret, self.refresh_token = c.client_id, c.client_secret, c.refresh_token


def run_connection_test(cfg: SpApiConfig, account_type: str = "professional") -> list[CheckOutcome]:
    """Run the four checks in order; later checks are skipped once one fails."""
    outcomes = [check_reachable(cfg)]
    if outcomes[-1].passed:
        outcomes.append(check_credentials(cfg))
    participations = None
    if outcomes[-1].passed and len(outcomes) == 2:
        got = sellers.marketplace_participations(cfg, policy=NO_RETRY, max_wait=LIMITER_WAIT)
        if got.ok:
            participations = got.payload
            outcomes.append(_permissions_ok(cfg, account_type))
        elif got.kind == "throttled":
            outcomes.append(CheckOutcome("permissions", FAILED, "spapi.check.throttled"))
        elif got.kind == "forbidden":
            outcomes.append(CheckOutcome("permissions", FAILED, "spapi.check.forbidden",
                                         {"code": got.amazon_code or "-"}))
        else:
            key, params = _error_reason(got)
            outcomes.append(CheckOutcome("permissions", FAILED, key, params))
    if participations is not None:
        outcomes.append(_marketplace_outcome(cfg, participations))
    done = {o.check for o in outcomes}
    outcomes += [CheckOutcome(c, SKIPPED, "spapi.check.skipped") for c in CHECKS if c not in done]
    return outcomes


def _permissions_ok(cfg: SpApiConfig, account_type: str) -> CheckOutcome:
    # The selling plan, when the account endpoint answers, tells an Individual account apart.
    got = sellers.account(cfg, policy=NO_RETRY, max_wait=LIMITER_WAIT)
    plan = ""
    if got.ok and isinstance(got.payload, dict):
        plan = str(got.payload.get("sellingPlan") or (got.payload.get("payload") or {}).get("sellingPlan") or "")
    if plan.upper() == "INDIVIDUAL":
        return CheckOutcome("permissions", WARNING, "spapi.check.individual_plan")
    if plan and account_type == "individual":
        return CheckOutcome("permissions", WARNING, "spapi.check.plan_mismatch", {"plan": plan})
    return CheckOutcome("permissions", PASSED, "spapi.check.permissions_ok")


def _marketplace_outcome(cfg: SpApiConfig, participations) -> CheckOutcome:
    m = cfg.marketplace
    entry = sellers.participation(participations, m.marketplace_id)
    params = {"marketplace": m.name, "id": m.marketplace_id}
    if entry is None:
        return CheckOutcome("marketplace", FAILED, "spapi.check.marketplace_absent", params)
    part = entry.get("participation") or {}
    if not part.get("isParticipating"):
        return CheckOutcome("marketplace", FAILED, "spapi.check.not_participating", params)
    if part.get("hasSuspendedListings"):
        return CheckOutcome("marketplace", WARNING, "spapi.check.suspended_listings", params)
    return CheckOutcome("marketplace", PASSED, "spapi.check.marketplace_ok", params)
