"""Helpers to run a screen under Streamlit's AppTest the way the server does (app.py as entrypoint)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.db import ROOT
from core.ui.nav import screen


def run_screen(screen_id: str, lang: str = "fr", state: dict | None = None, timeout: float = 30) -> AppTest:
    """Open ``screen_id`` in ``lang`` with ``state`` seeded into session_state, run it, return the AppTest.

    Pages resolve links relative to the entrypoint, so the test starts from app.py and switches page,
    like a user clicking in the sidebar.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    path = screen(screen_id).path
    if path != "app.py":
        at.switch_page(path)
    at.run()
    return at
