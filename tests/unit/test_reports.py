import io

import openpyxl
import pandas as pd

from core.reports import neutralise, to_csv_bytes, to_xlsx_bytes


def test_formula_triggers_are_prefixed():
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("+33 1 23") == "'+33 1 23"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Lampe") == "Lampe"
    assert neutralise(-3) == -3


def test_csv_and_xlsx_are_neutralised():
    df = pd.DataFrame({"sku": ["A1", "=cmd|' /C calc'!A0"], "n": [1, 2]})
    text = to_csv_bytes(df).decode("utf-8-sig")
    assert "\n'=cmd|" in text and text.startswith("sku;n")
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df)))
    cells = [c.value for c in wb.active["A"]]
    assert cells == ["sku", "A1", "'=cmd|' /C calc'!A0"]
