"""Exports: the history table (:mod:`core.exports.history`) and the Flat File export service
(:mod:`core.exports.flatfile_export`), shared by the Export page, the dashboard and the CLI."""
