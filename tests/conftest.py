"""Shared fixtures: a fresh database per test, pointed to by EXPORT_AMAZON_DB for pages too."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import db as core_db  # noqa: E402


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    """A database file path of this test's own, also used by pages run under AppTest."""
    path = tmp_path / "test.duckdb"
    monkeypatch.setenv("EXPORT_AMAZON_DB", str(path))
    monkeypatch.setenv("EXPORT_AMAZON_RUNTIME", str(tmp_path / "runtime"))
    return path


@pytest.fixture
def con(db_file):
    """An open, migrated connection on this test's database."""
    connection = core_db.connect(db_file)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """The local SP-API sandbox (real HTTP server, demo accounts) on a free port, shared by one module's tests."""
    from core.sandbox import server
    srv = server.start(port=0, state_dir=tmp_path_factory.mktemp("sandbox"))
    yield srv
    srv.stop()


@pytest.fixture
def sample_db(db_file) -> Path:
    """This test's database file with the sample catalogue imported (closed again: pages open it themselves)."""
    from tests.factories import load_sample
    connection = core_db.connect(db_file)
    try:
        load_sample(connection)
    finally:
        connection.close()
    return db_file


@pytest.fixture
def import_gate(monkeypatch):
    """Hold every catalogue import job at its start until the test sets the event (the real importer then runs)."""
    import threading

    from core.catalog import import_job
    from core.catalog.importer import import_file
    event = threading.Event()

    def held(*args, **kwargs):
        event.wait(30)
        return import_file(*args, **kwargs)

    monkeypatch.setattr(import_job, "import_file", held)
    yield event
    event.set()
