"""Benchmark of the write and read sides of the rules' results (issue 3: "describe + commit").

On a copy of the bench_rules catalogue (bench/out/rules_<n>.duckdb, built by bench/bench_rules.py),
in ONE process so that both sides are measured under the same load:

* ``write``    — the part of core.rules.engine.validate after detection: counts from the masks, hit
  products persisted (``rule_hits``), views re-created, commit (steps counts + describe + commit);
* ``baseline`` — what the previous version wrote per run, measured in this same run: every rule row
  rendered (value, message, hint: the same SQL) and INSERTed into a ``violations`` table after a
  DELETE of the previous rows, ``violation_products`` rebuilt, severity and blocked counts read back;
* ``reads``    — the Qualité page's queries (filter options, three charts, row count, first page,
  SKU list) on the view, and the same queries the previous version ran on its tables;
* ``page``     — optional (``--apptest``): the Qualité page under AppTest after validation, rerun time.

Output equality is checked in the same run: the rows of the view (rendered on read) EXCEPT ALL the rows
written by the baseline, both ways, must be empty; the run's counts must equal the written rows' counts.

    .venv/bin/python bench/bench_violations.py --size 100000 [--threads 1] [--apptest]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402
from timing import median_time  # noqa: E402
from core.rules import queries  # noqa: E402
from core.rules.engine import validate  # noqa: E402

_BASE_FROM = "_base_v AS v LEFT JOIN _base_vp AS p ON p.sku = v.sku"
_BASE_READS = {   # the previous version's Qualité queries, on its tables (core/rules/queries.py before)
    "filter_options": [f"SELECT DISTINCT {c} FROM {_BASE_FROM} WHERE {c} IS NOT NULL ORDER BY 1"
                       for c in ("v.code", "v.severity", "v.field", "p.category", "p.supplier")],
    "counts_by x3": [f"WITH c AS (SELECT coalesce({c}, '') AS label, v.severity, count(*) AS n FROM {_BASE_FROM} "
                     f"GROUP BY ALL), t AS (SELECT label FROM c GROUP BY label ORDER BY sum(n) DESC, label LIMIT 25) "
                     f"SELECT c.* FROM c JOIN t USING (label) ORDER BY label, severity"
                     for c in ("v.code", "p.category", "p.supplier")],
    "count_rows": [f"SELECT count(*) FROM {_BASE_FROM}"],
    "page_rows": [f"SELECT v.sku, v.severity, v.code, v.field, v.value, v.message, v.hint, p.category, p.supplier "
                  f"FROM {_BASE_FROM} ORDER BY CASE v.severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END, "
                  f"v.code, v.sku, v.field LIMIT 50"],
    "violating_skus": [f"SELECT v.sku FROM {_BASE_FROM} WHERE v.sku IS NOT NULL GROUP BY v.sku ORDER BY "
                       f"min(CASE v.severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END), v.sku LIMIT 200"],
}
_NEW_READS = {
    "filter_options": lambda con: queries.filter_options(con),
    "counts_by x3": lambda con: [queries.counts_by(con, d, {}) for d in ("code", "category", "supplier")],
    "count_rows": lambda con: queries.count_rows(con, {}),
    "page_rows": lambda con: queries.page_rows(con, {}, 1, 50),
    "violating_skus": lambda con: queries.violating_skus(con, {}),
}


def _baseline_write(con) -> float:
    """The previous version's write: render every rule row into a table (DELETE + INSERT), rebuild
    violation_products, read the counts back, commit."""
    t0 = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM _base_v WHERE source = 'rule'")
    con.execute("INSERT INTO _base_v SELECT * FROM violations WHERE source = 'rule'")
    con.execute("DELETE FROM _base_vp")
    con.execute("INSERT INTO _base_vp SELECT sku, any_value(category), any_value(supplier) FROM rule_hits GROUP BY sku")
    con.execute("SELECT severity, count(*) FROM _base_v WHERE source = 'rule' GROUP BY severity").fetchall()
    con.execute("SELECT count(DISTINCT coalesce(sku, '')) FROM _base_v WHERE source = 'rule' AND severity = 'ERROR'"
                ).fetchone()
    con.execute("COMMIT")
    return time.perf_counter() - t0


def _timed(fn, repeat: int) -> float:
    return median_time(fn, repeat)[0]


def _apptest(path: Path) -> tuple[float, float]:
    """First render of the Qualité page (current run: no validation) and a rerun, under AppTest."""
    os.environ["EXPORT_AMAZON_DB"] = str(path)
    os.environ.setdefault("EXPORT_AMAZON_RUNTIME", str(path.parent / "runtime"))
    from tests.apptest import run_screen
    t0 = time.perf_counter()
    at = run_screen("quality", "fr", timeout=120)
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    t0 = time.perf_counter()
    at.run(timeout=120)
    return first, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: DuckDB's default)")
    parser.add_argument("--apptest", action="store_true", help="also time the Qualité page under AppTest")
    args = parser.parse_args()
    source = ROOT / "bench" / "out" / f"rules_{args.size}.duckdb"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run bench/bench_rules.py --sizes {args.size} first")
    work = Path(tempfile.mkdtemp(prefix="bench_violations_"))
    path = work / "rules.duckdb"
    shutil.copy(source, path)
    con = db.connect(path)
    con.execute("SET enable_progress_bar = false")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    validate(con)   # first run: upgrades a former violations table, computes what the import would have
    steps = []
    for _ in range(args.repeat):
        steps.append(validate(con).steps)
    write = statistics.median(s["counts"] + s["describe"] + s["commit"] for s in steps)
    detect = statistics.median(s["detect"] for s in steps)
    con.execute("CREATE OR REPLACE TABLE _base_v AS SELECT * FROM violations WHERE false")
    con.execute("CREATE OR REPLACE TABLE _base_vp (sku VARCHAR, category VARCHAR, supplier VARCHAR)")
    _baseline_write(con)   # first one has nothing to delete
    base = statistics.median(_baseline_write(con) for _ in range(args.repeat))
    rows = con.execute("SELECT count(*) FROM violations WHERE source = 'rule'").fetchone()[0]
    diff = [con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0] for a, b in (
        ("SELECT * FROM violations", "SELECT * FROM _base_v"), ("SELECT * FROM _base_v", "SELECT * FROM violations"))]
    run = validate(con)
    written = dict(con.execute("SELECT severity, count(*) FROM _base_v GROUP BY 1").fetchall())
    same_counts = {s: n for s, n in run.counts.items() if n} == written
    print(f"{args.size:,} products, {rows:,} rule violations, threads {args.threads or 'default'}, "
          f"median of {args.repeat}")
    print(f"  detect {detect:.3f} s (not this bench's part)")
    print(f"  write (counts + persist hits + views + commit): {write:.3f} s  steps {steps[-1]}")
    print(f"  baseline write (render + INSERT every row, same run): {base:.3f} s  -> {base / write:.1f}x less")
    print(f"  rows rendered on read == rows written by the baseline: "
          f"{'yes' if diff == [0, 0] else f'NO {diff}'}; run counts == written counts: {'yes' if same_counts else 'NO'}")
    total_new = total_old = 0.0
    for name, fn in _NEW_READS.items():
        new = _timed(lambda: fn(con), args.repeat)
        old = _timed(lambda: [con.execute(sql).fetchall() for sql in _BASE_READS[name]], args.repeat)
        total_new, total_old = total_new + new, total_old + old
        print(f"  read {name:16s} view {new:.3f} s   previous tables {old:.3f} s")
    print(f"  reads of one Qualité render: {total_new:.3f} s (previous {total_old:.3f} s)")
    con.close()
    if args.apptest:
        first, rerun = _apptest(path)
        print(f"  Qualité page under AppTest (run current): first render {first:.2f} s, rerun {rerun:.2f} s")
    shutil.rmtree(work, ignore_errors=True)
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"load average at the end: {' '.join(load)} (other processes share the cores)")


if __name__ == "__main__":
    main()
