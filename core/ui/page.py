"""``setup_page``: the first call of every page (page config, language, database, sidebar).

With a ``pages/`` folder each page can be opened directly by URL, without app.py running first, so
everything a page needs is set up here, idempotently, on every run.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from core import db
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator
from core.ui.nav import SCREENS, screen


@dataclass
class Page:
    """What a page works with during one script run."""
    t: Translator
    lang: str
    con: duckdb.DuckDBPyConnection   # a cursor of the process-wide connection, for this run only


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # One connection per server process; DuckDB allows a single read-write opener of the file.
    return db.connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """A cursor on the process-wide connection to the configured database."""
    return _connection(str(db.db_path())).cursor()


def setup_page(screen_id: str, *, layout: str = "wide") -> Page:
    """Configure the page, resolve the language, open the database and draw the sidebar."""
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    t = translator(lang)
    current = screen(screen_id)
    st.set_page_config(page_title=f"{t('nav.' + screen_id)} · {t('app.name')}", page_icon=current.icon,
                       layout=layout)
    page = Page(t=t, lang=lang, con=connection())
    _sidebar(page)
    return page


def _sidebar(page: Page) -> None:
    t = page.t
    with st.sidebar:
        st.markdown(f"### {t('app.name')}")
        for s in SCREENS:
            st.page_link(s.path, label=t("nav." + s.id), icon=s.icon)
        st.divider()
        codes = list(LANGUAGES)
        choice = st.selectbox(t("app.language"), codes, index=codes.index(page.lang),
                              format_func=LANGUAGES.__getitem__, key="_lang_picker")
        if choice != page.lang:
            st.session_state["lang"] = choice
            st.rerun()


def placeholder(page: Page, screen_id: str) -> None:
    """Body of a screen whose own issue is not done yet: what it will do, and a way back."""
    st.title(page.t("nav." + screen_id))
    st.info(page.t("placeholder." + screen_id))
    st.caption(page.t("common.coming_soon"))
    st.page_link(screen("catalogue").path, label=page.t("common.go_catalogue"), icon=":material/arrow_back:")


def project_path(relative: str) -> Path:
    """Absolute path of a project file (pages run with varying working directories in tests)."""
    return db.ROOT / relative
