"""Shared Streamlit widgets and the one setup call every page starts with (the only place, with
pages/ and app.py, that imports streamlit)."""
