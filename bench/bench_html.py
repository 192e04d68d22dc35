"""Benchmark: HTML→text as DuckDB SQL (core.text) versus a vectorised Arrow UDF (pyarrow.compute).

Usage: ``python bench/bench_html.py [--rows 200000 1000000] [--repeat 3] [--fragments 300000]``

Issue 3 asks for the HTML→text of 1M descriptions in <= 6 s. ``core.text.html_to_text_sql`` is one
SQL expression (regexp_replace chains). This script measures an alternative kept here, not in core/:
the same steps as a DuckDB Arrow UDF (``con.create_function(..., type="arrow")``) whose body calls
pyarrow.compute (RE2 in C++, no per-row Python except for the rare values holding a numeric entity
``&#…;``, decoded with ``re``), each step gated by one regex scan so absent patterns cost a scan only.

1. Identity: both versions on the bench descriptions and on random fragments (tags in any case,
   comments, scripts, styles, entities, numeric entities valid and invalid, stray ``<``, tabs, CR,
   NBSP, form feed, emoji, NULL, plain text with line breaks): the number of differences must be 0.
2. Speed: the descriptions already in an in-memory table (from bench_import's generated Parquet),
   converted into another table by each version, each run in a fresh process; wall and CPU seconds,
   medians of ``--repeat`` runs, UDF/SQL ratio measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from core.text import (_BLOCKS, _COMMON_ENTITIES, _ENTITIES, _NUMERIC_ENTITY,  # noqa: E402
                       _RARE_ENTITIES, html_to_text_sql)

_NUMERIC_RE = __import__("re").compile(_NUMERIC_ENTITY)
_RARE = "&(?:" + "|".join(e[1:-1] for e in _RARE_ENTITIES) + ");"


def _code_point(match) -> str:
    text = match.group(0)
    code = int(text[3:-1], 16) if text[2] in "xX" else int(text[2:-1])
    # As in core.text: 0, surrogates and values above U+10FFFF become U+FFFD.
    return chr(code) if 1 <= code <= 1114111 and not 55296 <= code <= 57343 else "\ufffd"


def _where(x: pa.Array, pattern: str, step) -> pa.Array:
    """``step`` applied only to the values matching ``pattern`` (a regex scan is cheap; a replace is not)."""
    mask = pc.fill_null(pc.match_substring_regex(x, pattern), False)
    hits = pc.sum(mask).as_py() or 0
    if hits == 0:
        return x
    if hits == len(x):
        return step(x)
    return pc.replace_with_mask(x, mask, step(pc.filter(x, mask)))


def _literals(pairs):
    def step(v):
        for old, new in pairs:
            v = pc.replace_substring(v, old, new)
        return v
    return step


def _regex(pattern: str, new: str):
    return lambda v: pc.replace_substring_regex(v, pattern, new)


def _html(h: pa.Array) -> pa.Array:
    h = _where(h, "[\r\n\t]", _literals([("\r", " "), ("\n", " "), ("\t", " ")]))
    h = _where(h, "(?i)<!--|<script|<style",
               _regex(r"(?is)<!--.*?-->|<(script|style)\b.*?</(script|style)\s*>", ""))
    h = pc.replace_substring_regex(h, r"(?i)<li\b[^>]*>", "\n- ")
    h = pc.replace_substring_regex(h, rf"(?i)<br\s*/?>|</({_BLOCKS})\s*>", "\n")
    h = pc.replace_substring_regex(h, r"(?i)</t[dh]\s*>", " ")
    return pc.replace_substring_regex(h, r"<[^>]*>", "")


def html_to_text_arrow(values) -> pa.Array:
    """The Arrow UDF body: the same text as ``core.text.html_to_text_sql``, step by step."""
    x = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    x = _where(x, "<[a-zA-Z/!]", _html)
    x = _where(x, "&#", lambda v: pa.array([_NUMERIC_RE.sub(_code_point, s) for s in v.to_pylist()], pa.string()))
    x = _where(x, _RARE, _literals([(e, _ENTITIES[e]) for e in _RARE_ENTITIES]))
    x = _where(x, "&", _literals([(e, _ENTITIES[e]) for e in _COMMON_ENTITIES] + [("&amp;", "&")]))
    x = _where(x, "[\xa0\t\x0c\r]", _literals([("\xa0", " "), ("\t", " "), ("\x0c", " "), ("\r", " ")]))
    x = _where(x, "  ", _regex("  +", " "))
    x = _where(x, "\n", lambda v: pc.replace_substring(pc.replace_substring_regex(v, r"\n[ \n]+", "\n"), " \n", "\n"))
    x = _where(x, "^[ \n]", _regex(r"^[ \n]+", ""))
    return _where(x, "[ \n]$", _regex(r"[ \n]+$", ""))


def register(con) -> None:
    con.create_function("html_to_text_arrow", html_to_text_arrow, ["VARCHAR"], "VARCHAR", type="arrow")


_FRAGMENTS = ["<p>", "</p>", "<br>", "<br/>", "<BR />", "<li>", '<LI class="a">', "</li>", "<ul>", "</ul>", "<td>",
              "</td>", "</TH >", "<!-- c -->", "<!--", "-->", "<script>x<y</script>", "<style type=t>a{}</style >",
              "<b>", "</div>", "<", ">", "&", "&amp;", "&amp;lt;", "&lt;", "&gt;", "&nbsp;", "&eacute;", "&euro;",
              "&#233;", "&#xE9;", "&#X1F600;", "&#0;", "&#55296;", "&#1114112;", "&#12345678;", "&#x;", "&amp;#233;",
              "\t", "\r", "\n", "\r\n", "\xa0", "\x0c", " ", "  ", "é", "😀", "👩‍👩‍👧", "texte", "Mot", ";", "a<b",
              '<a href="x">', "</a>", "<h2>", "</h2 >", "<tr>", "</tr>", "<!DOCTYPE html>", "<img src=x/>", "\u2028",
              "&quot;", "&apos;", "&hellip;", "&Eacute;", "&e", "acute;", "< p>", "<3", "</ li>", "<scripts>"]


def check(parquet: Path, fragments: int) -> dict:
    """Differences between the SQL and the UDF on the bench descriptions and on random fragments."""
    import random

    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    register(con)
    rnd = random.Random(7)
    values = ["".join(rnd.choice(_FRAGMENTS) for _ in range(rnd.randint(0, 25))) for _ in range(fragments)]
    values += [None, "", " ", "\n", "plain\ntext  with\r\nbreaks\t", "<p>a</p>\n\n<p>b</p>"]
    con.execute("CREATE TABLE f AS SELECT unnest($1) AS description", [values])
    con.execute(f"CREATE TABLE d AS SELECT description FROM read_parquet('{parquet}')")
    out = {}
    for table in ("f", "d"):
        out[table] = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE a IS DISTINCT FROM b) FROM (SELECT "
            f"{html_to_text_sql('description')} AS a, html_to_text_arrow(description) AS b FROM {table})").fetchone()
    return out


CHILD = r"""
import json, resource, sys, time, duckdb
sys.path.insert(0, {bench!r})
import bench_html
mode, path = sys.argv[1], sys.argv[2]
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
bench_html.register(con)
con.execute(f"CREATE TABLE d AS SELECT description FROM read_parquet('{{path}}')")
expr = bench_html.html_to_text_sql("description") if mode == "sql" else "html_to_text_arrow(description)"
c0, t0 = cpu(), time.perf_counter()
con.execute(f"CREATE TABLE t AS SELECT {{expr}} AS description_text FROM d")
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu": cpu() - c0}}))
"""


def run(mode: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(bench=str(ROOT / "bench")), mode, str(path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench_import import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fragments", type=int, default=300_000)
    args = parser.parse_args()
    for rows in args.rows:
        parquet = generate(rows)["parquet"]
        diffs = check(parquet, args.fragments)
        print(f"{rows:,} rows: differences SQL vs UDF: bench descriptions {diffs['d'][1]} of {diffs['d'][0]:,}, "
              f"random fragments {diffs['f'][1]} of {diffs['f'][0]:,}")
        res = {m: [] for m in ("sql", "udf")}
        for _ in range(args.repeat):      # interleaved, so both see the same machine load
            for mode in res:
                res[mode].append(run(mode, parquet))
        med = {m: {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu")} for m, runs in res.items()}
        for mode, r in med.items():
            print(f"  {mode}: {r['seconds']:6.2f} s wall  {r['cpu']:6.2f} CPU-s  "
                  f"(all wall: {', '.join(format(x['seconds'], '.2f') for x in res[mode])})")
        print(f"  UDF / SQL: wall {med['udf']['seconds'] / med['sql']['seconds']:.2f}, "
              f"CPU {med['udf']['cpu'] / med['sql']['cpu']:.2f}")


if __name__ == "__main__":
    main()
