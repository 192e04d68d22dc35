from tests.factories import make_products, product


def test_make_products_shapes_the_table_like_the_import(con):
    make_products(con, [product(), product(sku="SKU-2", price="abc", images=[], description="<b>x</b>&amp;y")])
    rows = con.execute("SELECT sku, price, price_raw, images, description_text, _row FROM products ORDER BY _row").fetchall()
    assert rows[0][:2] == ("SKU-1", 29.9) and rows[0][3] == ["https://cdn.example.com/a.jpg"]
    assert rows[1][1] is None and rows[1][2] == "abc" and rows[1][3] == [] and rows[1][4] == "x&y" and rows[1][5] == 2
