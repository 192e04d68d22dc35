"""Home: catalogue status and links to every screen."""
import streamlit as st

from core.catalog.browse import selection_size
from core.catalog.store import catalogue_status
from core.ui.nav import SCREENS, screen
from core.ui.page import setup_page

page = setup_page("home")
t = page.t

st.title(t("home.title"))
st.caption(t("app.tagline"))

st.subheader(t("home.status"))
status = catalogue_status(page.con)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("common.products"), f"{status.products:,}".replace(",", " "))
c2.metric(t("common.categories"), status.categories)
c3.metric(t("common.suppliers"), status.suppliers)
# Date and time apart: the whole timestamp does not fit a metric in a four-column row.
c4.metric(t("common.last_import"),
          status.last_import.strftime("%d/%m/%Y") if status.last_import else t("common.never"),
          delta=status.last_import.strftime("%H:%M") if status.last_import else None, delta_color="off",
          delta_arrow="off")
if status.last_file:
    st.caption(status.last_file)
if status.products:
    # What Qualité and Export will work on: the selection chosen on the Catalogue page.
    name = st.session_state.get("selection", "")
    st.caption(t("catalogue.home_selection", name=name or t("common.all_products"),
                 n=selection_size(page.con, name)))
else:
    st.info(t("common.no_catalogue"))
    st.page_link(screen("catalogue").path, label=t("common.go_catalogue"), icon=":material/arrow_forward:")

st.subheader(t("home.screens"))
cols = st.columns(3)
for i, s in enumerate(SCREENS[1:]):
    cols[i % 3].page_link(s.path, label=t("nav." + s.id), icon=s.icon)
