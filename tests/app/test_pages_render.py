"""Every screen renders without exception, in both languages, on an empty database."""
import pytest

from core.i18n import LANGUAGES, message
from core.ui.nav import SCREENS
from tests.apptest import run_screen


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_screen_renders_empty(db_file, screen, lang):
    at = run_screen(screen.id, lang)
    assert not at.exception, [e.value for e in at.exception]
    # The sidebar navigation is translated.
    labels = [link.label for link in at.sidebar.get("page_link")]
    assert message("nav.settings", lang) in labels
    assert message("nav.quality", lang) in labels
