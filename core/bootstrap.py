"""Prepare the embedded default before the dashboard starts: database schema and sample catalogue.

Run by scripts/run.sh as ``python -m core.bootstrap`` (the dashboard process then owns the file).
"""
from __future__ import annotations

from core import db


def main() -> None:
    """Create the database if needed and load the sample catalogue when no catalogue exists yet."""
    con = db.connect()
    try:
        from core.catalog import sample  # noqa: PLC0415 - optional until the sample module exists
    except ImportError:
        sample = None
    if sample is not None:
        sample.ensure_loaded(con)
    con.close()


if __name__ == "__main__":
    main()
