"""Screen 'catalogue' (placeholder until its own issue lands)."""
from core.ui.page import placeholder, setup_page

page = setup_page("catalogue")
placeholder(page, "catalogue")
