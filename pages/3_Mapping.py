"""Screen 'mapping' (placeholder until its own issue lands)."""
from core.ui.page import placeholder, setup_page

page = setup_page("mapping")
placeholder(page, "mapping")
