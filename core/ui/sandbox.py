"""Demo mode: the local SP-API sandbox, started once per server process by the pages that need it.

Port from ``EXPORT_AMAZON_SANDBOX_PORT`` (default 8799), or a free port if that one is taken; state
in ``runtime_dir()/sandbox``. ``EXPORT_AMAZON_SANDBOX_URL`` points the dashboard at a sandbox started
elsewhere (``python -m core.sandbox --port 8799``) and disables the autostart.
"""
from __future__ import annotations

import os

import streamlit as st

from core import db

DEFAULT_PORT = 8799


@st.cache_resource(show_spinner=False)
def _local_sandbox(port: int, state_dir: str):
    # Imported here: only pages that talk to the API pay for the sandbox.
    from core.sandbox import server  # noqa: PLC0415
    try:
        return server.start(port=port, state_dir=state_dir)
    except OSError:      # port taken (another dashboard, a test run): any free port will do
        return server.start(port=0, state_dir=state_dir)


def local_sandbox_url() -> str:
    """The local sandbox's base URL, starting it on first use in this server process."""
    external = os.environ.get("EXPORT_AMAZON_SANDBOX_URL", "").strip()
    if external:
        return external.rstrip("/")
    port = int(os.environ.get("EXPORT_AMAZON_SANDBOX_PORT", DEFAULT_PORT))
    state_dir = str(db.runtime_dir() / "sandbox")
    return _local_sandbox(port, state_dir).url
