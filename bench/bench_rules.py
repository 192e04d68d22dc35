"""Benchmark of the Amazon rules engine (issue 3) on generated catalogues of 100k and 1M products.

For each size: build the catalogue (bench/rules_data.py, deterministic) into a DuckDB file, then, each
in a fresh process so that peak memory is its own:

* ``rules``  — core.rules.engine.validate over all products: time (cold first run, then the median of
  the warm ones), products/s, peak RSS, and the time of each step (detect, describe, …); the content
  checks read the bits the import stored in ``products._rule_flags`` (core/rules/features.py);
* ``pandas`` — the same rules written with pandas (bench/rules_pandas.py, Arrow dtypes), after
  loading the needed columns: the baseline; its violation counts per rule are cross-checked;
* ``text``   — the import's text stage, done once per import (core.catalog.derived.select_sql): the
  HTML → text conversion stored in ``description_text``, and the rules' content checks stored as bits,
  each timed against a plain copy of the same columns in the same process (wall and CPU); the content
  checks alone both ways (behind core.rules.prefilters as the import runs them, and as bare predicates),
  their bits compared product by product.

Prints a table, the ratio pandas / DuckDB measured in this same run, and "from scratch" (content checks
+ validation) against pandas.

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
    peak = _peak_mb()   # validation's own peak (the A/B below re-runs the old detection path)
    detect = _detect_both_ways(con)
    return {"cold": times[0], "warm": statistics.median(warm), "products": run.products, "counts": counts,
            "detect_ab": detect, "peak_validate_mb": peak,
            "steps": {k: round(statistics.median(s[k] for s in steps[1:] or steps), 3) for k in steps[0]},
            "violations": sum(counts.values()), "peak_mb": _peak_mb()}


def _detect_both_ways(con) -> dict:
    """The detection pass alone, in this process: every predicate evaluated by the scan (as before the
    content checks were stored) vs the stored bits; wall and CPU seconds, and whether both give the
    same hits table (row ids, masks, carried columns)."""
    from core.rules import engine as e
    present = e._product_columns(con)
    checks = e._checks(e.plan(con)[0])
    columns = tuple(sorted(set(e._columns_read(checks, present)) | ({"category", "supplier"} & present)))
    out = {}
    for flags in (False, True):
        t, c = time.perf_counter(), time.process_time()
        con.execute(f"CREATE OR REPLACE TEMP TABLE _hits_{int(flags)} AS {e.detect_sql(checks, columns, flags)}")
        out["stored" if flags else "scan"] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    out["same"] = con.execute("SELECT count(*) FROM ((SELECT * FROM _hits_0 EXCEPT ALL SELECT * FROM _hits_1) "
                              "UNION ALL (SELECT * FROM _hits_1 EXCEPT ALL SELECT * FROM _hits_0))").fetchone()[0] == 0
    return out


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


def _derived_layers_sql(base_sql: str, entries) -> str:
    """``base_sql`` with ``entries`` (core.catalog.derived.DerivedColumn) added layer by layer, as
    derived.select_sql nests them (scratch ones dropped at the end)."""
    from core.db import quote_ident
    sql = base_sql
    for layer in sorted({c.layer for c in entries}):
        cols = ", ".join(f"{c.sql()} AS {quote_ident(c.name)}" for c in entries if c.layer == layer)
        sql = f"SELECT p.*, {cols} FROM ({sql}) AS p"
    scratch = [quote_ident(c.name) for c in entries if not c.stored]
    return f"SELECT * EXCLUDE ({', '.join(scratch)}) FROM ({sql})" if scratch else sql


def _checks_sql(base_sql: str, prefiltered: bool) -> str:
    """``base_sql`` (with ``description_text``) plus the rules' content checks as the import computes
    them (``prefiltered``: core.rules.prefilters first) or as bare predicates on every product (the
    reference), scratch expressions dropped."""
    from core.db import quote_ident
    from core.rules import features
    scratch = features.scratch(prefiltered)
    sql = base_sql
    if scratch:
        sql = f"SELECT p.*, {', '.join(f'{v} AS {quote_ident(k)}' for k, v in scratch.items())} FROM ({sql}) AS p"
    sql = f"SELECT p.*, {features.flags_sql(prefiltered)} AS {features.FLAGS_COLUMN} FROM ({sql}) AS p"
    return f"SELECT * EXCLUDE ({', '.join(quote_ident(k) for k in scratch)}) FROM ({sql})" if scratch else sql


def worker_text(path: str, repeat: int) -> dict:
    """The import's "text stage": what derived.select_sql adds to the statement writing ``products``
    (HTML -> text, then the rules' content checks), each timed against a plain copy of the same columns
    in this same process (wall and CPU seconds; the difference is the stage's cost). The content checks
    alone are timed over the stored ``description_text`` both ways: as the import computes them
    (prefilters first) and as bare predicates (every product), with equal bits required."""
    import rules_data
    from core.catalog import derived, importer
    from core.rules import features
    con = _connect(path)
    derived.prepare(con)
    base = rules_data.typed_sql("products_staged")
    html = [c for c in derived.DERIVED_COLUMNS if c.name == "description_text"]
    stored = f"SELECT * EXCLUDE ({features.FLAGS_COLUMN}, {derived.VERSION_COLUMN}) FROM products"
    variants = {
        "copy": base,                                           # the typed columns alone
        "html": _derived_layers_sql(base, html),                # + description_text
        "all": derived.select_sql(base),                        # + the content checks: what the import runs
        "copy_text": stored,                                    # the typed columns and description_text
        "features": _checks_sql(stored, True),                  # + the content checks, prefiltered
        "features_bare": _checks_sql(stored, False),            # + the content checks, bare predicates
    }
    # kept from each run for the checks below: (row, text hash, bits) of the import's output, (row, bits) of the
    # two ways of computing the content checks; each variant's table is dropped at once (memory)
    kept = {"all": "_row, hash(description_text) AS text_hash, _rule_flags", "features": "_row, _rule_flags",
            "features_bare": "_row, _rule_flags"}
    out = {}
    for name, sql in variants.items():
        runs = []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            con.execute("DROP TABLE IF EXISTS _bench_text")
            importer._write_staging(con, "_bench_text", sql)   # as the import writes products
            runs.append((time.perf_counter() - t, time.process_time() - c))
        out[name] = {"wall": statistics.median(r[0] for r in runs), "cpu": statistics.median(r[1] for r in runs)}
        if name in kept:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _kept_{name} AS SELECT {kept[name]} FROM _bench_text")
        con.execute("DROP TABLE _bench_text")
    # the stage's output is the products table the bench validates (same bits, same text), and the
    # prefiltered checks set the same bits as the bare predicates, product by product
    diff = ("SELECT count(*) FROM ((SELECT {c} FROM {a} EXCEPT ALL SELECT {c} FROM {b}) "
            "UNION ALL (SELECT {c} FROM {b} EXCEPT ALL SELECT {c} FROM {a}))")
    same = con.execute(diff.format(c="_row, text_hash, _rule_flags", a="_kept_all",
                                   b=f"(SELECT {kept['all']} FROM products)")).fetchone()[0] == 0
    bits_differ = con.execute(diff.format(c=kept["features"], a="_kept_features", b="_kept_features_bare")).fetchone()[0]
    flagged = con.execute(f"SELECT sum(bit_count({features.FLAGS_COLUMN})) FROM _kept_features").fetchone()[0]
    mb = con.execute("SELECT sum(strlen(description)) / 1e6 FROM products").fetchone()[0]
    cost = {k: {m: out[k][m] - out[ref][m] for m in ("wall", "cpu")}
            for k, ref in (("html", "copy"), ("all", "copy"), ("features", "copy_text"), ("features_bare", "copy_text"))}
    return {"runs": out, "cost": cost, "html_mb": mb, "same": same, "bits_differ": bits_differ,
            "bits_set": flagged, "peak_mb": _peak_mb()}


WORKERS = {"rules": worker_rules, "pandas": worker_pandas, "text": worker_text}


def _spawn(kind: str, path: Path, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, "--db", str(path), "--repeat", str(repeat)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _has_table(path: Path, name: str) -> bool:
    from core.db import table_exists
    con = _connect(str(path))
    try:
        return table_exists(con, name)
    finally:
        con.close()


def build(n: int, fresh: bool) -> Path:
    import rules_data
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"rules_{n}.duckdb"
    if fresh or not path.exists():
        path.unlink(missing_ok=True)
        con = _connect(str(path))
        t = time.perf_counter()
        rules_data.build(con, n)
        con.execute("CHECKPOINT")
        con.close()
        print(f"  generated {n:,} products in {time.perf_counter() - t:.1f} s -> {path.name}", flush=True)
    else:
        if not _has_table(path, "products_staged"):   # cached by an older bench: the text stage reads it
            con = _connect(str(path))
            con.execute(f"CREATE TABLE products_staged AS {rules_data.staged_sql(n)}")
            con.close()
        # A catalogue cached by an older version of the derived definitions is brought up to date here,
        # not inside the first (cold) validation.
        from core.catalog import derived
        con = _connect(str(path))
        t = time.perf_counter()
        if derived.ensure(con):
            con.execute("CHECKPOINT")
            print(f"  derived columns recomputed in {time.perf_counter() - t:.1f} s", flush=True)
        con.close()
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
        text = _spawn("text", path, max(1, args.repeat - 2))   # five statements of an import's size each
        mismatched = {c: (rules["counts"].get(c, 0), pandas["counts"].get(c, 0))
                      for c in set(rules["counts"]) | set(pandas["counts"])
                      if rules["counts"].get(c, 0) != pandas["counts"].get(c, 0)}
        rows.append((n, rules, pandas, text, mismatched))
        text["from_scratch"] = text["cost"]["features"]["wall"] + rules["warm"]
        print(f"  rules (DuckDB): cold {rules['cold']:.2f} s, warm {rules['warm']:.2f} s "
              f"({n / rules['warm']:,.0f} products/s), {rules['violations']:,} violations, "
              f"peak {rules['peak_mb']:,.0f} MB; steps {rules['steps']}", flush=True)
        ab = rules["detect_ab"]
        print(f"  detection pass alone, same process (wall / CPU s): predicates in the scan {ab['scan']['wall']:.2f} / "
              f"{ab['scan']['cpu']:.2f}, stored content bits {ab['stored']['wall']:.2f} / {ab['stored']['cpu']:.2f}; "
              f"same hits: {'yes' if ab['same'] else 'NO'}; peak of the validations alone "
              f"{rules['peak_validate_mb']:,.0f} MB", flush=True)
        print(f"  pandas baseline: {pandas['warm']:.2f} s (+ {pandas['load']:.2f} s to load), "
              f"peak {pandas['peak_mb']:,.0f} MB -> DuckDB is {pandas['warm'] / rules['warm']:.1f}x faster", flush=True)
        c = text["cost"]
        print(f"  import text stage (cost over a plain copy, wall / CPU s): HTML -> text {c['html']['wall']:.2f} / "
              f"{c['html']['cpu']:.2f} for {text['html_mb']:,.0f} MB of HTML; both (what the import runs) "
              f"{c['all']['wall']:.2f} / {c['all']['cpu']:.2f}; output = bench products: "
              f"{'yes' if text['same'] else 'NO'}; peak {text['peak_mb']:,.0f} MB", flush=True)
        scratch = c["features"]["wall"] + rules["warm"]
        print(f"  content checks alone (over the stored text, wall / CPU s): prefiltered (the import's) "
              f"{c['features']['wall']:.2f} / {c['features']['cpu']:.2f}, bare predicates (reference) "
              f"{c['features_bare']['wall']:.2f} / {c['features_bare']['cpu']:.2f} "
              f"({c['features_bare']['cpu'] / max(c['features']['cpu'], 1e-9):.1f}x the CPU); same bits: "
              f"{'yes' if text['bits_differ'] == 0 else 'NO (' + str(text['bits_differ']) + ' rows)'} "
              f"({text['bits_set']:,} set)", flush=True)
        print(f"  from scratch (content checks + validation): {c['features']['wall']:.2f} + {rules['warm']:.2f} = "
              f"{scratch:.2f} s -> pandas ({pandas['warm']:.2f} s) / from scratch = {pandas['warm'] / scratch:.1f}x",
              flush=True)
        print(f"  counts per rule identical in both: {'yes' if not mismatched else 'NO ' + str(mismatched)}", flush=True)
    print("\n| products | rules (DuckDB) warm / cold | detect step | peak RSS | pandas (same rules) | ratio | "
          "HTML→text | content checks wall / CPU (bare predicates) | from scratch, ratio | counts, bits equal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, r, p, h, mism in rows:
        f, b = h["cost"]["features"], h["cost"]["features_bare"]
        print(f"| {n:,} | {r['warm']:.2f} s / {r['cold']:.2f} s | {r['steps'].get('detect', 0):.2f} s | "
              f"{r['peak_mb']:,.0f} MB | {p['warm']:.2f} s (peak {p['peak_mb']:,.0f} MB) | {p['warm'] / r['warm']:.1f}× | "
              f"{h['cost']['html']['wall']:.2f} s | {f['wall']:.2f} / {f['cpu']:.2f} s ({b['wall']:.2f} / {b['cpu']:.2f} s) | "
              f"{h['from_scratch']:.2f} s, {p['warm'] / h['from_scratch']:.1f}× | "
              f"{'yes' if not mism else 'no'}, {'yes' if h['bits_differ'] == 0 else 'no'} |")
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"\nload average at the end: {' '.join(load)} (other processes share the 2 cores)")


if __name__ == "__main__":
    main()
