"""Message catalogues: every user-facing string, one TOML file per language.

Keys are dotted (``catalogue.title``); values are ``str.format`` templates. French is the default.
A missing key falls back to French, then to the key itself, so a gap never crashes a page; the test
``tests/unit/test_i18n.py`` refuses a key present in one language and absent from another.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "fr"
LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English"}

Translator = Callable[..., str]


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of ``lang`` as a flat ``{dotted.key: template}`` dict."""
    with open(HERE / f"{lang}.toml", "rb") as fh:
        return _flatten(tomllib.load(fh))


def message(key: str, lang: str = DEFAULT_LANGUAGE, **params) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def translator(lang: str) -> Translator:
    """A ``t(key, **params)`` function bound to ``lang``."""

    def t(key: str, **params) -> str:
        return message(key, lang, **params)

    return t


def has_key(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """True when ``key`` exists in ``lang``'s catalogue."""
    return key in catalogue(lang)
