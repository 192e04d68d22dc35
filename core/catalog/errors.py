"""Why an import failed, as data: a message key under ``catalogue.errors`` plus its parameters.

The importer raises :class:`CatalogImportError`; pages show :meth:`CatalogImportError.message` in the
user's language. Parameters carry the line (as a spreadsheet shows it: the header is line 1) and the
column when the problem has one, so the user can go straight to the cell.
"""
from __future__ import annotations

from core.i18n import message


class CatalogImportError(Exception):
    """A file that cannot become the catalogue. ``code`` is an i18n key ``catalogue.errors.*``."""

    def __init__(self, code: str, **params):
        if not code.startswith("catalogue.errors."):
            code = "catalogue.errors." + code
        self.code = code
        self.params = params
        super().__init__(f"{code} {params}")

    def message(self, lang: str = "fr") -> str:
        """The explanation in ``lang``, parameters filled in."""
        return message(self.code, lang, **self.params)


class MissingColumns(CatalogImportError):
    """Required canonical columns matched no file column: ask the user which column to use.

    ``missing``: canonical names still unmatched; ``file_columns``: the file's headers in order;
    ``matched``: what was matched automatically (canonical name -> file column).
    """

    def __init__(self, missing: tuple[str, ...], file_columns: tuple[str, ...], matched: dict[str, str]):
        self.missing = tuple(missing)
        self.file_columns = tuple(file_columns)
        self.matched = dict(matched)
        super().__init__("missing_columns", missing=", ".join(self.missing),
                         columns=", ".join(self.file_columns[:30]) + (" …" if len(self.file_columns) > 30 else ""))
