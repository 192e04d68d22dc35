"""Code2ASIN: find the Amazon ASINs of the selection's EAN codes before export (guide "Utiliser Code2ASIN").

- :mod:`core.code2asin.eligible` — which EANs of the selection are searched (the Qualité rules' own
  EAN checks decide), and why the others are skipped;
- :mod:`core.code2asin.matching` — a ``searchCatalogItems`` answer mapped back to each EAN
  (MATCHED, MULTIPLE, NOT_FOUND, CONFLICT);
- :mod:`core.code2asin.store` — the ``asin_matches`` table, the user's choice among several ASINs,
  what the page shows, and :func:`asin_for_sku_sql` for the exports;
- :mod:`core.code2asin.job` — the mapping job run by :mod:`core.jobs` in a server thread: batches of
  20 EANs, progress in DuckDB, resumable and idempotent.
"""
from core.code2asin.store import asin_for_sku_sql  # noqa: F401  (the exports' entry point)
