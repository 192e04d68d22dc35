"""A/B of the rules validation (issue 3): this tree's engine against a baseline engine, on the same
catalogue, in the same run, with an output-equality check.

The baseline is this tree with only the engine files (:data:`ENGINE_FILES`) taken from
``--baseline-ref`` (default: the last commit before the hits kept only row ids, keys and masks): the
rules, the derived columns and the data are the same, only the engine differs. Each engine runs in
fresh processes, alternately (``--rounds``), on the bench_rules catalogue (bench/out/rules_<n>.duckdb,
built if missing): the first validation after opening the database (cold: nothing in DuckDB's buffers
yet), then the median of ``--repeat`` warm ones, in wall and CPU seconds, with the engine's steps and
the peak RSS of the process. Equality: after each engine's last run, its rule rows of
``violation_rows`` (source, sku, field, attribute, code, severity, category, value, message, hint,
product category and supplier, row keys) and its hit masks are dumped to Parquet and compared with
EXCEPT ALL both ways; the run's counts, blocked products and score too.

    .venv/bin/python bench/bench_validation.py --sizes 200000 --threads 1   # while developing
    .venv/bin/python bench/bench_validation.py --sizes 1000000              # the issue's figure
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ENGINE_FILES = ("core/rules/engine.py", "core/rules/queries.py", "core/rules/store.py", "core/rules/model.py")
BASELINE_REF = "c2acc0e"   # main before this session's validation work (hits copied the quoted columns)
ROW_COLUMNS = ("source, sku, field, amazon_attribute, code, severity, category, value, message, hint, "
               "product_category, product_supplier, _hit, _k")


def _peak_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker(db_path: str, repeat: int, threads: int, dump: str) -> dict:
    """Runs in a fresh process whose sys.path starts with the tree to measure."""
    from core import db
    from core.rules.engine import validate
    con = db.connect(db_path)
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {threads}")
    runs = []
    for _ in range(repeat + 1):
        t, c = time.perf_counter(), time.process_time()
        run = validate(con)
        runs.append({"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "steps": run.steps})
    peak = _peak_mb()
    con.execute(f"COPY (SELECT {ROW_COLUMNS} FROM violation_rows WHERE source = 'rule') TO '{dump}_rows.parquet'")
    masks = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                       "'rule_hits' AND column_name LIKE '\\_m%' ESCAPE '\\' ORDER BY 1").fetchall()]
    con.execute(f"COPY (SELECT _rid, sku, category, supplier, {', '.join(masks)} FROM rule_hits) TO '{dump}_hits.parquet'")
    warm = runs[1:]
    return {"cold": runs[0], "warm_wall": statistics.median(r["wall"] for r in warm),
            "warm_cpu": statistics.median(r["cpu"] for r in warm),
            "steps": {k: statistics.median(r["steps"][k] for r in warm) for k in warm[0]["steps"]},
            "products": run.products, "counts": run.counts, "blocked": run.blocked_products, "score": run.score,
            "peak_mb": peak, "module": sys.modules["core.rules.engine"].__file__}


def _baseline_tree(ref: str) -> Path:
    """This tree's core/ with the engine files of ``ref``, in a temporary folder."""
    tree = Path(tempfile.mkdtemp(prefix="bench_validation_base_"))
    shutil.copytree(ROOT / "core", tree / "core", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ENGINE_FILES:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{name}"], capture_output=True, text=True,
                              check=True).stdout
        (tree / name).write_text(text)
    return tree


def _spawn(tree: Path, db_path: Path, repeat: int, threads: int, dump: Path) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'bench')!r}); "
            f"import bench_validation as b; "
            f"print(json.dumps(b.worker({str(db_path)!r}, {repeat}, {threads}, {str(dump)!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tree)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({tree}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _compare(base: Path, new: Path) -> dict:
    import duckdb
    con = duckdb.connect()
    out = {}
    for part in ("rows", "hits"):
        a, b = f"'{base}_{part}.parquet'", f"'{new}_{part}.parquet'"
        out[part] = {
            "n": con.execute(f"SELECT count(*) FROM {b}").fetchone()[0],
            "base_not_new": con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0],
            "new_not_base": con.execute(f"SELECT count(*) FROM (FROM {b} EXCEPT ALL FROM {a})").fetchone()[0]}
    return out


def _build(n: int) -> Path:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import bench_rules
    return bench_rules.build(n, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    parser.add_argument("--repeat", type=int, default=3, help="warm validations per process")
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per engine (alternated)")
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: DuckDB's default)")
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args()
    base_tree = _baseline_tree(args.baseline_ref)
    try:
        for n in args.sizes:
            path = _build(n)
            print(f"catalogue of {n:,} products ({path.name}), threads {args.threads or 'default'}, "
                  f"baseline engine from {args.baseline_ref}", flush=True)
            results: dict[str, list[dict]] = {"baseline": [], "new": []}
            for _ in range(args.rounds):
                for name, tree in (("baseline", base_tree), ("new", ROOT)):
                    results[name].append(_spawn(tree, path, args.repeat, args.threads, OUT / f"ab_{name}_{n}"))
            summary = {}
            for name, rs in results.items():
                med = lambda f: statistics.median(f(r) for r in rs)   # noqa: E731 - median over the rounds
                summary[name] = {"cold_wall": med(lambda r: r["cold"]["wall"]), "cold_cpu": med(lambda r: r["cold"]["cpu"]),
                                 "warm_wall": med(lambda r: r["warm_wall"]), "warm_cpu": med(lambda r: r["warm_cpu"]),
                                 "peak_mb": max(r["peak_mb"] for r in rs),
                                 "steps": {k: round(med(lambda r: r["steps"][k]), 3) for k in rs[0]["steps"]}}
                s = summary[name]
                print(f"  {name:8s} cold {s['cold_wall']:.2f} s wall / {s['cold_cpu']:.2f} s CPU, warm "
                      f"{s['warm_wall']:.2f} s wall / {s['warm_cpu']:.2f} s CPU ({n / s['warm_wall']:,.0f} products/s), "
                      f"peak {s['peak_mb']:,.0f} MB; warm steps {s['steps']}  [{rs[0]['module']}]", flush=True)
            b, w = summary["baseline"], summary["new"]
            print(f"  new / baseline: cold {w['cold_wall'] / b['cold_wall']:.2f} (CPU {w['cold_cpu'] / b['cold_cpu']:.2f}), "
                  f"warm {w['warm_wall'] / b['warm_wall']:.2f} (CPU {w['warm_cpu'] / b['warm_cpu']:.2f})")
            diff = _compare(OUT / f"ab_baseline_{n}", OUT / f"ab_new_{n}")
            last_b, last_w = results["baseline"][-1], results["new"][-1]
            same_run = all(last_b[k] == last_w[k] for k in ("products", "counts", "blocked", "score"))
            print(f"  equality: {diff['rows']['n']:,} rule rows, EXCEPT ALL baseline-new {diff['rows']['base_not_new']} / "
                  f"new-baseline {diff['rows']['new_not_base']}; {diff['hits']['n']:,} hit products, masks EXCEPT ALL "
                  f"{diff['hits']['base_not_new']} / {diff['hits']['new_not_base']}; counts, blocked, score equal: "
                  f"{'yes' if same_run else 'NO'} ({last_w['counts']}, blocked {last_w['blocked']:,})", flush=True)
    finally:
        shutil.rmtree(base_tree, ignore_errors=True)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load average at the end: {' '.join(load)} (other processes share the 2 cores)")


if __name__ == "__main__":
    main()
