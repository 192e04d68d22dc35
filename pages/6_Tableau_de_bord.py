"""Screen 'dashboard' (placeholder until its own issue lands)."""
from core.ui.page import placeholder, setup_page

page = setup_page("dashboard")
placeholder(page, "dashboard")
