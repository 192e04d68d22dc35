"""Cheap necessary conditions ("prefilters") of costly content checks, as SQL functions over whole vectors.

A content check (core.rules.features) is its rule's own ``when`` predicate. Where that predicate is
costly for every product and true for few, the import first asks a prefilter: a function that is
*true whenever the predicate may be true* (it may be true more often, never less). The stored bit is
then ``CASE WHEN prefilter THEN when ELSE false END``: the rule's predicate alone decides every bit it
sets, so a prefilter cannot add a violation, and it loses none as long as it is a necessary condition —
which tests/unit/test_rules_prefilters.py checks and bench/bench_rules.py re-checks on its catalogues.

One entry of :data:`PREFILTERS` per (rule, column): the SQL function's name, the SQL of its argument,
and its Python body (a DuckDB Arrow UDF: one call per vector of 2,048 values, numpy over the vector's
bytes, no Python loop over the values).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from core.rules.definitions import TITLE_WORD_SEPARATOR, TITLE_WORDS_TEXT

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
    """Arrow UDF body over ``lower(title)``: whether the title has two duplicate words or more (false for
    NULL). A title with some word three times has two duplicates at least. Vectorised over the bytes."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

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
    out &= ~nulls
    return pa.array(out, type=pa.bool_())


@dataclass(frozen=True)
class Prefilter:
    """A necessary condition of rule ``code``'s predicate over ``column``: SQL function ``function``
    called on ``argument`` (SQL over ``p``)."""
    code: str
    column: str
    function: str
    argument: str
    body: Callable
    doc: str

    @property
    def sql(self) -> str:
        """SQL calling the prefilter for product ``p``."""
        return f"{self.function}({self.argument})"


PREFILTERS: tuple[Prefilter, ...] = (
    Prefilter("TITLE_WORD_REPEATED", "title", "title_may_repeat_word", TITLE_WORDS_TEXT, title_may_repeat_word,
              "two duplicate words or more (the rule's pre-test), words split by the rule's own separator class"),
)
_BY_CHECK = {(p.code, p.column): p for p in PREFILTERS}


def prefilter(code: str, column: str) -> Prefilter | None:
    """The prefilter of rule ``code`` over ``column`` (None: its predicate runs on every product)."""
    return _BY_CHECK.get((code, column))


def register(con) -> None:
    """Register every prefilter's SQL function on ``con`` (idempotent; a concurrent registration wins too)."""
    import duckdb  # noqa: PLC0415

    _separators()       # built now, not inside the first vector of an import
    exists = "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?"
    for p in PREFILTERS:
        if con.execute(exists, [p.function]).fetchall()[0][0]:
            continue
        try:
            con.create_function(p.function, p.body, ["VARCHAR"], "BOOLEAN", type="arrow",
                                null_handling="special", side_effects=False)
        except duckdb.CatalogException:
            if not con.execute(exists, [p.function]).fetchall()[0][0]:
                raise


__all__ = ["PREFILTERS", "Prefilter", "prefilter", "register", "title_may_repeat_word"]
