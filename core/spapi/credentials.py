"""The LWA credentials (Client ID, Client Secret, Refresh Token): where they are kept, how they show.

Kept outside git, in ``runtime_dir()/credentials.json`` (mode 0600; ``data/runtime/`` is git-ignored),
or read-only from the ``[amazon]`` table of ``.streamlit/secrets.toml``. Without either the dashboard
runs in demo mode with the local sandbox's demo account. Every value loaded is registered with the
log redaction; ``repr`` never prints a secret, and the UI shows at most the last 4 characters.
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core import db
from core.spapi import redact

FIELDS = ("client_id", "client_secret", "refresh_token")
SOURCE_FILE, SOURCE_SECRETS, SOURCE_DEMO = "file", "secrets_toml", "demo"


@dataclass(frozen=True)
class Credentials:
    """LWA credentials. ``source`` says where they came from (file, secrets_toml, demo)."""
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    source: str = SOURCE_FILE

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.masked('client_id')!r}, source={self.source!r})"

    __str__ = __repr__

    def masked(self, name: str) -> str:
        """What may be displayed of field ``name``: ``••••`` + its last 4 characters."""
        return redact.mask_tail(getattr(self, name))

    @property
    def complete(self) -> bool:
        """True when all three values are present."""
        return all(getattr(self, f) for f in FIELDS)

    def as_sp_api(self) -> dict:
        """The dict ``sp_api`` clients take as ``credentials=`` (refresh token passed separately)."""
        return {"lwa_app_id": self.client_id, "lwa_client_secret": self.client_secret,
                "refresh_token": self.refresh_token}


def credentials_path() -> Path:
    """The git-ignored file where credentials typed in Paramètres are kept."""
    return db.runtime_dir() / "credentials.json"


def secrets_toml_path() -> Path:
    """Streamlit's secrets file (read-only alternative for deployments)."""
    return Path(os.environ.get("EXPORT_AMAZON_SECRETS_TOML", db.ROOT / ".streamlit" / "secrets.toml"))


def demo_credentials() -> Credentials:
    """The local sandbox's demo account: what a fresh install uses."""
    from core.sandbox import accounts  # noqa: PLC0415 - the sandbox owns its accounts
    return Credentials(accounts.DEMO_CLIENT_ID, accounts.DEMO_CLIENT_SECRET, accounts.DEMO_REFRESH_TOKEN,
                       SOURCE_DEMO)


def _read_file(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_secrets_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh).get("amazon", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return table if isinstance(table, dict) else {}


def secrets_toml_settings() -> dict:
    """Non-secret keys of the ``[amazon]`` table (environment, marketplace, seller_id), if any."""
    table = _read_secrets_toml(secrets_toml_path())
    return {k: str(table[k]) for k in ("environment", "marketplace", "seller_id") if table.get(k)}


def load_credentials() -> Credentials:
    """The credentials in force: the file, else secrets.toml, else the demo account."""
    for source, data in ((SOURCE_FILE, _read_file(credentials_path())),
                         (SOURCE_SECRETS, _read_secrets_toml(secrets_toml_path()))):
        values = {f: str(data.get(f) or "").strip() for f in FIELDS}
        if all(values.values()):
            creds = Credentials(**values, source=source)
            break
    else:
        creds = demo_credentials()
    redact.install()
    redact.register_secrets(creds.client_id, creds.client_secret, creds.refresh_token)
    return creds


def save_credentials(client_id: str = "", client_secret: str = "", refresh_token: str = "") -> Credentials:
    """Store new values; an empty value keeps the one in force. Returns what is now stored.

    The file is written with mode 0600 (created so, never world-readable even for an instant).
    """
    current = load_credentials()
    merged = {f: (str(v).strip() or getattr(current, f))
              for f, v in zip(FIELDS, (client_id, client_secret, refresh_token))}
    redact.register_secrets(*merged.values())
    path = credentials_path()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(merged, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return Credentials(**merged, source=SOURCE_FILE)


def forget_credentials() -> None:
    """Delete the stored file (back to secrets.toml or demo mode)."""
    credentials_path().unlink(missing_ok=True)
