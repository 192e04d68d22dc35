"""Screen 'settings' (placeholder until its own issue lands)."""
from core.ui.page import placeholder, setup_page

page = setup_page("settings")
placeholder(page, "settings")
