"""Where the SP-API lives: the environments the dashboard can talk to, as data.

``production`` and ``amazon_sandbox`` use Amazon's regional hosts (spapi-reference §l, §m);
``local_sandbox`` is the emulator of ``core.sandbox`` on 127.0.0.1, whose URL is known at run time.
Login with Amazon is ``api.amazon.com`` for every region, except the local sandbox which emulates it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Environment:
    code: str
    api_host: str | None    # template with {region}; None = the local sandbox URL
    lwa_url: str | None     # token endpoint; None = <local sandbox URL>/auth/o2/token
    is_real: bool           # talks to Amazon (production data, real quotas)


ENVIRONMENTS: tuple[Environment, ...] = (
    Environment("local_sandbox", None, None, False),
    Environment("amazon_sandbox", "https://sandbox.sellingpartnerapi-{region}.amazon.com",
                "https://api.amazon.com/auth/o2/token", True),
    Environment("production", "https://sellingpartnerapi-{region}.amazon.com",
                "https://api.amazon.com/auth/o2/token", True),
)

DEFAULT_ENVIRONMENT = "local_sandbox"
LWA_PATH = "/auth/o2/token"


def environment(code: str) -> Environment:
    """The environment whose code is ``code`` (KeyError otherwise)."""
    for env in ENVIRONMENTS:
        if env.code == code:
            return env
    raise KeyError(code)


def api_endpoint(code: str, region: str, local_url: str | None = None) -> str:
    """Base URL of the SP-API for ``code`` in ``region`` (eu, na, fe)."""
    env = environment(code)
    if env.api_host is None:
        if not local_url:
            raise ValueError("the local sandbox URL is required for the local_sandbox environment")
        return local_url.rstrip("/")
    return env.api_host.format(region=region)


def lwa_endpoint(code: str, local_url: str | None = None) -> str:
    """URL of the Login with Amazon token endpoint for ``code``."""
    env = environment(code)
    if env.lwa_url is None:
        return api_endpoint(code, "eu", local_url) + LWA_PATH
    return env.lwa_url
