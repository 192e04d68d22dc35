"""The Flat File's lines (core.mapping.query.lines_sql) and catalogue order without a sort
(core.flatfile._stream_in_row_order): the same bytes as the fields of mapped_sql joined and sorted."""
import hashlib
import random
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from core import flatfile
from core.exports.flatfile_export import ExportRequest, run
from core.mapping.default import DEFAULT_MAPPING, FIELDS, MappingRow
from core.mapping.query import LINE, lines_sql, mapped_sql
from core.marketplaces import marketplace
from tests.factories import make_products, product
from tests.unit.flatfile_cases import GOLDEN_PRODUCTS

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden" / "flatfile_fr.txt"

# Values that must fall back to the cleaned cells: a tab, CR or LF in any kind of text value, in a list
# item, a NULL or empty list item, more items than the mapping reads, NULL and empty lists.
AWKWARD = [
    product(sku="S\tKU", title="Titre\r\nsur deux lignes", brand="Mar\tque", manufacturer="Fab\rricant"),
    product(sku="IMG-TAB", images=["https://a/1.jpg", "https://a/\t2.jpg", "https://a/3.jpg"]),
    product(sku="IMG-LF", images=["https://a/1.jpg\n"], bullet_points=["un\rdeux", "trois\nquatre"]),
    product(sku="IMG-NULL", images=["https://a/1.jpg", None, "https://a/3.jpg"], bullet_points=[None, "b"]),
    product(sku="IMG-EMPTY-ITEM", images=["", "https://a/2.jpg"], bullet_points=["", ""]),
    product(sku="IMG-MANY", images=[f"https://a/{i}.jpg" for i in range(12)], bullet_points=list("abcdefg")),
    product(sku="IMG-NONE", images=[], bullet_points=[]),
    product(sku="IMG-NULL-LIST", images=None, bullet_points=None, description=None),
    product(sku="DESC", description="<p>a\tb</p>\r<p>c</p>", ean="  4006381333931 \t"),
    product(sku="PLAIN"),
]


def joined_fields_sql(con, rows=DEFAULT_MAPPING):
    fields = [r.field for r in rows]
    line = "concat(" + ", chr(9), ".join(f'"{f}"' for f in fields) + ", chr(10))"
    return f"SELECT _row, {line} AS _line FROM ({mapped_sql(con, rows, 'FR')})"


def test_lines_are_the_mapped_fields_joined(con):
    make_products(con, AWKWARD + GOLDEN_PRODUCTS)
    expected = dict(con.execute(joined_fields_sql(con)).fetchall())
    got = dict(con.execute(f"SELECT _row, {LINE} FROM ({lines_sql(con, DEFAULT_MAPPING, 'FR')})").fetchall())
    assert got == expected and len(got) == len(AWKWARD) + len(GOLDEN_PRODUCTS)
    # The awkward values were really cleaned (the fallback ran): one line, 29 cells each.
    assert all(v.count("\t") == len(FIELDS) - 1 and v.count("\n") == 1 and "\r" not in v for v in got.values())


def test_lines_of_other_mappings(con):
    make_products(con, AWKWARD)
    mappings = [
        (MappingRow("item_sku", "sku"), MappingRow("update_delete", constant="Update")),
        (MappingRow("feed_product_type", "category", transform="product_type"),),   # no text value
        (MappingRow("product_description", "description", transform="html_to_text"),
         MappingRow("x", "title", transform="truncate", param="10"), MappingRow("y", "images", transform="list_item",
                                                                              param="2")),
    ]
    for rows in mappings:
        expected = dict(con.execute(joined_fields_sql(con, rows)).fetchall())
        got = dict(con.execute(f"SELECT _row, {LINE} FROM ({lines_sql(con, rows, 'FR')})").fetchall())
        assert got == expected, rows


def test_golden_file_through_the_export(con, no_rules_engine, tmp_path):
    make_products(con, GOLDEN_PRODUCTS)
    out = run(con, ExportRequest(out=tmp_path / "f.txt"))
    # The golden header names LAMP and PRODUCT; the export names the types it writes: compare the data rows.
    assert out.file_path.read_bytes().split(b"\n")[1:] == GOLDEN.read_bytes().split(b"\n")[1:]


@pytest.fixture
def no_rules_engine(monkeypatch):
    from core.exports import flatfile_export
    monkeypatch.setattr(flatfile_export, "_validate", lambda *a, **k: None)


def shuffled_catalogue(con, n=300, seed=7):
    """``products`` whose rows are stored in a random order (as an import without insertion order leaves them)."""
    rows = [product(sku=f"SKU-{i:04d}", title=f"Produit {i}") for i in range(n)]
    make_products(con, rows)
    con.execute("CREATE OR REPLACE TABLE products AS SELECT * FROM products ORDER BY hash(_row, ?)", [seed])


def write(con, path, **kwargs):
    return flatfile.write(con, mapped_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), path, marketplace("FR"), [],
                          **kwargs)


def sorted_reference(con, tmp_path):
    """The file as DuckDB's ORDER BY writes it (the writer's fallback), for comparison."""
    return write(con, tmp_path / "ref.txt", order_by="_row + 0").path.read_bytes()


def test_rows_stored_out_of_order_are_written_in_catalogue_order(con, tmp_path):
    shuffled_catalogue(con)
    result = write(con, tmp_path / "f.txt")
    data = result.path.read_bytes()
    assert data == sorted_reference(con, tmp_path)
    skus = [line.split(b"\t")[1] for line in data.split(b"\n")[3:-1]]
    assert skus == [f"SKU-{i:04d}".encode() for i in range(300)]
    assert result.rows == 300 and result.sha256 == hashlib.sha256(data).hexdigest()


def batches_in_a_scrambled_order(monkeypatch, runs):
    """Make DuckDB's stream hand out runs of consecutive rows in a scrambled order, ``runs`` per batch."""
    real = flatfile._reader

    def scrambled(con, sql):
        table = real(con, sql).read_all()
        if flatfile.ROW not in table.column_names:      # the fallback's sorted stream: as it is
            return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        table = table.sort_by(flatfile.ROW)
        size = -(-table.num_rows // (runs * 4)) or 1
        pieces = [table.slice(i, size) for i in range(0, table.num_rows, size)]
        random.Random(3).shuffle(pieces)
        batches = [pa.concat_tables(pieces[i:i + runs]).combine_chunks().to_batches()[0]
                   for i in range(0, len(pieces), runs)]
        return pa.RecordBatchReader.from_batches(table.schema, batches)
    monkeypatch.setattr(flatfile, "_reader", scrambled)


def test_runs_handed_out_of_order_are_put_back_in_order(con, tmp_path, monkeypatch):
    shuffled_catalogue(con)
    expected = sorted_reference(con, tmp_path)
    batches_in_a_scrambled_order(monkeypatch, runs=3)
    fallback = []
    monkeypatch.setattr(flatfile, "_stream", lambda *a: fallback.append(a) or pytest.fail("sorted by DuckDB"))
    result = write(con, tmp_path / "f.txt")
    assert result.path.read_bytes() == expected and not fallback


def test_too_many_runs_fall_back_to_a_sort(con, tmp_path, monkeypatch):
    shuffled_catalogue(con)
    expected = sorted_reference(con, tmp_path)
    monkeypatch.setattr(flatfile, "_MAX_RUNS_PER_BATCH", 1)
    calls = []
    real_stream = flatfile._stream
    monkeypatch.setattr(flatfile, "_stream", lambda con, sql, sink: calls.append(sql) or real_stream(con, sql, sink))
    result = write(con, tmp_path / "f.txt")
    assert result.path.read_bytes() == expected and result.rows == 300
    assert len(calls) == 1 and calls[0].endswith("ORDER BY _row")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".flatfile-")] == []   # no temp file left


def test_too_much_held_back_falls_back_to_a_sort(con, tmp_path, monkeypatch):
    shuffled_catalogue(con)
    expected = sorted_reference(con, tmp_path)
    batches_in_a_scrambled_order(monkeypatch, runs=3)
    monkeypatch.setattr(flatfile, "_MAX_HELD_BYTES", 100)
    assert write(con, tmp_path / "f.txt").path.read_bytes() == expected


def test_a_repeated_row_number_is_sorted_by_duckdb(con, tmp_path):
    make_products(con, [product(sku="A"), product(sku="B"), product(sku="C")])
    con.execute("UPDATE products SET _row = 1 WHERE sku = 'C'")
    data = write(con, tmp_path / "f.txt").path.read_bytes()
    skus = sorted(line.split(b"\t")[1] for line in data.split(b"\n")[3:-1])
    assert skus == [b"A", b"B", b"C"]
    assert data.split(b"\n")[5].split(b"\t")[1] == b"B"     # _row 2 last, after the two _row 1


def test_unordered_and_line_column_give_the_same_rows(con, tmp_path):
    make_products(con, AWKWARD)
    by_fields = write(con, tmp_path / "a.txt").path.read_bytes()
    by_lines = flatfile.write(con, lines_sql(con, DEFAULT_MAPPING, "FR"), list(FIELDS), tmp_path / "b.txt",
                              marketplace("FR"), [], line_column=LINE).path.read_bytes()
    unordered = write(con, tmp_path / "c.txt", order_by=None).path.read_bytes()
    assert by_lines == by_fields
    assert sorted(unordered.split(b"\n")) == sorted(by_fields.split(b"\n"))


def test_a_row_handed_out_twice_is_not_trusted(con, tmp_path, monkeypatch):
    shuffled_catalogue(con, n=40)
    expected = sorted_reference(con, tmp_path)
    real = flatfile._reader

    def twice(con, sql):
        table = real(con, sql).read_all()
        if flatfile.ROW not in table.column_names:
            return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        table = table.sort_by(flatfile.ROW)
        late = pa.concat_tables([table.slice(20, 20), table.slice(20, 5), table.slice(20, 5)]).combine_chunks()
        return pa.RecordBatchReader.from_batches(table.schema, [late.to_batches()[0], table.slice(0, 20).to_batches()[0]])
    monkeypatch.setattr(flatfile, "_reader", twice)
    assert write(con, tmp_path / "f.txt").path.read_bytes() == expected


class _SlowFile:
    """A file object whose writes wait for a signal: the writer thread is behind on demand."""

    def __init__(self, fail_at: int | None = None):
        self.go, self.data, self.fail_at = threading.Event(), bytearray(), fail_at

    def write(self, b):
        self.go.wait(5)
        if self.fail_at is not None and len(self.data) >= self.fail_at:
            raise OSError("disk full")
        self.data += b

    def close(self):
        pass


def test_sink_put_never_blocks_and_wait_below_bounds_the_queue():
    fh = _SlowFile()
    with flatfile._Sink(fh, "utf-8") as sink:
        for i in range(10):                  # the writer is stuck: put() still returns at once
            sink.put(memoryview(bytes([65 + i]) * 1000))
        assert sink.queued == 10_000
        waited = threading.Event()
        waiter = threading.Thread(target=lambda: (sink.wait_below(3000), waited.set()))
        waiter.start()
        assert not waited.wait(0.2)          # 10,000 bytes queued > 3,000: the fetching loop waits
        fh.go.set()                          # the writer catches up
        assert waited.wait(5)
        waiter.join()
    assert bytes(fh.data) == b"".join(bytes([65 + i]) * 1000 for i in range(10)) and sink.size == 10_000
    assert sink.queued == 0 and sink.digest.hexdigest() == hashlib.sha256(bytes(fh.data)).hexdigest()


def test_sink_error_reaches_the_fetching_loop():
    fh = _SlowFile(fail_at=2000)
    fh.go.set()
    puts = 0
    with pytest.raises(OSError, match="disk full"):
        with flatfile._Sink(fh, "utf-8") as sink:
            for _ in range(100):
                sink.put(memoryview(b"x" * 1000))
                puts += 1
                sink.wait_below(0)           # raises once the writer thread has failed
    assert len(fh.data) == 2000 and puts == 3    # told at the wait that followed the failing chunk


def test_write_behind_hands_every_step_to_the_disk_and_keeps_the_bytes(con, tmp_path, monkeypatch):
    """The write-behind (posix_fadvise on the file as it grows) is advice only: same bytes and sha256 as
    a write without it; every step of the file is handed to the disk once, in order, then dropped."""
    make_products(con, [product(sku=f"WB-{i}", title=f"Produit {i} " * 8) for i in range(300)])
    sql, market = lines_sql(con, DEFAULT_MAPPING, "FR"), marketplace("FR")
    monkeypatch.setattr(flatfile, "_FADVISE", False)
    plain = flatfile.write(con, sql, list(FIELDS), tmp_path / "plain.txt", market, ["LAMP"], line_column=LINE)
    if not hasattr(flatfile.os, "posix_fadvise"):
        pytest.skip("no posix_fadvise on this system: the file is written without write-behind")
    calls, real = [], flatfile.os.posix_fadvise
    monkeypatch.setattr(flatfile, "_FADVISE", True)
    monkeypatch.setattr(flatfile, "_WRITE_BEHIND", 4096)
    monkeypatch.setattr(flatfile, "_BATCH_ROWS", 16)       # many chunks, as a large catalogue gives
    monkeypatch.setattr(flatfile.os, "posix_fadvise", lambda fd, off, n, advice: (calls.append((off, n)),
                                                                                   real(fd, off, n, advice))[1])
    behind = flatfile.write(con, sql, list(FIELDS), tmp_path / "behind.txt", market, ["LAMP"], line_column=LINE)
    assert (tmp_path / "behind.txt").read_bytes() == (tmp_path / "plain.txt").read_bytes()
    assert behind.sha256 == plain.sha256 and behind.bytes == plain.bytes and behind.rows == 300
    handed, dropped = calls[0::2], calls[1::2]
    assert len(handed) >= 10                      # ~19 chunks of more than 4 KB
    assert handed[0][0] == 0 and all(a[0] + a[1] == b[0] for a, b in zip(handed, handed[1:]))
    assert all(n >= 4096 for _, n in handed) and handed[-1][0] + handed[-1][1] <= plain.bytes
    assert dropped[1:] == handed[:-1]             # each step leaves the cache one step later


def test_write_behind_refused_by_the_file_system_changes_nothing(con, tmp_path, monkeypatch):
    make_products(con, [product(sku=f"WB-{i}") for i in range(50)])
    sql, market = lines_sql(con, DEFAULT_MAPPING, "FR"), marketplace("FR")
    monkeypatch.setattr(flatfile, "_FADVISE", False)
    plain = flatfile.write(con, sql, list(FIELDS), tmp_path / "plain.txt", market, ["LAMP"], line_column=LINE)

    attempts = []

    def refuse(*_):
        attempts.append(1)
        raise OSError(95, "Operation not supported")
    monkeypatch.setattr(flatfile, "_FADVISE", True)
    monkeypatch.setattr(flatfile, "_WRITE_BEHIND", 1024)
    monkeypatch.setattr(flatfile, "_BATCH_ROWS", 8)         # several chunks past the step
    monkeypatch.setattr(flatfile.os, "posix_fadvise", refuse, raising=False)
    refused = flatfile.write(con, sql, list(FIELDS), tmp_path / "refused.txt", market, ["LAMP"], line_column=LINE)
    assert (tmp_path / "refused.txt").read_bytes() == (tmp_path / "plain.txt").read_bytes()
    assert refused.sha256 == plain.sha256
    assert len(attempts) == 1                               # refused once: not asked again for this file
