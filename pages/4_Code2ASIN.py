"""Screen 'code2asin' (placeholder until its own issue lands)."""
from core.ui.page import placeholder, setup_page

page = setup_page("code2asin")
placeholder(page, "code2asin")
