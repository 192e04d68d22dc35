"""The Qualité page's "Vérifier les images" button under AppTest, on the sample catalogue: the image checks
run, report their counts, and their rows reach the existing filters and table (and stay after a rules re-run)."""
from __future__ import annotations

from core.i18n import message
from tests.apptest import run_screen


def _table(at, lang="fr"):
    return next(df.value for df in at.dataframe if message("quality.col.hint", lang) in df.value.columns)


def test_button_checks_images_and_the_filters_show_them(sample_db):
    at = run_screen("quality", "fr")
    at.button(key="quality_images").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("41 images contrôlées (39 ouvertes, 0 déjà vérifiées)") for s in at.success)
    assert any("2 images non vérifiées" in i.value for i in at.info)    # ftp:// and a relative path
    at.multiselect(key="quality_f_code").set_value(["IMAGE_NOT_WHITE"]).run()
    table = _table(at)
    label = f'{message("images.IMAGE_NOT_WHITE.label", "fr")} (IMAGE_NOT_WHITE)'
    assert set(table[message("quality.col.code", "fr")]) == {label}
    assert set(table[message("quality.col.sku", "fr")]) == {"MAI-0034", "CUI-0025", "JOU-0016"}
    # the category filter knows these products (violation_products), and a rules re-run keeps the rows
    at.button(key="quality_run").click().run()
    assert not at.exception
    assert set(_table(at)[message("quality.col.sku", "fr")]) == {"MAI-0034", "CUI-0025", "JOU-0016"}
    assert "Maison" in at.multiselect(key="quality_f_category").options


def test_second_click_reads_the_cache(sample_db):
    at = run_screen("quality", "en")
    at.button(key="quality_images").click().run()
    at.button(key="quality_images").click().run()
    assert not at.exception
    assert any(s.value.startswith("41 images checked (0 opened, 39 already checked)") for s in at.success)
