"""Cost of each Amazon rule check alone, to find what to optimise in core/rules (companion of bench_rules.py).

For every (rule, column) check of the engine: one scan of the catalogue counting the products it flags,
with the shared expressions (``DERIVED``) that check reads; best of ``--repeat`` runs. Sums overlap (each
line pays its own scan), so read the ranking, not the total. By default a content check reads its bit of
``products._rule_flags`` (computed at import, core.rules.features), as the engine does; ``--no-flags``
times the predicates themselves (what the import pays for them). Run on a catalogue bench_rules.py built:

    .venv/bin/python bench/profile_rules.py bench/out/rules_100000.duckdb --threads 1
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: DuckDB's default)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-flags", action="store_true", help="evaluate every predicate, not the stored bits")
    args = parser.parse_args()
    from core import db
    from core.rules import engine as e
    con = db.connect(args.db)
    con.execute("SET enable_progress_bar = false")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {e.SEL_VIEW} AS SELECT p.rowid AS _rid, p.* FROM products AS p")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {e.CATEGORY_STATS_VIEW} AS {e._category_stats_sql(con)}")
    runnable, _skipped = e.plan(con)
    flags = not args.no_flags and e.features.FLAGS_COLUMN in e._product_columns(con)
    rows = []
    for check in e._checks(runnable):
        derived = e._derived_used([check], flags)
        source = e.SEL_VIEW
        if derived:
            join = (f" LEFT JOIN {e.CATEGORY_STATS_VIEW} AS s ON s.category = p.category"
                    if any("s." in sql for sql in derived.values()) else "")
            source = (f"(SELECT p.*, {', '.join(f'{sql} AS {name}' for name, sql in derived.items())} "
                      f"FROM {e.SEL_VIEW} AS p{join})")
        sql = f"SELECT sum(CASE WHEN {e.when_sql(check, flags)} THEN 1 ELSE 0 END) FROM {source} AS p"
        best, flagged = float("inf"), 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            flagged = con.execute(sql).fetchone()[0]
            best = min(best, time.perf_counter() - t)
        rows.append((best, check.rule.code, check.column, flagged))
    print(f"{'seconds':>8}  {'rule':28} {'column':18} flagged")
    for best, code, column, flagged in sorted(rows, reverse=True):
        print(f"{best:8.3f}  {code:28} {column:18} {flagged}")


if __name__ == "__main__":
    main()
