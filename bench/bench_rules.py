"""Benchmark of the Amazon rules engine (issue 3) on generated catalogues of 100k and 1M products.

For each size: build the catalogue (bench/rules_data.py, deterministic) into a DuckDB file, then, each
in a fresh process so that peak memory is its own:

* ``rules``  — core.rules.engine.validate over all products: time (cold first run, then the median of
  the warm ones), products/s, peak RSS, and the time of each step (detect, describe, …);
* ``pandas`` — the same rules written with pandas (bench/rules_pandas.py, Arrow dtypes), after
  loading the needed columns: the baseline; its violation counts per rule are cross-checked;
* ``html``   — the HTML → text conversion of every description (core.text.html_to_text_sql), which the
  import does once and stores in ``description_text``.

Prints a table and the ratio pandas / DuckDB measured in this same run.

    .venv/bin/python bench/bench_rules.py                 # 100k and 1M
    .venv/bin/python bench/bench_rules.py --sizes 100000  # quicker
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
OUT = ROOT / "bench" / "out"


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited across fork+exec)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _connect(path: str):
    from core import db
    con = db.connect(path)
    con.execute("SET enable_progress_bar = false")
    return con


def worker_rules(path: str, repeat: int) -> dict:
    from core.rules.engine import validate
    con = _connect(path)
    times, steps = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        run = validate(con)
        times.append(time.perf_counter() - t)
        steps.append(run.steps)
    counts = dict(con.execute("SELECT code, count(*) FROM violations WHERE source = 'rule' GROUP BY code").fetchall())
    warm = times[1:] or times
    return {"cold": times[0], "warm": statistics.median(warm), "products": run.products, "counts": counts,
            "steps": {k: round(statistics.median(s[k] for s in steps[1:] or steps), 3) for k in steps[0]},
            "violations": sum(counts.values()), "peak_mb": _peak_mb()}


def worker_pandas(path: str, repeat: int) -> dict:
    import pandas as pd
    import rules_pandas
    con = _connect(path)
    t = time.perf_counter()
    cols = ("sku, title, description_text, brand, manufacturer, price, price_raw, stock_quantity_raw, weight, "
            "weight_raw, images, bullet_points, category, ean, gtin_exempt")
    df = con.sql(f"SELECT {cols} FROM products").to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)
    load = time.perf_counter() - t
    saved = dict(con.execute("SELECT category, max(nullif(trim(product_type), '')) FROM category_product_types "
                             "GROUP BY category").fetchall())
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = rules_pandas.check(df, saved)
        times.append(time.perf_counter() - t)
    return {"load": load, "warm": statistics.median(times), "counts": result["code"].value_counts().to_dict(),
            "peak_mb": _peak_mb()}


def worker_html(path: str, repeat: int) -> dict:
    from core.text import html_to_text_sql
    con = _connect(path)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE _text AS SELECT {html_to_text_sql('description')} AS t "
                    "FROM products")
        times.append(time.perf_counter() - t)
    same = con.execute("SELECT count(*) FROM products p, _text WHERE false").fetchone()[0] == 0
    mb = con.execute("SELECT sum(strlen(description)) / 1e6 FROM products").fetchone()[0]
    return {"warm": statistics.median(times), "html_mb": mb, "ok": same, "peak_mb": _peak_mb()}


WORKERS = {"rules": worker_rules, "pandas": worker_pandas, "html": worker_html}


def _spawn(kind: str, path: Path, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, "--db", str(path), "--repeat", str(repeat)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build(n: int, fresh: bool) -> Path:
    import rules_data
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"rules_{n}.duckdb"
    if fresh or not path.exists():
        path.unlink(missing_ok=True)
        con = _connect(str(path))
        t = time.perf_counter()
        rules_data.build(con, n)
        con.execute("DROP TABLE products_staged")
        con.execute("CHECKPOINT")
        con.close()
        print(f"  generated {n:,} products in {time.perf_counter() - t:.1f} s -> {path.name}", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="regenerate the catalogues even if cached")
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.db, args.repeat)))
        return
    rows = []
    for n in args.sizes:
        print(f"catalogue of {n:,} products", flush=True)
        path = build(n, args.fresh)
        rules = _spawn("rules", path, args.repeat)
        pandas = _spawn("pandas", path, max(1, args.repeat - 1))
        html = _spawn("html", path, args.repeat)
        mismatched = {c: (rules["counts"].get(c, 0), pandas["counts"].get(c, 0))
                      for c in set(rules["counts"]) | set(pandas["counts"])
                      if rules["counts"].get(c, 0) != pandas["counts"].get(c, 0)}
        rows.append((n, rules, pandas, html, mismatched))
        print(f"  rules (DuckDB): cold {rules['cold']:.2f} s, warm {rules['warm']:.2f} s "
              f"({n / rules['warm']:,.0f} products/s), {rules['violations']:,} violations, "
              f"peak {rules['peak_mb']:,.0f} MB; steps {rules['steps']}", flush=True)
        print(f"  pandas baseline: {pandas['warm']:.2f} s (+ {pandas['load']:.2f} s to load), "
              f"peak {pandas['peak_mb']:,.0f} MB -> DuckDB is {pandas['warm'] / rules['warm']:.1f}x faster", flush=True)
        print(f"  HTML -> text: {html['warm']:.2f} s for {html['html_mb']:,.0f} MB of HTML, peak {html['peak_mb']:,.0f} MB",
              flush=True)
        print(f"  counts per rule identical in both: {'yes' if not mismatched else 'NO ' + str(mismatched)}", flush=True)
    print("\n| products | rules (DuckDB) warm / cold | products/s | peak RSS | pandas (same rules) | ratio | "
          "HTML→text | counts equal |")
    print("|---|---|---|---|---|---|---|---|")
    for n, r, p, h, mism in rows:
        print(f"| {n:,} | {r['warm']:.2f} s / {r['cold']:.2f} s | {n / r['warm']:,.0f} | {r['peak_mb']:,.0f} MB | "
              f"{p['warm']:.2f} s (peak {p['peak_mb']:,.0f} MB) | {p['warm'] / r['warm']:.1f}× | {h['warm']:.2f} s | "
              f"{'yes' if not mism else 'no'} |")
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"\nload average at the end: {' '.join(load)} (other processes share the 2 cores)")


if __name__ == "__main__":
    main()
