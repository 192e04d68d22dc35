"""Prepare the embedded default before the dashboard starts: database schema and sample catalogue.

Run by scripts/run.sh as ``python -m core.bootstrap`` (the dashboard process then owns the file).
"""
from __future__ import annotations

from core import db
from core.catalog import derived, sample
from core.catalog.importer import drop_leftovers


def main() -> None:
    """Create the database if needed, drop what a killed import left, load the sample catalogue
    when no catalogue exists yet, and bring the catalogue's derived columns up to date."""
    con = db.connect()
    try:
        drop_leftovers(con)
        sample.ensure_loaded(con)
        # A catalogue imported by an older version gets its derived columns now, not at the first validation.
        derived.ensure(con)
    finally:
        con.close()


if __name__ == "__main__":
    main()
