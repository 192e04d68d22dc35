"""The Qualité page under AppTest, on the sample catalogue: auto-run, score and charts, the filters
driving the table, the re-run button, the product view, and the English page."""
from __future__ import annotations

from core import db
from core.i18n import message
from core.rules.store import last_run
from tests.apptest import run_screen


def _frames(at, column_key):
    # st.dataframe elements carry no id here: tell them apart by a column of their own
    lang = at.session_state["lang"]
    return [df.value for df in at.dataframe if message(column_key, lang) in df.value.columns]


def _table(at):
    return _frames(at, "quality.col.hint")[0]


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _run_record(db_file):
    con = db.connect(db_file)
    try:
        return last_run(con)
    finally:
        con.close()


def test_page_runs_the_rules_and_shows_score_and_charts(sample_db):
    at = run_screen("quality", "fr")
    assert not at.exception, [e.value for e in at.exception]
    run = _run_record(sample_db)
    assert run is not None and run.products == 320 and run.lang == "fr"
    # the score metric is the share of products without ERROR, as recorded by the run
    score = _metric(at, message("quality.score", "fr"))
    assert score == f"{run.score:.1%}".replace(".", ",")
    assert 0 < run.blocked_products < run.products
    assert len(at.get("plotly_chart")) == 3
    table = _table(at)
    assert 0 < len(table) <= 50          # one page only


def test_filters_drive_the_table(sample_db):
    at = run_screen("quality", "fr")
    error = message("rules.severity.ERROR", "fr")
    at.multiselect(key="quality_f_severity").set_value(["ERROR"]).run()
    table = _table(at)
    assert len(table) > 0 and set(table[message("quality.col.severity", "fr")]) == {error}
    at.multiselect(key="quality_f_code").set_value(["TITLE_PROMO"]).run()
    table = _table(at)
    assert len(table) > 0
    assert table[message("quality.col.code", "fr")].str.endswith("(TITLE_PROMO)").all()
    # the promotional phrase is the offending value, and the guide's fix is the hint
    assert (table[message("quality.col.hint", "fr")] == message("rules.TITLE_PROMO.hint", "fr")).all()
    at.multiselect(key="quality_f_supplier").set_value(["Bijouterie Martin Diffusion"]).run()
    assert not at.exception
    assert set(_table(at)[message("quality.col.supplier", "fr")]) <= {"Bijouterie Martin Diffusion"}


def test_rerun_button_records_a_new_run(sample_db):
    at = run_screen("quality", "fr")
    first = _run_record(sample_db).run_id
    at.button(key="quality_run").click().run()
    assert not at.exception
    assert _run_record(sample_db).run_id > first
    # an unchanged catalogue does not trigger a run on a plain rerun
    at.run()
    assert _run_record(sample_db).run_id == first + 1


def test_product_view_highlights_the_fields_with_problems(sample_db):
    at = run_screen("quality", "fr")
    at.multiselect(key="quality_f_code").set_value(["EAN_CHECK_DIGIT"]).run()
    sku = at.selectbox(key="quality_sku_pick").value
    assert sku
    data = _frames(at, "quality.col.problems")[0]
    problems = dict(zip(data[message("quality.col.field", "fr")], data[message("quality.col.problems", "fr")]))
    assert "GS1" in problems["ean"]
    at.text_input(key="quality_sku").set_value("NO-SUCH-SKU").run()
    assert any("NO-SUCH-SKU" in i.value for i in at.info)


def test_english_page_reruns_in_english(sample_db):
    run_screen("quality", "fr")
    at = run_screen("quality", "en")
    assert not at.exception
    assert _run_record(sample_db).lang == "en"
    assert _metric(at, "Quality score").endswith("%")
    table = _table(at)
    assert set(table["Severity"]) <= {"Error", "Warning", "Info"}


def test_without_catalogue_the_page_says_so(db_file):
    at = run_screen("quality", "fr")
    assert not at.exception
    assert any(message("common.no_catalogue", "fr") in i.value for i in at.info)
