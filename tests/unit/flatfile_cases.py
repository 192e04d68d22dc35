"""The small catalogue of the Flat File golden test (shared by the test and the golden's regeneration)."""
from tests.factories import product

GOLDEN_PRODUCTS = [
    product(sku="LAMP-001", title="Marque Lampe de bureau LED noire, 40 cm",
            description="<p>Lampe LED <b>orientable</b>.</p><ul><li>8 W</li><li>3 teintes</li></ul>",
            price="29.9", stock_quantity="25", images=[f"https://cdn.example.com/lamp-{i}.jpg" for i in range(10)],
            bullet_points=["Éclairage LED 8 W", "Bras articulé", "Pied lesté", "Câble 1,5 m", "Garantie 2 ans",
                           "Sixième point ignoré"], category="Luminaires"),
    product(sku="TAB\"QUOTE", title="Titre\tavec tabulation et \"guillemets\"",
            description="Texte brut\nsur deux lignes &amp; une entité", price="1234.5", stock_quantity="0",
            images=[], ean="012345678905", weight="350", bullet_points=[], brand="=Marque", category="Divers"),
    product(sku="LONG-🦆", title="Marque " + "très " * 45 + "longue fin", description=None, price=None,
            stock_quantity=None, images=None, ean=None, weight=None, bullet_points=None, manufacturer=None,
            category=None),
]
