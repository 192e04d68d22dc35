"""Exports dashboard under AppTest: history with translated statuses, details and downloads, and the
processing report's errors joined to products with the guide's explanation."""
import pytest

from core import db as core_db
from core import processing_report
from core.exports.flatfile_export import ExportRequest, run
from core.i18n import message
from tests.apptest import run_screen
from tests.factories import make_products, product

REPORT = ("Feed Processing Summary:\n\tNumber of records processed\t\t2\n\tNumber of records successful\t\t1\n\n"
          "original-record-number\tsku\terror-code\terror-type\terror-message\n"
          "2\tB\t\tError\tSKU already exists\n")


@pytest.fixture
def exported(db_file):
    con = core_db.connect(db_file)
    make_products(con, [product(sku="A"), product(sku="B", title="Lampe B", ean="5901234123457")])
    out = run(con, ExportRequest(user="alice"))
    processing_report.store(con, out.export_id, "report.txt", processing_report.parse(REPORT.encode()))
    con.close()
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_history_details_and_report(exported, lang):
    at = run_screen("dashboard", lang)
    assert not at.exception, [e.value for e in at.exception]
    frames = at.dataframe                 # in page order: the history, then the report's errors
    table = frames[0].value
    assert table[message("dashboard.col.status", lang)].tolist() == [message("dashboard.status.done", lang)]
    assert table[message("dashboard.col.user", lang)].tolist() == ["alice"]
    assert len(at.get("download_button")) == 1
    report = frames[1].value
    row = report.iloc[0]
    assert row[message("dashboard.report.col.sku", lang)] == "B"
    assert row[message("dashboard.report.col.title", lang)] == "Lampe B"
    assert row[message("dashboard.report.col.fix", lang)] == message("errors.sku_exists.fix", lang)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[message("dashboard.report.processed", lang)] == "2"


def test_empty_dashboard_says_so(db_file):
    at = run_screen("dashboard", "fr")
    assert not at.exception
    assert message("dashboard.empty", "fr") in [i.value for i in at.info]
