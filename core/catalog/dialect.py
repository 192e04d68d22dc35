"""Find a CSV file's delimiter and read its header, from a sample of its text.

DuckDB's own sniffer can silently take the header for data on a malformed file, so the delimiter is
chosen here and passed to DuckDB explicitly: among ``,`` ``;`` tab and ``|``, the one that splits the
header into the most columns while every complete sample record has that same number of fields.
"""
from __future__ import annotations

import csv
import io

from core.catalog.errors import CatalogImportError

DELIMITERS = (";", ",", "\t", "|")   # ";" first: the French Excel export, and the tie-breaker


def _records(sample: str, delimiter: str, limit: int = 50) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:                       # blank lines are skipped, as DuckDB does
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the CSV text ``sample`` (its beginning, cut at a line end)."""
    best, best_score = ",", (-1, -1)
    complete = sample if sample.endswith("\n") else sample[: sample.rfind("\n") + 1] or sample
    for delimiter in DELIMITERS:
        rows = _records(complete, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows[1:] if len(r) == width)
        score = (int(width > 1) * (consistent + 1), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def excel_sep_line(sample: str) -> tuple[str | None, int]:
    """Excel's optional first line ``sep=;``: (its delimiter, 1 line to skip), else (None, 0)."""
    first = sample.split("\n", 1)[0].strip()
    if len(first) == 5 and first.lower().startswith("sep=") and first[4] in DELIMITERS:
        return first[4], 1
    return None, 0


def read_header(sample: str, delimiter: str) -> list[str]:
    """The first record of ``sample`` (the header row)."""
    rows = _records(sample, delimiter, limit=1)
    if not rows:
        raise CatalogImportError("empty")
    return rows[0]
