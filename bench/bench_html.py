"""Benchmark: HTML→text, the DuckDB SQL reference versus the polars conversion the import runs.

Usage: ``python bench/bench_html.py [--rows 200000 1000000] [--corpus rules import] [--repeat 3]
[--fragments 100000]``

Issue 3 asks for the HTML→text of 1M descriptions in <= 6 s. ``core.text.html_to_text_sql`` (old: one
DuckDB SQL expression, RE2 regexp_replace chains) stays the reference; the import now computes
``description_text`` with ``core.text.html_to_text_polars`` (new: the same steps in polars, Rust regex
crate), called by DuckDB as an Arrow UDF (``html_to_text(description)``, registered by
``core.catalog.derived.prepare``) inside the statement that writes the table.

Corpora: ``rules`` — the descriptions of bench/bench_rules.py's catalogue (bench/rules_data.py, ~820 B
of HTML each, many entities); ``import`` — bench/bench_import.py's catalogue (~400 chars each).

1. Identity: old and new on every description of the corpus, then on random fragments (tags in any
   case, comments, scripts, styles, named/numeric entities valid and invalid, stray ``<``, tabs, CR,
   NBSP, form feed, emoji, ſ/K case folds, NULL, plain text with line breaks), through the UDF (batches
   of 2048), as one batch, in small batches and value by value (the per-batch shortcuts must never
   change a value): the number of differences must be 0.
2. Speed: the descriptions already in an in-memory table, converted into another table by each version
   (``CREATE TABLE t AS SELECT <conversion> AS description_text FROM d``), each run in a fresh process
   with DuckDB's default threads (one per core); wall and CPU seconds, MB of HTML per second, peak RSS;
   medians of ``--repeat`` interleaved runs and the new/old ratio measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from core.text import html_to_text_polars, html_to_text_sql, register_html_to_text  # noqa: E402

MODES = {"old": "html_to_text_sql (DuckDB SQL)", "new": "html_to_text UDF (polars)"}

_FRAGMENTS = ["<p>", "</p>", "<br>", "<br/>", "<BR />", "<li>", '<LI class="a">', "</li>", "<ul>", "</ul>", "<td>",
              "</td>", "</TH >", "<!-- c -->", "<!--", "-->", "<script>x<y</script>", "<style type=t>a{}</style >",
              "<b>", "</div>", "<", ">", "&", "&amp;", "&amp;lt;", "&lt;", "&gt;", "&nbsp;", "&eacute;", "&euro;",
              "&#233;", "&#xE9;", "&#X1F600;", "&#0;", "&#55296;", "&#1114112;", "&#12345678;", "&#x;", "&amp;#233;",
              "\t", "\r", "\n", "\r\n", "\xa0", "\x0c", "\x0b", " ", "  ", "é", "😀", "👩‍👩‍👧", "texte", "Mot", ";",
              "a<b", '<a href="x">', "</a>", "<h2>", "</h2 >", "<tr>", "</tr>", "<!DOCTYPE html>", "<img src=x/>",
              "\u2028", "&quot;", "&apos;", "&hellip;", "&Eacute;", "&e", "acute;", "< p>", "<3", "</ li>",
              "<scripts>", "<ſcript>x</ſcript>", "</bloc\u212aquote>", "<lié>", "<script\u00e9>a</script>",
              "</p\x0b>", "</p\x0c>", "<br\x0c/>", "&#xFFFE;", "&#x10FFFF;", "&#9;", "&#10;", "&#160;", "&#38;lt;",
              "&#60;p&#62;", "&#0000233;", "&#X41;", "&#", "&#;"]
# Short pieces, so that removing a tag or a comment joins what makes an entity or a tag ("&" "<b>" "#233;").
_ATOMS = ["&", "#", "#233;", "<b>", "<", ">", "<!--x-->", "/td>", "td>", "/", "</td>", "<li>", "<br>", "&#", "233;",
          "lt;", "amp;", "\n", " ", "\t", "\xa0", "x", "é", "<script>", "</script>", "!--", "-->", "<p>", "\r"]


def fragments(n: int, seed: int = 7) -> tuple[list[str | None], list[str]]:
    """``n`` random values of fragments and ``n`` // 4 of short atoms (the latter also checked one by one)."""
    rnd = random.Random(seed)
    values = ["".join(rnd.choice(_FRAGMENTS) for _ in range(rnd.randint(0, 25))) for _ in range(n)]
    values += [None, "", " ", "\n", "plain\ntext  with\r\nbreaks\t", "<p>a</p>\n\n<p>b</p>"]
    atoms = ["".join(rnd.choice(_ATOMS) for _ in range(rnd.randint(0, 14))) for _ in range(n // 4)]
    return values + atoms, atoms


def corpus(name: str, rows: int) -> Path:
    """Parquet file of the corpus' ``rows`` descriptions (written once under bench/out/)."""
    import duckdb
    if name == "import":
        from bench_import import generate
        return generate(rows)["parquet"]
    path = OUT / f"html_rules_{rows}.parquet"
    if not path.exists():
        from rules_data import staged_sql
        OUT.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute(f"COPY (SELECT description FROM ({staged_sql(rows)}) ORDER BY _row) TO '{path}' (FORMAT parquet)")
    return path


def differences(con, table: str) -> tuple[int, int]:
    """(values, values whose new text differs from the old) for ``table``'s ``description``."""
    return con.execute(f"SELECT count(*), count(*) FILTER (WHERE a IS DISTINCT FROM b) FROM (SELECT "
                       f"{html_to_text_sql('description')} AS a, html_to_text(description) AS b FROM {table})"
                       ).fetchall()[0]


def check_fragments(n: int) -> dict[str, tuple[int, int]]:
    """Differences old/new on random fragments, by every way the new version can be batched."""
    import duckdb
    import polars as pl
    values, atoms = fragments(n)
    con = duckdb.connect()
    register_html_to_text(con)
    con.execute("CREATE TABLE f AS SELECT unnest($1::VARCHAR[]) AS description", [values])
    out = {"UDF (batches of 2048)": differences(con, "f")}
    old = [r[0] for r in con.execute(f"SELECT {html_to_text_sql('description')} FROM f").fetchall()]
    whole = html_to_text_polars(pl.Series("d", values, pl.String)).to_list()
    out["one batch"] = (len(values), sum(a != b for a, b in zip(old, whole)))
    rnd, small, i = random.Random(11), [], 0
    while i < len(values):
        k = rnd.randint(1, 40)
        small += html_to_text_polars(pl.Series("d", values[i:i + k], pl.String)).to_list()
        i += k
    out["batches of 1-40"] = (len(values), sum(a != b for a, b in zip(old, small)))
    first = len(values) - len(atoms)
    single = [html_to_text_polars(pl.Series("d", [v], pl.String)).item() for v in atoms]
    out["value by value (atoms)"] = (len(atoms), sum(a != b for a, b in zip(old[first:], single)))
    return out


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import duckdb
from core.catalog import derived
from core.text import html_to_text_sql
mode, path = sys.argv[1], sys.argv[2]
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
derived.prepare(con)
con.execute(f"CREATE TABLE d AS SELECT description FROM read_parquet('{{path}}')")
mb = con.execute("SELECT sum(strlen(description)) / 1e6 FROM d").fetchall()[0][0]
expr = html_to_text_sql("description") if mode == "old" else "html_to_text(description)"
c0, t0 = cpu(), time.perf_counter()
con.execute(f"CREATE TABLE t AS SELECT {{expr}} AS description_text FROM d")
seconds, used = time.perf_counter() - t0, cpu() - c0
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({{"seconds": seconds, "cpu": used, "mb": mb, "rss": rss}}))
"""


def run(mode: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), mode, str(path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--corpus", nargs="+", choices=("rules", "import"), default=["rules", "import"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fragments", type=int, default=100_000)
    args = parser.parse_args()
    if args.fragments:
        for how, (n, diff) in check_fragments(args.fragments).items():
            print(f"random fragments, {how}: {diff} differences of {n:,} values")
    for name in args.corpus:
        for rows in args.rows:
            path = corpus(name, rows)
            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")
            register_html_to_text(con)
            con.execute(f"CREATE TABLE d AS SELECT description FROM read_parquet('{path}')")
            n, diff = differences(con, "d")
            con.close()
            res: dict[str, list[dict]] = {m: [] for m in MODES}
            for _ in range(args.repeat):      # interleaved, so both see the same machine load
                for mode in res:
                    res[mode].append(run(mode, path))
            med = {m: {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "rss")}
                   for m, runs in res.items()}
            mb = res["old"][0]["mb"]
            print(f"{name} corpus, {rows:,} descriptions ({mb:,.0f} MB of HTML): identical "
                  f"{'yes' if diff == 0 else 'NO'} ({diff} differences of {n:,})")
            for mode, r in med.items():
                print(f"  {mode} {MODES[mode]:32s} {r['seconds']:6.2f} s wall  {r['cpu']:6.2f} CPU-s  "
                      f"{mb / r['seconds']:6.0f} MB/s  peak {r['rss']:,.0f} MB  "
                      f"(all wall: {', '.join(format(x['seconds'], '.2f') for x in res[mode])})")
            print(f"  new / old: wall {med['new']['seconds'] / med['old']['seconds']:.2f}, "
                  f"CPU {med['new']['cpu'] / med['old']['cpu']:.2f}")


if __name__ == "__main__":
    main()
