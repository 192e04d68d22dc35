"""Benchmark: the catalogue import run as a background job (what the Catalogue page does) vs a direct call.

Usage: ``python bench/bench_import_job.py [--rows 200000] [--repeat 3]``

Uses the CSV of ``bench/bench_import.py`` (generated under ``bench/out/`` if missing). In ONE process,
on one database file, modules loaded and the database open before the clock starts, alternating
(direct then job, job then direct, …):

- ``direct``: ``import_file(cursor, csv)`` in the calling thread — the same-run baseline (what the page
  did before, inside its script run);
- ``job``: ``import_job.start`` + ``jobs.wait`` — the import in a server thread with its own cursor,
  plus the job rows; ``start_ms`` is how long the page is held before it can draw again;
- ``reads``: while one more job runs, the page's own query (``catalogue_status``, the Catalogue page's
  counts) on another cursor, back to back: its median and worst latency vs the same query idle —
  whether the pages stay usable during an import.

Prints wall seconds and process CPU seconds (all threads) as medians, and the ratios job / direct.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from bench_import import generate        # the import bench's catalogue (same data)
    csv = generate(args.rows)["csv"]
    db = OUT / f"bench_import_job_{os.getpid()}.duckdb"
    os.environ["EXPORT_AMAZON_DB"] = str(db)
    os.environ["EXPORT_AMAZON_RUNTIME"] = str(OUT / "runtime_import_job")

    from core import db as core_db, jobs
    from core.catalog import import_job
    from core.catalog.importer import import_file
    from core.catalog.store import catalogue_status

    con = core_db.connect(db)
    try:
        def direct(path=csv):
            cur = con.cursor()
            try:
                return import_file(cur, path, file_name=path.name).rows
            finally:
                cur.close()

        def job():
            t0 = time.perf_counter()
            job_id = import_job.start(con, csv, csv.name)
            held = time.perf_counter() - t0
            assert jobs.wait(job_id, 600)
            out = import_job.outcome(con, job_id)
            assert out.result is not None, out
            return out.result.rows, held

        def measure(fn):
            w0, c0 = time.perf_counter(), time.process_time()
            value = fn()
            return time.perf_counter() - w0, time.process_time() - c0, value

        # Warm-up off the clock (modules, SQL functions, first-import schema work) on the file's first lines.
        warm = OUT / "bench_import_job_warm.csv"
        with open(csv, "rb") as src, open(warm, "wb") as dst:
            dst.writelines(line for _, line in zip(range(2001), src))
        direct(warm)
        warm.unlink()
        runs = {"direct": [], "job": []}
        held = []
        for i in range(args.repeat):
            # Alternate which goes first (direct, job, job, direct, …): no order bias in the medians.
            for name in (("direct", "job") if i % 2 == 0 else ("job", "direct")):
                wall, cpu, value = measure(direct if name == "direct" else job)
                runs[name].append((wall, cpu))
                if name == "job":
                    value, start_s = value
                    held.append(start_s)
                assert value == args.rows, value

        # Page reads during an import vs idle.
        cur = con.cursor()

        def read_latencies(until):
            seen = []
            while until():
                t0 = time.perf_counter()
                catalogue_status(cur)
                seen.append(time.perf_counter() - t0)
            return seen

        idle_deadline = time.perf_counter() + 1.0
        idle = read_latencies(lambda: time.perf_counter() < idle_deadline)
        job_id = import_job.start(con, csv, csv.name)
        busy = read_latencies(lambda: import_job.running(cur) is not None)
        jobs.wait(job_id, 600)
        cur.close()
    finally:
        con.close()
        for path in (db, Path(str(db) + ".wal")):
            path.unlink(missing_ok=True)

    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    report = {
        "rows": args.rows, "repeat": args.repeat,
        "direct_s": round(med["direct"][0], 3), "direct_cpu_s": round(med["direct"][1], 3),
        "job_s": round(med["job"][0], 3), "job_cpu_s": round(med["job"][1], 3),
        "job_over_direct_wall": round(med["job"][0] / med["direct"][0], 3),
        "job_over_direct_cpu": round(med["job"][1] / med["direct"][1], 3),
        "start_ms": round(statistics.median(held) * 1000, 1),
        "read_idle_ms": round(statistics.median(idle) * 1000, 2),
        "read_during_import_ms": round(statistics.median(busy) * 1000, 2) if busy else None,
        "read_during_import_max_ms": round(max(busy) * 1000, 1) if busy else None,
        "reads_during_import": len(busy),
        "runs_wall_cpu": {k: [(round(w, 2), round(c, 2)) for w, c in v] for k, v in runs.items()},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
