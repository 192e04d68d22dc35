"""Mapping profiles: named, versioned mappings per marketplace, saved in DuckDB.

Every save adds a version (nothing is overwritten, so any export can say which version it used).
Saving is optimistic: the caller says which version its edits were based on, and the save is refused
with :class:`ProfileConflict` when someone saved a newer version meanwhile. The primary key also
refuses two simultaneous saves of the same next version.

Edits come from ``st.data_editor``, whose option lists, disabled columns and fixed row count are only
enforced by the browser: :func:`validate` checks them again on the server.
"""
from __future__ import annotations

import getpass
import json
from dataclasses import dataclass

import duckdb

from core.catalog import derived
from core.catalog.columns import COLUMNS
from core.catalog.store import PRODUCTS, has_catalogue
from core.mapping.default import DEFAULT_MAPPING, MappingRow
from core.mapping.transforms import CODES, transform

SCHEMA = """
CREATE TABLE IF NOT EXISTS mapping_profiles (
    marketplace VARCHAR,
    name        VARCHAR,
    version     INTEGER,
    rows        JSON,
    saved_at    TIMESTAMP DEFAULT current_timestamp,
    saved_by    VARCHAR,
    PRIMARY KEY (marketplace, name, version)
);
"""

DEFAULT_PROFILE = "default"
EDITABLE = ("source", "constant", "transform", "param")   # the columns a user may change


@dataclass(frozen=True)
class Profile:
    marketplace: str
    name: str
    version: int                    # 0 = the guide's default, never saved
    rows: tuple[MappingRow, ...]


@dataclass(frozen=True)
class MappingError:
    row: int          # 0-based row index in the edited table
    column: str
    key: str          # message key under [mapping.errors]
    params: dict


class ProfileConflict(Exception):
    """The profile was saved by someone else since the edits started."""

    def __init__(self, current_version: int):
        super().__init__(f"profile has version {current_version}")
        self.current_version = current_version


class InvalidMapping(ValueError):
    """The edited rows break a rule of :func:`validate`."""

    def __init__(self, errors: list[MappingError]):
        super().__init__(f"{len(errors)} invalid mapping cells")
        self.errors = errors


def current_user() -> str:
    """Who saves or exports: the OS user, or "dashboard" when it cannot be told."""
    try:
        return getpass.getuser() or "dashboard"
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "dashboard"


def sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Columns a mapping row may read: canonical ones and every extra column of the catalogue."""
    names = [c.name for c in COLUMNS]
    if has_catalogue(con):
        names += [r[0] for r in con.execute(f"DESCRIBE {PRODUCTS}").fetchall()
                  if r[0] not in names and not r[0].startswith("_") and not r[0].endswith("_raw")
                  and r[0] not in derived.names()]
    return names


def validate(rows: list[dict], allowed_sources: list[str]) -> list[MappingError]:
    """Every problem of the edited ``rows`` against the default layout (empty list = acceptable)."""
    errors: list[MappingError] = []
    if len(rows) != len(DEFAULT_MAPPING):
        errors.append(MappingError(min(len(rows), len(DEFAULT_MAPPING)), "field", "rows_changed",
                                   {"expected": len(DEFAULT_MAPPING), "got": len(rows)}))
    for i, (row, default) in enumerate(zip(rows, DEFAULT_MAPPING)):
        if str(row.get("field")) != default.field:
            errors.append(MappingError(i, "field", "locked_column", {"field": default.field}))
            continue
        if default.locked and any(_cell(row, c) != _cell(default.as_dict(), c) for c in EDITABLE):
            errors.append(MappingError(i, "source", "locked_row", {"field": default.field}))
            continue
        source, code, param = _cell(row, "source"), _cell(row, "transform"), _cell(row, "param")
        if source and source not in allowed_sources:
            errors.append(MappingError(i, "source", "unknown_source", {"field": default.field, "value": source}))
        if code not in CODES:
            errors.append(MappingError(i, "transform", "unknown_transform", {"field": default.field, "value": code}))
        elif transform(code).needs_param and not transform(code).check_param(param):
            errors.append(MappingError(i, "param", "bad_param", {"field": default.field, "value": param}))
        if len(_cell(row, "constant")) > 500:
            errors.append(MappingError(i, "constant", "constant_too_long", {"field": default.field}))
    return errors


def _cell(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):   # None or NaN from pandas
        return ""
    return str(value).strip()


def normalise(rows: list[dict]) -> tuple[MappingRow, ...]:
    """Validated editor rows as :class:`MappingRow` (locked flags taken from the default)."""
    return tuple(MappingRow(d.field, _cell(r, "source"), _cell(r, "constant"), _cell(r, "transform"),
                            _cell(r, "param"), d.locked) for r, d in zip(rows, DEFAULT_MAPPING))


def load(con: duckdb.DuckDBPyConnection, marketplace: str, name: str = DEFAULT_PROFILE,
         version: int | None = None) -> Profile:
    """The latest (or given) version of a profile; the guide's default (version 0) when never saved
    or when version 0 is asked for."""
    if version == 0:
        return Profile(marketplace, name, 0, DEFAULT_MAPPING)
    sql = "SELECT version, rows FROM mapping_profiles WHERE marketplace = ? AND name = ?"
    params: list = [marketplace, name]
    if version is not None:
        sql += " AND version = ?"
        params.append(version)
    row = con.execute(sql + " ORDER BY version DESC LIMIT 1", params).fetchone()
    if row is None:
        return Profile(marketplace, name, 0, DEFAULT_MAPPING)
    return Profile(marketplace, name, int(row[0]), tuple(MappingRow(**r) for r in json.loads(row[1])))


def latest_version(con: duckdb.DuckDBPyConnection, marketplace: str, name: str) -> int:
    """Highest saved version of the profile (0 when never saved)."""
    row = con.execute("SELECT max(version) FROM mapping_profiles WHERE marketplace = ? AND name = ?",
                      [marketplace, name]).fetchone()
    return int(row[0] or 0)


def save(con: duckdb.DuckDBPyConnection, marketplace: str, name: str, rows: list[dict], based_on: int,
         user: str | None = None) -> Profile:
    """Validate ``rows`` and store them as version ``based_on + 1``.

    Raises :class:`InvalidMapping` when a cell breaks the rules, :class:`ProfileConflict` when the
    profile's latest version is not ``based_on`` (someone else saved in between).
    """
    name = name.strip()
    errors = validate(rows, sources(con))
    if not name:
        errors.append(MappingError(0, "name", "empty_name", {}))
    if errors:
        raise InvalidMapping(errors)
    clean = normalise(rows)
    payload = json.dumps([r.as_dict() for r in clean], ensure_ascii=False)
    con.execute("BEGIN TRANSACTION")
    try:
        current = latest_version(con, marketplace, name)
        if current != based_on:
            raise ProfileConflict(current)
        con.execute("INSERT INTO mapping_profiles (marketplace, name, version, rows, saved_by) VALUES (?, ?, ?, ?, ?)",
                    [marketplace, name, based_on + 1, payload, user or current_user()])
        con.execute("COMMIT")
    except duckdb.ConstraintException as exc:   # a simultaneous save took this version number
        con.execute("ROLLBACK")
        raise ProfileConflict(latest_version(con, marketplace, name)) from exc
    except Exception:
        con.execute("ROLLBACK")
        raise
    return Profile(marketplace, name, based_on + 1, clean)


def reset_to_default(con: duckdb.DuckDBPyConnection, marketplace: str, name: str, based_on: int,
                     user: str | None = None) -> Profile:
    """Save the guide's default mapping as the next version of the profile."""
    return save(con, marketplace, name, [r.as_dict() for r in DEFAULT_MAPPING], based_on, user)


def names(con: duckdb.DuckDBPyConnection, marketplace: str) -> list[str]:
    """Saved profile names of ``marketplace`` ("default" always first)."""
    saved = [r[0] for r in con.execute(
        "SELECT DISTINCT name FROM mapping_profiles WHERE marketplace = ? ORDER BY name", [marketplace]).fetchall()]
    return [DEFAULT_PROFILE] + [n for n in saved if n != DEFAULT_PROFILE]


def versions(con: duckdb.DuckDBPyConnection, marketplace: str, name: str) -> list[tuple[int, str, str]]:
    """(version, saved_at, saved_by) of every saved version, newest first."""
    return [(int(v), str(at), by) for v, at, by in con.execute(
        "SELECT version, saved_at, saved_by FROM mapping_profiles WHERE marketplace = ? AND name = ? "
        "ORDER BY version DESC", [marketplace, name]).fetchall()]
