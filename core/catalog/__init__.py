"""The product catalogue: canonical columns, import into DuckDB, status."""
