"""Browser tests: the real dashboard served by ``streamlit run`` and driven by Debian's headless Chromium.

Fixtures (other e2e files use them by these names):

* ``app_url`` (session, shared: do not replace its catalogue) — a temp database with the sample
  catalogue loaded by ``python -m core.bootstrap``, then ``streamlit run app.py`` on a free 127.0.0.1 port; yields ``http://127.0.0.1:<port>`` once
  ``/_stcore/health`` answers ``ok``; the server is terminated at the end of the session.
* ``private_app_url`` (module) — the same, for a test module that changes the catalogue (uploads).
* ``browser`` (session) — Playwright's Chromium launched from the system executable (Playwright never
  downloads a browser here). A missing chromium FAILS the tests with a clear message: scripts/test.sh
  installs it.
* ``browser_page`` — a fresh page (own context) per test; on failure a full-page screenshot and the
  server log tail are saved under pytest's temp dir and their paths printed.

Helpers to wait for Streamlit and read its widgets are in :mod:`tests.e2e.browser`.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from core.db import ROOT

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 90      # seconds for bootstrap + server start on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
            return resp.read().decode().strip()
    except OSError:
        return ""


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def serve_app(folder: Path) -> Iterator[str]:
    """Bootstrap a database under ``folder`` (sample catalogue loaded), serve the app, yield its URL."""
    env = {**os.environ, "EXPORT_AMAZON_DB": str(folder / "e2e.duckdb"),
           "EXPORT_AMAZON_RUNTIME": str(folder / "runtime"), "PYTHONUNBUFFERED": "1"}
    log_path = folder / "streamlit.log"
    boot = subprocess.run([sys.executable, "-m", "core.bootstrap"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=START_TIMEOUT)
    if boot.returncode != 0:
        pytest.fail(f"python -m core.bootstrap failed ({boot.returncode}):\n{boot.stderr[-3000:]}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    _SERVER_LOGS.append(log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while _health(url) != "ok":
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer /_stcore/health within {START_TIMEOUT}s:\n{_tail(log_path)}")
            time.sleep(0.25)
        yield url
    finally:
        _SERVER_LOGS.remove(log_path)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


_SERVER_LOGS: list[Path] = []   # logs of the servers running now, printed when a browser test fails


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The shared app with the sample catalogue. Tests must not replace its catalogue (use
    ``private_app_url`` for that), since later tests expect the sample."""
    with serve_app(tmp_path_factory.mktemp("e2e-app")) as url:
        yield url


@pytest.fixture(scope="module")
def private_app_url(tmp_path_factory) -> Iterator[str]:
    """An app of this test module's own (same setup as ``app_url``), for tests that change the catalogue."""
    with serve_app(tmp_path_factory.mktemp("e2e-private-app")) as url:
        yield url


def chromium_executable(fallback: Path = Path("/usr/bin/chromium")) -> str:
    """Path of the system Chromium, or a test failure saying how to get it (never a silent skip)."""
    path = shutil.which("chromium") or (str(fallback) if fallback.exists() else None)
    if path is None:
        pytest.fail("Debian's chromium is not installed, so the browser test cannot run. "
                    "Run `bash scripts/test.sh` as root (it installs it with apt-get) or `apt-get install chromium`.")
    return path


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `.venv/bin/pip install -r requirements-test.txt`")
    executable = chromium_executable()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so that fixtures can tell a failed test at teardown.
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def browser_page(request, browser, tmp_path_factory):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = tmp_path_factory.mktemp("e2e-failures", numbered=True)
        shot = folder / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failure: {shot}")
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's own failure
            print(f"\nscreenshot failed: {exc}")
        for log in _SERVER_LOGS:
            print(f"server log ({log}):\n{_tail(log)}")
    context.close()
