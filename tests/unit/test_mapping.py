"""Default mapping, profile validation on the server, versions with optimistic locking, category →
product type table, and the preview that marks the cells a transform changed."""
import threading

import pytest

from core import db as core_db
from core.mapping import product_types, profiles
from core.mapping.default import DEFAULT_MAPPING, FIELDS, default_row
from core.mapping.fields import known, label
from core.mapping.query import mapped_sql, preview
from core.mapping.transforms import CODES
from tests.factories import make_products, product

# The guide's "Mapping des champs" table: Products Manager field -> Amazon field.
GUIDE = {
    "item_sku": "sku", "item_name": "title", "product_description": "description", "standard_price": "price",
    "quantity": "stock_quantity", "main_image_url": "images", "brand_name": "brand",
    "manufacturer": "manufacturer", "external_product_id": "ean", "item_weight": "weight",
    **{f"other_image_url{i}": "images" for i in range(1, 9)},
    **{f"bullet_point{i}": "bullet_points" for i in range(1, 6)},
}


def rows_of(mapping=DEFAULT_MAPPING):
    return [{k: v for k, v in r.as_dict().items() if k != "locked"} for r in mapping]


def test_default_mapping_is_the_guides_table():
    for field, source in GUIDE.items():
        assert default_row(field).source == source, field
    assert default_row("item_name").transform == "truncate" and default_row("item_name").param == "200"
    assert default_row("product_description").transform == "html_to_text"
    assert [default_row(f"other_image_url{i}").param for i in range(1, 9)] == [str(i) for i in range(2, 10)]
    assert default_row("main_image_url").param == "1"
    assert [default_row(f"bullet_point{i}").param for i in range(1, 6)] == ["1", "2", "3", "4", "5"]
    assert default_row("external_product_id_type").transform == "ean_type"
    for extra in ("feed_product_type", "condition_type", "update_delete"):
        assert extra in FIELDS
    assert len(FIELDS) == len(set(FIELDS))
    assert all(r.transform in CODES for r in DEFAULT_MAPPING)
    assert all(known(f) for f in FIELDS)


def test_template_labels_follow_the_marketplace_language():
    assert label("item_name", "fr_FR") == "Nom du produit"
    assert label("item_name", "de_DE") == "Produktname"
    assert label("bullet_point3", "en_GB") == "Key Product Features3"
    assert label("other_image_url2", "fr_BE") == "URL d'une autre image 2"
    assert label("item_name", "pl_PL") == "Item Name"          # no Polish labels: English


# --- server-side validation -------------------------------------------------------------------

SOURCES = ["sku", "title", "description", "price", "stock_quantity", "images", "brand", "manufacturer", "ean",
           "weight", "bullet_points", "category"]


def keys(errors):
    return sorted({e.key for e in errors})


def test_default_rows_are_valid():
    assert profiles.validate(rows_of(), SOURCES) == []


def test_added_and_deleted_rows_are_refused():
    assert keys(profiles.validate(rows_of() + [{"field": "color_name", "source": "title", "transform": "none"}],
                                  SOURCES)) == ["rows_changed"]
    assert "rows_changed" in keys(profiles.validate(rows_of()[:-1], SOURCES))


def test_locked_field_column_and_locked_row_are_refused():
    rows = rows_of()
    rows[3]["field"] = "item_name_2"
    assert keys(profiles.validate(rows, SOURCES)) == ["locked_column"]
    rows = rows_of()
    rows[FIELDS.index("item_sku")]["source"] = "ean"
    assert keys(profiles.validate(rows, SOURCES)) == ["locked_row"]


def test_values_outside_the_lists_are_refused():
    rows = rows_of()
    i = FIELDS.index("item_name")
    rows[i]["source"] = "no_such_column"
    rows[i]["transform"] = "rot13"
    assert keys(profiles.validate(rows, SOURCES)) == ["unknown_source", "unknown_transform"]
    rows = rows_of()
    rows[i]["param"] = "deux cents"
    assert keys(profiles.validate(rows, SOURCES)) == ["bad_param"]
    rows[i]["param"] = "150"
    assert profiles.validate(rows, SOURCES) == []


def test_nan_cells_from_the_editor_count_as_empty():
    rows = rows_of()
    rows[FIELDS.index("update_delete")]["source"] = float("nan")
    assert profiles.validate(rows, SOURCES) == []


# --- versions and concurrency -----------------------------------------------------------------

def test_save_creates_versions_and_refuses_a_stale_base(con):
    make_products(con, [product()])
    assert profiles.load(con, "FR").version == 0
    rows = rows_of()
    rows[FIELDS.index("item_name")]["param"] = "150"
    p1 = profiles.save(con, "FR", "default", rows, based_on=0, user="alice")
    assert p1.version == 1
    # Bob opened version 0 too, and saves after Alice: refused, nothing overwritten.
    with pytest.raises(profiles.ProfileConflict) as exc:
        profiles.save(con, "FR", "default", rows_of(), based_on=0, user="bob")
    assert exc.value.current_version == 1
    assert profiles.load(con, "FR").rows[FIELDS.index("item_name")].param == "150"
    # Reset to the guide's default is a new version; the old ones stay.
    p2 = profiles.reset_to_default(con, "FR", "default", based_on=1)
    assert p2.version == 2 and profiles.load(con, "FR").rows == DEFAULT_MAPPING
    assert profiles.load(con, "FR", version=1).rows[FIELDS.index("item_name")].param == "150"
    assert [v[0] for v in profiles.versions(con, "FR", "default")] == [2, 1]
    # Profiles are per marketplace.
    assert profiles.load(con, "DE").version == 0


def test_invalid_edit_is_refused_and_not_stored(con):
    rows = rows_of()
    rows.append({"field": "evil", "source": "title", "constant": "", "transform": "none", "param": ""})
    with pytest.raises(profiles.InvalidMapping):
        profiles.save(con, "FR", "default", rows, based_on=0)
    assert profiles.latest_version(con, "FR", "default") == 0


def test_two_simultaneous_saves_one_wins(db_file):
    # Two threads (two users of the dashboard) save version 1 of the same profile at once.
    con = core_db.connect(db_file)
    outcomes = []

    def save(user):
        cur = con.cursor()
        try:
            profiles.save(cur, "FR", "shared", rows_of(), based_on=0, user=user)
            outcomes.append("saved")
        except profiles.ProfileConflict:
            outcomes.append("conflict")
        except Exception as exc:  # DuckDB write-write conflict between transactions
            outcomes.append(type(exc).__name__)
        finally:
            cur.close()

    threads = [threading.Thread(target=save, args=(u,)) for u in ("alice", "bob")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert outcomes.count("saved") == 1, outcomes
    assert con.execute("SELECT count(*) FROM mapping_profiles WHERE name = 'shared'").fetchone()[0] == 1
    con.close()


def test_sources_include_extra_catalogue_columns(con):
    make_products(con, [product()], extra_columns=("couleur",))
    assert "couleur" in profiles.sources(con) and "description_text" not in profiles.sources(con)


# --- categories → product types ---------------------------------------------------------------

def test_category_table_suggests_then_keeps_the_users_choice(con):
    make_products(con, [product(sku="A", category="Luminaires"), product(sku="B", category="Jouets & Jeux"),
                        product(sku="C", category="Divers")])
    t = product_types.table(con, "FR").set_index("category")
    assert t.loc["Luminaires", "product_type"] == "LAMP" and bool(t.loc["Luminaires", "suggested"])
    assert t.loc["Divers", "product_type"] == "PRODUCT"
    product_types.save(con, "FR", [{"category": "Divers", "product_type": "HOME", "browse_node": "123456"}])
    t = product_types.table(con, "FR").set_index("category")
    assert t.loc["Divers", "product_type"] == "HOME" and not bool(t.loc["Divers", "suggested"])
    sql = mapped_sql(con, DEFAULT_MAPPING, "FR")
    out = dict(con.execute(f"SELECT _sku, feed_product_type FROM ({sql})").fetchall())
    assert out == {"A": "LAMP", "B": "TOY_FIGURE", "C": "HOME"}
    nodes = dict(con.execute(f"SELECT _sku, recommended_browse_nodes FROM ({sql})").fetchall())
    assert nodes["C"] == "123456" and nodes["A"] is None
    # The DE marketplace has its own table.
    assert product_types.table(con, "DE").set_index("category").loc["Divers", "product_type"] == "PRODUCT"


def test_category_edits_are_validated():
    assert product_types.validate([{"category": "X", "product_type": "lamp; DROP", "browse_node": "12a"}]) == [
        (0, "product_type", "mapping.errors.product_type"), (0, "browse_node", "mapping.errors.browse_node")]
    with pytest.raises(ValueError):
        product_types.save(None, "FR", [{"category": "", "product_type": "LAMP"}])


# --- preview ----------------------------------------------------------------------------------

def test_preview_shows_written_values_and_marks_changed_cells(con):
    long_title = "Marque " + "mot " * 60                     # 247 characters
    make_products(con, [product(sku="A", title=long_title, description="<p>Lampe&nbsp;LED</p>"),
                        product(sku="B", title="Court", description="Texte simple")])
    values, changed = preview(con, DEFAULT_MAPPING, "FR")
    a, b = values.index[values["item_sku"] == "A"][0], values.index[values["item_sku"] == "B"][0]
    assert len(values.loc[a, "item_name"]) <= 200 and changed.loc[a, "item_name"]
    assert values.loc[b, "item_name"] == "Court" and not changed.loc[b, "item_name"]
    assert values.loc[a, "product_description"] == "Lampe LED" and changed.loc[a, "product_description"]
    assert not changed.loc[b, "product_description"]
    assert not changed.loc[a, "item_sku"]
    # The preview is the writer's SQL: same values.
    written = dict(con.execute(f"SELECT _sku, item_name FROM ({mapped_sql(con, DEFAULT_MAPPING, 'FR')})").fetchall())
    assert written["A"] == values.loc[a, "item_name"]


def test_flat_file_condition_follows_the_settings(con):
    from core import integrations
    make_products(con, [product(sku="A")])
    sql = lambda: mapped_sql(con, DEFAULT_MAPPING, "FR")  # noqa: E731
    assert con.execute(f"SELECT condition_type FROM ({sql()})").fetchone()[0] == "New"
    integrations.save_settings(con, integrations.IntegrationSettings(condition="refurbished"))
    assert con.execute(f"SELECT condition_type FROM ({sql()})").fetchone()[0] == "Refurbished"
