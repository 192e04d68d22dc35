"""Flat File export from the command line, for scheduled jobs (same code as the Export page).

    python -m core.export --marketplace FR --selection NAME --out file.txt [--profile default]
        [--profile-version N] [--encoding utf-8|cp1252] [--include-rejected] [--lang fr|en] [--db PATH]

Prints a summary and exits 0 when the file is written, 1 when the export fails, 2 on bad arguments.
DuckDB lets one process open the database file read-write: stop the dashboard first (or point
``--db`` / ``EXPORT_AMAZON_DB`` to another file).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from core import db
from core.exports.flatfile_export import ExportError, ExportRequest, run
from core.i18n import LANGUAGES, message
from core.mapping.profiles import DEFAULT_PROFILE, current_user


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--marketplace", default="FR", help="marketplace code (FR, DE, UK …)")
    p.add_argument("--selection", default="", help='saved selection name ("" = all products)')
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="mapping profile name")
    p.add_argument("--profile-version", type=int, default=None, help="profile version (default: latest)")
    p.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp1252"])
    p.add_argument("--include-rejected", action="store_true", help="also write products with ERROR violations")
    p.add_argument("--out", type=Path, default=None, help="output file (default: the runtime exports folder)")
    p.add_argument("--lang", default="fr", choices=list(LANGUAGES))
    p.add_argument("--db", type=Path, default=None, help="database file (default: EXPORT_AMAZON_DB or data/)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one export; returns the process exit code."""
    args = _parser().parse_args(argv)
    t = lambda key, **kw: message(key, args.lang, **kw)  # noqa: E731
    try:
        con = db.connect(args.db) if args.db else db.connect()
    except duckdb.IOException as exc:
        print(t("export.cli.locked", error=str(exc).splitlines()[0]), file=sys.stderr)
        return 1
    try:
        outcome = run(con, ExportRequest(
            marketplace=args.marketplace, selection=args.selection, profile=args.profile,
            profile_version=args.profile_version, encoding=args.encoding, include_rejected=args.include_rejected,
            out=args.out, user=current_user(), lang=args.lang))
    except ExportError as exc:
        print(t(exc.key, **exc.params), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - recorded as failed in the history; say it plainly
        print(t("export.failed", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    finally:
        con.close()
    print(t("export.cli.done", id=outcome.export_id, path=str(outcome.file_path), written=outcome.rows_written,
            selected=outcome.rows_selected, rejected=outcome.rows_rejected, sha256=outcome.sha256))
    if outcome.rejects_path:
        print(t("export.cli.rejects", path=str(outcome.rejects_path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
