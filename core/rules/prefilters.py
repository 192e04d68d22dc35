"""Cheap necessary conditions ("prefilters") of costly content checks, as SQL functions over whole vectors.

A content check (core.rules.features) is its rule's own ``when`` predicate. Where that predicate is
costly for every product and true for few, the import first asks a prefilter: a function that is
*true whenever the predicate may be true* (it may be true more often, never less). The stored bit is
then ``CASE WHEN prefilter THEN when ELSE false END``: the rule's predicate alone decides every bit it
sets, so a prefilter cannot add a violation, and it loses none as long as it is a necessary condition —
which tests/unit/test_rules_prefilters.py checks and bench/bench_rules.py re-checks on its catalogues.

One entry of :data:`PREFILTERS` per (rule, column): the SQL of the value it reads and the test (a
Python function over a whole Arrow vector of those values: numpy over the vector's bytes, no Python
loop over the values). The import computes all of them in one call of the SQL function
:data:`FUNCTION` per vector, as the scratch column :data:`COLUMN` (one bit per prefilter), so each
value crosses from DuckDB to Python once.
"""
from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass

from core.rules import config as cfg
from core.rules.definitions import CONTROL_CODES, TITLE_WORD_SEPARATOR, TITLE_WORDS_TEXT

# --- TITLE_WORD_REPEATED -------------------------------------------------------------------------------
# The rule splits lower(title) on runs of TITLE_WORD_SEPARATOR with RE2, then counts the distinct words
# (a regex split and a list distinct per title: ~3 µs). Its pre-test "at least two duplicate tokens" is
# what the prefilter computes, on the same tokens: the maximal runs of code points that are not
# separators, where "separator" is read, code point by code point, from DuckDB's own regex engine
# running the rule's own class (:func:`_separators`), so the two cannot classify a character
# differently. Words are compared by a 64-bit key of their bytes: equal words have equal keys, so a
# collision can only let one more title through to the rule, never hide a repeated word. Titles
# holding a code point beyond U+FFFF (the table stops there) are all let through.
_BMP = 0x10000
_lock = threading.Lock()
_state: dict = {}


def _separators():
    """numpy bool table: code point (< U+10000) -> DuckDB's regex says it is a separator of title words.

    Computed once per process by an in-memory DuckDB (the UDF has no connection of its own); surrogates,
    which UTF-8 text never holds, count as separators."""
    with _lock:
        if "separators" not in _state:
            import duckdb  # noqa: PLC0415
            import numpy as np  # noqa: PLC0415

            con = duckdb.connect()
            try:
                rows = con.execute(
                    "SELECT list(CASE WHEN range BETWEEN 55296 AND 57343 THEN true "
                    "ELSE regexp_full_match(chr(CAST(range AS INTEGER)), ?) END ORDER BY range) FROM range(?)",
                    [TITLE_WORD_SEPARATOR, _BMP]).fetchone()[0]
            finally:
                con.close()
            table = np.array(rows, dtype=bool)
            ascii_words = np.array([chr(c).isascii() and chr(c).isalnum() for c in range(128)])
            _state["ascii_alnum"] = bool((~table[:128] == ascii_words).all())
            _state["separators"] = table
        return _state["separators"]


def _utf8(values):
    """(bytes, offsets rebased to 0, null mask) of an Arrow string (chunked) array."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if arr.type not in (pa.string(), pa.large_string()):
        arr = arr.cast(pa.large_string())       # (e.g. string_view: offsets are what is read below)
    n = len(arr)
    _validity, offsets, data = arr.buffers()
    width = np.int32 if arr.type == pa.string() else np.int64
    offsets = np.frombuffer(offsets, dtype=width)[arr.offset:arr.offset + n + 1].astype(np.int64)
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else np.zeros(n, dtype=bool)
    return raw[offsets[0]:offsets[-1]], offsets - offsets[0], nulls


def _word_bytes(b):
    """Per byte of UTF-8 text ``b``: whether it belongs to a word character (not a separator)."""
    import numpy as np  # noqa: PLC0415

    sep = _separators()
    if _state["ascii_alnum"]:       # the table's ASCII part is [0-9A-Za-z]: arithmetic beats a lookup
        word = ((b - np.uint8(48)) < 10) | (((b | np.uint8(32)) - np.uint8(97)) < 26)
    else:
        word = ~sep[b]
    high = np.flatnonzero(b >= 0x80)           # bytes of multi-byte characters (few): decoded one by one
    if len(high):
        word[high] = False
        lead_at = high[b[high] >= 0xC0]
        padded = np.concatenate([b, np.zeros(3, dtype=np.uint8)])
        lead = b[lead_at].astype(np.int32)
        c1 = padded[lead_at + 1].astype(np.int32) & 0x3F
        c2 = padded[lead_at + 2].astype(np.int32) & 0x3F
        two = lead < 0xE0
        cp = np.where(two, ((lead & 0x1F) << 6) | c1, ((lead & 0x0F) << 12) | (c1 << 6) | c2)
        cp[lead >= 0xF0] = 0        # beyond the table: the caller lets such titles through
        w = ~sep[cp]
        word[lead_at] = w
        word[lead_at + 1] = w       # continuation bytes belong to their character
        wide = ~two
        word[lead_at[wide] + 2] = w[wide]
        widest = lead >= 0xF0
        word[lead_at[widest] + 3] = w[widest]
    return word


def _word_keys(b, starts, ends):
    """A 64-bit key per word: equal words get equal keys (different words almost never do), mixed from
    the word's length and its first and last eight bytes (two unaligned 8-byte loads per word)."""
    import numpy as np  # noqa: PLC0415

    padded = np.concatenate([np.zeros(8, dtype=np.uint8), b, np.zeros(8, dtype=np.uint8)])
    # every 8-byte window of the text as one little-endian integer (a view: stride of one byte)
    windows = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded.data, strides=(1,))
    length = (ends - starts).astype(np.uint64)
    kept = np.minimum(length, np.uint64(8)) * np.uint64(8)      # bits of the word in its window
    full = kept == np.uint64(64)
    spare = np.where(full, np.uint64(0), np.uint64(64) - kept)    # bits of the window outside the word
    head = windows[starts + 8] << spare >> spare                   # the word's first bytes (low end)
    tail = windows[ends] >> spare << spare                         # its last bytes (high end)
    with np.errstate(over="ignore"):
        return (head * np.uint64(0x9E3779B97F4A7C15)) ^ (tail * np.uint64(0xC2B2AE3D27D4EB4F)) ^ length


def title_may_repeat_word(values):
    """Over ``lower(title)`` values: whether the title has two duplicate words or more (false for NULL).
    A title with some word three times has two duplicates at least. Vectorised over the bytes."""
    import numpy as np  # noqa: PLC0415

    b, offsets, nulls = _utf8(values)
    n, size = len(offsets) - 1, len(b)
    out = np.zeros(n, dtype=bool)
    if size:
        word = _word_bytes(b)
        edge = np.zeros(size + 1, dtype=bool)
        edge[offsets] = True                   # a word never runs across two titles
        before = np.empty(size, dtype=bool)
        before[0] = False
        before[1:] = word[:-1]
        after = np.empty(size, dtype=bool)
        after[-1] = False
        after[:-1] = word[1:]
        starts = np.flatnonzero(word & (~before | edge[:-1]))
        ends = np.flatnonzero(word & (~after | edge[1:])) + 1
        if len(starts) > 1:
            h = _word_keys(b, starts, ends)
            rows = np.searchsorted(offsets, starts, side="right") - 1
            if n < (1 << 20):           # one sort key: the title in the high bits, the word's key below
                keys = np.sort((rows.astype(np.uint64) << np.uint64(44)) | (h >> np.uint64(20)))
                dup = keys[1:] == keys[:-1]
                rows = (keys >> np.uint64(44)).astype(np.int64)
            else:
                order = np.lexsort((h, rows))
                rows, h = rows[order], h[order]
                dup = (rows[1:] == rows[:-1]) & (h[1:] == h[:-1])
            out = np.bincount(rows[1:][dup], minlength=n) >= 2
        wide = np.flatnonzero(b >= 0xF0)
        if len(wide):
            out[np.searchsorted(offsets, wide, side="right") - 1] = True
    return out & ~nulls


def _rows_of(offsets, positions, n: int):
    """Bool per value: it holds one of the byte ``positions`` (offsets: the values' byte offsets)."""
    import numpy as np  # noqa: PLC0415

    out = np.zeros(n, dtype=bool)
    if len(positions):
        out[np.searchsorted(offsets, positions, side="right") - 1] = True
    return out


def _control_positions(b):
    """Positions of the bytes of CONTROL_CODES in UTF-8 text ``b`` (every code is ASCII: a byte of
    UTF-8 text below 0x80 is that character). One pass for the codes below 32 (line feeds, frequent in
    descriptions, left out at once), then the few candidates are sifted, then the codes above."""
    import numpy as np  # noqa: PLC0415

    low = np.array(sorted(c for c in CONTROL_CODES if c < 32), dtype=np.uint8)
    mask = b < 32
    if 10 not in low:
        mask &= b != 10
    found = []
    if mask.any():
        candidates = np.flatnonzero(mask)
        found.append(candidates[np.isin(b[candidates], low)])
    found += [np.flatnonzero(b == c) for c in CONTROL_CODES if c >= 32 and (b == c).any()]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def holds_control(values):
    """Over text values: whether the value holds a character of CONTROL_CODES (what the rule's
    has_control_sql tests), false for NULL. The exact test: the rule then finds the same values."""
    b, offsets, nulls = _utf8(values)
    return _rows_of(offsets, _control_positions(b), len(offsets) - 1) & ~nulls


def _first_bullets(values):
    """(bytes, per-element offsets, element null mask, element -> product, product count) of the first
    BULLET_MAX_COUNT elements of each list value (the rules read ``bullet_points[1:BULLET_MAX_COUNT]``)."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(arr)
    list_offsets = arr.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    lengths = np.diff(list_offsets)
    if arr.null_count:          # a NULL list has no elements for the rules (its checks are NULL: no bit)
        lengths = np.where(arr.is_null().to_numpy(zero_copy_only=False), 0, lengths)
    owner = np.repeat(np.arange(n), lengths)
    starts = np.repeat(list_offsets[:-1], lengths)
    index = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    keep = index < cfg.BULLET_MAX_COUNT
    elements = (starts + index)[keep]
    b, offsets, nulls = _utf8(arr.values)
    return b, offsets, nulls, elements, owner[keep], n


def bullet_may_be_blank(values):
    """Over bullet lists: some of the first bullets is NULL, empty, or starts with a character below
    "!" or with NBSP — the rule's own cheap test before its trim() (blank())."""
    import numpy as np  # noqa: PLC0415

    b, offsets, nulls, elements, owner, n = _first_bullets(values)
    first = offsets[elements]
    empty = offsets[elements + 1] == first
    padded = np.concatenate([b, np.zeros(2, dtype=np.uint8)])
    lead, second = padded[np.minimum(first, len(b))], padded[np.minimum(first + 1, len(b) + 1)]
    maybe = nulls[elements] | empty | (lead < 0x21) | ((lead == 0xC2) & (second == 0xA0))
    out = np.zeros(n, dtype=bool)
    out[owner[maybe]] = True
    return out


def bullet_may_be_unsafe(values):
    """Over bullet lists: some of the first bullets starts with "=", "+" or "@" or holds a control
    character (the rule's two tests, exactly)."""
    import numpy as np  # noqa: PLC0415

    b, offsets, nulls, elements, owner, n = _first_bullets(values)
    first = offsets[elements]
    filled = (offsets[elements + 1] > first) & ~nulls[elements]
    lead = np.concatenate([b, np.zeros(1, dtype=np.uint8)])[np.minimum(first, len(b))]
    formula = filled & np.isin(lead, np.frombuffer(b"=+@", dtype=np.uint8))
    # control characters: per element holding one (byte position -> element by its offsets)
    held = _rows_of(offsets, _control_positions(b), len(offsets) - 1)
    maybe = formula | (held[elements] & filled)
    out = np.zeros(n, dtype=bool)
    out[owner[maybe]] = True
    return out


def bullet_may_be_long(values):
    """Over bullet lists: some of the first bullets is longer than BULLET_MAX_CHARS bytes (its length in
    characters, what the rule counts, is never more than its length in bytes)."""
    import numpy as np  # noqa: PLC0415

    b, offsets, nulls, elements, owner, n = _first_bullets(values)
    long_ = (offsets[elements + 1] - offsets[elements] > cfg.BULLET_MAX_CHARS) & ~nulls[elements]
    out = np.zeros(n, dtype=bool)
    out[owner[long_]] = True
    return out


@dataclass(frozen=True)
class Prefilter:
    """A necessary condition of rule ``code``'s predicate over ``column``: ``test`` over the values of
    ``argument`` (SQL over ``p`` of type ``sql_type``) is true wherever the predicate may be."""
    code: str
    column: str
    argument: str
    sql_type: str
    test: Callable
    doc: str

    @property
    def bit(self) -> int:
        return PREFILTERS.index(self)

    @property
    def sql(self) -> str:
        """SQL for product ``p`` of the import's statement (reads the scratch column :data:`COLUMN`)."""
        return f"(p.{COLUMN} & {1 << self.bit} <> 0)"


FUNCTION = "rule_prefilters"
COLUMN = "_prefilters"
PREFILTERS: tuple[Prefilter, ...] = (
    Prefilter("TITLE_WORD_REPEATED", "title", TITLE_WORDS_TEXT, "VARCHAR", title_may_repeat_word,
              "two duplicate words or more (the rule's pre-test), words split by the rule's own separator class"),
    # control characters: the same test as the rule's, by one byte scan of a vector instead of a regex
    # per title or 28 substring searches per description. (SKU, brand and manufacturer keep their regex:
    # handing those columns to Python costs as much as the regex on such short texts.)
    Prefilter("TEXT_CONTROL_CHARS", "title", TITLE_WORDS_TEXT, "VARCHAR", holds_control,
              "a control character (lower() maps no character to or from one: checked by the tests)"),
    Prefilter("DESCRIPTION_CONTROL_CHARS", "description", "p.description_text", "VARCHAR", holds_control,
              "a control character"),
    Prefilter("BULLET_EMPTY", "bullet_points", "p.bullet_points", "VARCHAR[]", bullet_may_be_blank,
              "a first bullet NULL, empty or starting with a blank"),
    Prefilter("BULLET_FORMULA", "bullet_points", "p.bullet_points", "VARCHAR[]", bullet_may_be_unsafe,
              "a first bullet starting with = + @ or holding a control character"),
    Prefilter("BULLET_TOO_LONG", "bullet_points", "p.bullet_points", "VARCHAR[]", bullet_may_be_long,
              "a first bullet of more bytes than the limit in characters"),
)
_BY_CHECK = {(p.code, p.column): p for p in PREFILTERS}
# the distinct values the prefilters read: the SQL function's arguments, in this order
ARGUMENTS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys((p.argument, p.sql_type) for p in PREFILTERS))


def prefilter(code: str, column: str) -> Prefilter | None:
    """The prefilter of rule ``code`` over ``column`` (None: its predicate runs on every product)."""
    return _BY_CHECK.get((code, column))


def call_sql() -> str:
    """SQL of :data:`COLUMN` for product ``p``: every prefilter's bit, one call per vector."""
    return f"{FUNCTION}({', '.join(a for a, _ in ARGUMENTS)})"


def _all_prefilters(*columns):
    """Arrow UDF body: the bit mask of every prefilter (UBIGINT), from the vectors of :data:`ARGUMENTS`."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    position = {a: i for i, a in enumerate(ARGUMENTS)}
    out = np.zeros(len(columns[0]), dtype=np.uint64)
    for p in PREFILTERS:
        hit = p.test(columns[position[(p.argument, p.sql_type)]])
        out |= hit.astype(np.uint64) << np.uint64(p.bit)
    return pa.array(out, type=pa.uint64())


def _udf(*columns):
    return _all_prefilters(*columns)


# DuckDB counts the parameters of the Python function (one per argument), and keeps only a borrowed
# reference to it: the function must outlive the session registering it (a module-level object; a
# closure freed with its cursor left the catalogue calling whatever object took its place).
_udf.__signature__ = inspect.Signature([inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY)
                                        for i in range(len(ARGUMENTS))])
_UDF = _udf


def register(con) -> None:
    """Register :data:`FUNCTION` on ``con`` (idempotent; a concurrent registration wins too)."""
    import duckdb  # noqa: PLC0415

    _separators()       # built now, not inside the first vector of an import
    exists = "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?"
    if con.execute(exists, [FUNCTION]).fetchall()[0][0]:
        return
    try:
        con.create_function(FUNCTION, _UDF, [t for _, t in ARGUMENTS], "UBIGINT", type="arrow",
                            null_handling="special", side_effects=False)
    except duckdb.CatalogException:
        if not con.execute(exists, [FUNCTION]).fetchall()[0][0]:
            raise


__all__ = ["ARGUMENTS", "COLUMN", "FUNCTION", "PREFILTERS", "Prefilter", "call_sql", "holds_control", "prefilter",
           "register", "title_may_repeat_word"]
