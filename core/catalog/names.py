"""Tolerant matching of a file's column names to the canonical columns.

Headers are compared after :func:`normalise_name` (case, accents, punctuation and units folded), so
"Prix (€)", "PRIX" and "prix" all match ``price``; each canonical column lists its synonyms in
:mod:`core.catalog.columns`. File columns that match nothing are kept as extra columns.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.catalog.columns import COLUMNS, REQUIRED_NAMES
from core.catalog.derived import names as _derived_names
from core.catalog.errors import CatalogImportError, MissingColumns

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

DERIVED_NAMES = _derived_names()

# Names the import itself creates beside the canonical ones: a file column called so is renamed.
INTERNAL_NAMES = frozenset({"_row", *DERIVED_NAMES} | {f"{c.name}_raw" for c in COLUMNS if c.keeps_raw})


def normalise_name(name: str) -> str:
    """Lower case, accents removed, runs of non-alphanumerics as one ``_``, trimmed of ``_``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub("_", text).strip("_")


@dataclass(frozen=True)
class ColumnMatch:
    """Which file column (by position) feeds each canonical column; the rest are extras."""
    canonical: dict[str, int | None]   # canonical name -> 0-based file column index (None: left empty)
    extras: dict[int, str]             # file column index -> name it keeps in ``products``

    def names(self, headers: list[str]) -> dict[str, str | None]:
        """Canonical name -> file header (None when left empty), for reports."""
        return {k: (headers[i] if i is not None else None) for k, i in self.canonical.items()}


def match_columns(headers: list[str], column_map: dict[str, str | None] | None = None) -> ColumnMatch:
    """Match ``headers`` to canonical columns; ``column_map`` (canonical -> header, or None/"" for
    "no such column, leave it empty") overrides the automatic choice.

    Raises :class:`MissingColumns` when a required column is neither matched nor given in
    ``column_map``, and ``unknown_column`` when ``column_map`` names a header the file lacks.
    """
    column_map = dict(column_map or {})
    normalised = [normalise_name(h) for h in headers]
    chosen: dict[str, int | None] = {}
    used: set[int] = set()
    for name, header in column_map.items():
        if name not in {c.name for c in COLUMNS}:
            raise CatalogImportError("unknown_canonical", name=name)
        if header in (None, ""):
            if name == "sku":       # a catalogue without SKUs cannot be exported or matched
                raise CatalogImportError("sku_required")
            chosen[name] = None
            continue
        if header not in headers:
            raise CatalogImportError("unknown_column", column=header)
        chosen[name] = headers.index(header)
        used.add(chosen[name])
    for col in COLUMNS:
        if col.name in chosen:
            continue
        # The most specific synonym wins (the canonical name is listed first), then the leftmost column.
        best: tuple[int, int] | None = None
        for i, norm in enumerate(normalised):
            if i in used or norm not in col.synonyms:
                continue
            rank = (col.synonyms.index(norm), i)
            best = rank if best is None or rank < best else best
        if best is not None:
            chosen[col.name] = best[1]
            used.add(best[1])
    missing = tuple(n for n in REQUIRED_NAMES if n not in chosen)
    if missing:
        matched = {k: headers[i] for k, i in chosen.items() if i is not None}
        raise MissingColumns(missing, tuple(headers), matched)
    for col in COLUMNS:
        chosen.setdefault(col.name, None)
    taken = {c.name for c in COLUMNS} | INTERNAL_NAMES
    extras: dict[int, str] = {}
    for i, header in enumerate(headers):
        if i in used:
            continue
        name = header
        # DuckDB names are case-insensitive: an extra "Price" would clash with the canonical "price".
        while name.lower() in taken:
            name = f"file_{name}"
        taken.add(name.lower())
        extras[i] = name
    return ColumnMatch({c.name: chosen[c.name] for c in COLUMNS}, extras)


def clean_headers(headers: list) -> list[str]:
    """Headers as text, blank ones named ``column_<n>``; refuses duplicate names.

    Two columns of the same name (compared without case, as DuckDB does) would make the file
    ambiguous — which one is the price? — so the user is asked to rename one.
    """
    out = [str(h).strip() if h is not None and str(h).strip() else f"column_{i + 1}"
           for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for i, name in enumerate(out):
        key = name.lower()
        if key in seen:
            raise CatalogImportError("duplicate_columns", column=name,
                                     first=column_letter(seen[key]), second=column_letter(i))
        seen[key] = i
    return out


def column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
