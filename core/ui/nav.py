"""The screens of the dashboard, in the guide's order: one entry per page file."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Screen:
    id: str          # stable id, also the message key under [nav] and [placeholder]
    path: str        # file run by Streamlit, relative to the project root
    icon: str


SCREENS: tuple[Screen, ...] = (
    Screen("home", "app.py", ":material/home:"),
    Screen("catalogue", "pages/1_Catalogue.py", ":material/inventory_2:"),
    Screen("quality", "pages/2_Qualite.py", ":material/fact_check:"),
    Screen("mapping", "pages/3_Mapping.py", ":material/swap_horiz:"),
    Screen("code2asin", "pages/4_Code2ASIN.py", ":material/qr_code:"),
    Screen("export", "pages/5_Export.py", ":material/upload:"),
    Screen("dashboard", "pages/6_Tableau_de_bord.py", ":material/monitoring:"),
    Screen("settings", "pages/7_Parametres.py", ":material/settings:"),
)


def screen(screen_id: str) -> Screen:
    """The screen whose id is ``screen_id``."""
    return next(s for s in SCREENS if s.id == screen_id)
