"""Seller Central processing report: parsed, stored against an export, joined to products and to the
known error explanations."""
import pandas as pd
import pytest

from core import processing_report as pr
from tests.factories import make_products, product

REPORT = (
    "Feed Processing Summary:\n"
    "\tNumber of records processed\t\t3\n"
    "\tNumber of records successful\t\t1\n"
    "\n"
    "original-record-number\tsku\terror-code\terror-type\terror-message\n"
    "1\tLAMP-001\t8560\tError\tSKU LAMP-001, Missing Attributes standard_product_id. SKU LAMP-001 does not match any ASIN.\n"
    "2\tLAMP-002\t\tError\tThe SKU already exists in your Seller Central inventory\n"
    "2\tLAMP-002\t18448\tWarning\tRelevant attributes are incomplete\n"
    "3\tGHOST\t12345\tError\tUnknown problem “with quotes”\n"
)


def test_parse_summary_and_rows():
    rep = pr.parse(REPORT.encode("utf-8"))
    assert (rep.processed, rep.successful) == (3, 1)
    assert rep.rows["sku"].tolist() == ["LAMP-001", "LAMP-002", "LAMP-002", "GHOST"]
    assert rep.rows["record"].tolist() == [1, 2, 2, 3]
    assert rep.rows.loc[3, "message"] == "Unknown problem “with quotes”"


def test_parse_windows_1252_and_crlf():
    rep = pr.parse(REPORT.replace("“with quotes”", "été").replace("\n", "\r\n").encode("cp1252"))
    assert rep.rows.loc[3, "message"] == "Unknown problem été"


@pytest.mark.parametrize("data,key", [(b"", "dashboard.report.errors.empty"),
                                      (b"sku\tprice\nA\t1\n", "dashboard.report.errors.no_header")])
def test_not_a_report(data, key):
    with pytest.raises(pr.ReportError) as exc:
        pr.parse(data)
    assert exc.value.key == key


def test_errors_joined_to_products_and_explained(con):
    make_products(con, [product(sku="LAMP-001", title="Lampe 1"), product(sku="LAMP-002", title="Lampe 2")])
    report_id = pr.store(con, 7, "report.txt", pr.parse(REPORT.encode()))
    rows = pr.errors(con, report_id, "fr")
    assert rows["sku"].tolist() == ["LAMP-001", "LAMP-002", "LAMP-002", "GHOST"]
    assert rows["title"].tolist()[:3] == ["Lampe 1", "Lampe 2", "Lampe 2"] and rows["title"].isna().tolist()[3]
    by_code = {(r.sku, r.code): r for r in rows.itertuples()}
    assert by_code[("LAMP-001", "8560")].explanation == "Invalid product ID"
    assert by_code[("LAMP-002", "")].fix == "Utilisez un SKU unique ou mettez à jour l'offre existante."
    assert by_code[("LAMP-002", "18448")].explanation == "Attributs recommandés incomplets"
    assert pd.isna(by_code[("GHOST", "12345")].explanation)
    summary = pr.reports_of(con, 7).iloc[0]
    assert (summary["processed"], summary["successful"], summary["errors"], summary["warnings"]) == (3, 1, 3, 1)
    assert pr.errors(con, report_id, "en").loc[0, "cause"] == "EAN code invalid or not recognised by Amazon."
