"""Prepare the embedded default before the dashboard starts: database schema and sample catalogue.

Run by scripts/run.sh as ``python -m core.bootstrap`` (the dashboard process then owns the file).
"""
from __future__ import annotations

from core import db
from core.catalog import sample
from core.catalog.importer import drop_leftovers


def main() -> None:
    """Create the database if needed, drop what a killed import left, and load the sample catalogue
    when no catalogue exists yet."""
    con = db.connect()
    try:
        drop_leftovers(con)
        sample.ensure_loaded(con)
    finally:
        con.close()


if __name__ == "__main__":
    main()
