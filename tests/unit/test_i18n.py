"""The message catalogues: same keys in every language, placeholders consistent, lookups work."""
import re
import string

import pytest

from core.i18n import LANGUAGES, catalogue, message, translator

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "fr"]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_key_exists_in_every_language(lang):
    fr, other = set(catalogue("fr")), set(catalogue(lang))
    assert sorted(fr - other) == [], f"keys missing in {lang}"
    assert sorted(other - fr) == [], "keys missing in fr"


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_placeholders_match_between_languages(lang):
    fr, other = catalogue("fr"), catalogue(lang)
    mismatched = [k for k in fr if k in other and _fields(fr[k]) != _fields(other[k])]
    assert mismatched == []


def test_no_empty_message():
    for lang in LANGUAGES:
        assert [k for k, v in catalogue(lang).items() if not v.strip()] == []


def test_lookup_formats_and_falls_back():
    assert message("common.of_pages", "fr", pages=3) == "sur 3"
    assert message("common.of_pages", "en", pages=3) == "of 3"
    assert translator("en")("nav.settings") == "Settings"
    assert translator("fr")("nav.settings") == "Paramètres"
    # An unknown language falls back to French, an unknown key to itself.
    assert message("nav.settings", "xx") == "Paramètres"
    assert message("no.such.key", "en") == "no.such.key"


def test_pages_use_no_hard_coded_french_in_titles():
    # Every st.title/st.header in pages and app.py goes through t(): no string literal argument.
    from core.db import ROOT
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"st\.(title|header|subheader|button|caption)\(\s*['\"]", line):
                offenders.append(f"{path.name}:{n}")
    assert offenders == []
