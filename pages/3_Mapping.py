"""Screen 'mapping': the mapping profile of a marketplace (edited in place, validated and versioned on
save), the category → Amazon product type table, and a live preview of the rows as written."""
import pandas as pd
import streamlit as st

from core.catalog.store import has_catalogue
from core.mapping import product_types, profiles
from core.mapping.query import preview
from core.mapping.transforms import CODES
from core.marketplaces import MARKETPLACES, DEFAULT_MARKETPLACE
from core.selection import load as load_selection
from core.ui.page import setup_page

page = setup_page("mapping")
t, con = page.t, page.con
EDITOR = "mapping_editor"

st.title(t("mapping.title"))
st.caption(t("mapping.intro"))

codes = [m.code for m in MARKETPLACES]
c1, c2, c3 = st.columns([1, 1, 1])
market = c1.selectbox(t("mapping.marketplace"), codes, index=codes.index(DEFAULT_MARKETPLACE),
                      format_func=lambda c: next(m.name for m in MARKETPLACES if m.code == c), key="mapping_marketplace")
names = profiles.names(con, market)
name = c2.selectbox(t("mapping.profile"), names, key="mapping_profile")
new_name = c3.text_input(t("mapping.new_profile"), key="mapping_new_profile", help=t("mapping.new_profile_help"))
if new_name.strip():
    name = new_name.strip()

# The version the edits are based on: fixed when the profile is opened, so that a save made by
# someone else meanwhile is detected instead of silently overwritten.
bases = st.session_state.setdefault("mapping_base", {})
ident = f"{market}::{name}"
if ident not in bases:
    bases[ident] = profiles.latest_version(con, market, name)
base = bases[ident]
profile = profiles.load(con, market, name, base)
if st.session_state.get("mapping_editor_for") not in (None, ident):
    st.session_state.pop(EDITOR, None)       # other profile: forget the edits of the previous one
st.session_state["mapping_editor_for"] = ident

if profile.version:
    saved = next((v for v in profiles.versions(con, market, name) if v[0] == profile.version), None)
    st.caption(t("mapping.version", version=profile.version, at=saved[1][:16] if saved else "", by=saved[2] if saved else ""))
else:
    st.caption(t("mapping.version_default"))

sources = profiles.sources(con)
table = pd.DataFrame([{k: v for k, v in r.as_dict().items() if k != "locked"} for r in profile.rows])
edited = st.data_editor(
    table, key=EDITOR, hide_index=True, num_rows="fixed", width="stretch",
    disabled=["field"],
    column_config={
        "field": st.column_config.TextColumn(t("mapping.col.field")),
        "source": st.column_config.SelectboxColumn(t("mapping.col.source"), options=[""] + sources,
                                                   help=t("mapping.col.source_help"),
                                                   format_func=lambda v: v or t("mapping.constant_source")),
        "constant": st.column_config.TextColumn(t("mapping.col.constant")),
        "transform": st.column_config.SelectboxColumn(t("mapping.col.transform"), options=list(CODES),
                                                      help=t("mapping.col.transform_help")),
        "param": st.column_config.TextColumn(t("mapping.col.param"), help=t("mapping.col.param_help")),
    })
rows = edited.to_dict("records")
problems = profiles.validate(rows, sources)

with st.expander(t("mapping.transforms_help_title")):
    st.markdown("\n".join(f"- `{c}` — {t('mapping.transforms.' + c)}" for c in CODES))

b1, b2, _ = st.columns([1, 1, 2])
if b1.button(t("mapping.save"), key="mapping_save", type="primary"):
    try:
        saved_profile = profiles.save(con, market, name, rows, based_on=base)
        bases[ident] = saved_profile.version
        st.session_state.pop(EDITOR, None)
        st.session_state["mapping_flash"] = t("mapping.saved", version=saved_profile.version, name=name)
        st.rerun()
    except profiles.InvalidMapping as exc:
        problems = exc.errors
        st.error(t("mapping.refused"))
    except profiles.ProfileConflict as exc:
        st.error(t("mapping.conflict", version=exc.current_version, base=base))
if b2.button(t("mapping.reset"), key="mapping_reset"):
    try:
        saved_profile = profiles.reset_to_default(con, market, name, based_on=base)
        bases[ident] = saved_profile.version
        st.session_state.pop(EDITOR, None)
        st.session_state["mapping_flash"] = t("mapping.reset_done", version=saved_profile.version)
        st.rerun()
    except profiles.ProfileConflict as exc:
        st.error(t("mapping.conflict", version=exc.current_version, base=base))
if profiles.latest_version(con, market, name) != base:
    st.warning(t("mapping.newer", version=profiles.latest_version(con, market, name)))
    if st.button(t("mapping.reload"), key="mapping_reload"):
        bases[ident] = profiles.latest_version(con, market, name)
        st.session_state.pop(EDITOR, None)
        st.rerun()
if flash := st.session_state.pop("mapping_flash", None):
    st.success(flash)
for p in problems:
    st.error(t("mapping.row_error", row=p.row + 1, column=p.column) + " — " + t("mapping.errors." + p.key, **p.params))

st.subheader(t("mapping.categories_title"))
st.caption(t("mapping.categories_intro"))
cats = product_types.table(con, market)
if cats.empty:
    st.info(t("mapping.no_categories"))
else:
    cat_edit = st.data_editor(
        cats, key="mapping_categories", hide_index=True, num_rows="fixed", width="stretch",
        disabled=["category", "suggested"],
        column_config={
            "category": st.column_config.TextColumn(t("mapping.cat.category")),
            "product_type": st.column_config.TextColumn(t("mapping.cat.product_type"), help=t("mapping.cat.product_type_help")),
            "browse_node": st.column_config.TextColumn(t("mapping.cat.browse_node")),
            "suggested": st.column_config.CheckboxColumn(t("mapping.cat.suggested")),
        })
    if st.button(t("mapping.categories_save"), key="mapping_categories_save"):
        cat_rows = cat_edit.to_dict("records")
        known = set(cats["category"])
        bad = product_types.validate(cat_rows)
        if len(cat_rows) != len(cats) or any(r.get("category") not in known for r in cat_rows):
            st.error(t("mapping.errors.categories_changed"))
        elif bad:
            for i, col, key in bad:
                st.error(t("mapping.row_error", row=i + 1, column=col) + " — " + t(key))
        else:
            product_types.save(con, market, cat_rows)
            st.success(t("mapping.categories_saved", n=len(cat_rows)))

st.subheader(t("mapping.preview_title"))
if not has_catalogue(con):
    st.info(t("common.no_catalogue"))
elif problems:
    st.info(t("mapping.preview_blocked"))
else:
    sel = load_selection(con, st.session_state.get("selection", ""))
    values, changed = preview(con, profiles.normalise(rows), market, sel, limit=20)
    n_changed = int(changed.to_numpy().sum())
    st.caption(t("mapping.preview_caption", n=len(values), changed=n_changed))
    styler = values.style.apply(lambda _: changed.map(lambda c: "background-color: #ffe08a" if c else ""), axis=None)
    st.dataframe(styler, key="mapping_preview", hide_index=True, width="stretch")
