"""The sample catalogue's categories, brands, suppliers and product templates, as data."""
from __future__ import annotations

from dataclasses import dataclass

@dataclass(frozen=True)
class Brand:
    name: str
    manufacturer: str
    gs1_prefix: str        # 3-digit GS1 prefix of the EANs (issuing country: 376 France, 400 Germany …)
    company: str           # 4 digits


@dataclass(frozen=True)
class Item:
    noun: str                      # product type as it reads in a title
    image: str                     # main image file
    price: tuple[float, float]     # TTC range
    weight: tuple[int, int]        # grams
    features: tuple[str, ...]
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    name: str
    code: str                      # SKU prefix
    count: int
    brands: tuple[Brand, ...]
    suppliers: tuple[str, ...]
    items: tuple[Item, ...]
    secondary: tuple[str, ...]     # extra image files used as secondary images
    product_type: str              # Amazon product type for the sandbox seed
    browse_node: tuple[str, str]   # Amazon.fr browse node (id, name), illustrative
    restricted: bool = False       # Amazon asks for an approval before listing in it


SUPPLIERS = ("Distri Ouest SARL", "Grossiste Lyonnais", "Maison & Co Import", "TechnoStock Europe",
             "Atelier du Jardin Diffusion", "Bijouterie Martin Diffusion")
OWN_BRAND = Brand("Maison Vauban", "Maison Vauban SAS", "", "")   # the shop's own brand: GTIN-exempt

_B = Brand
CATEGORIES: tuple[Category, ...] = (
    Category("Maison", "MAI", 45, (_B("Lumina", "Lumina SAS", "376", "0011"),
                                   _B("Douceur d'Intérieur", "DDI Textiles", "376", "0012"),
                                   _B("Nordlicht", "Nordlicht GmbH", "400", "1234")),
             (SUPPLIERS[2], SUPPLIERS[1]), (
        Item("Lampe de bureau LED", "maison-lampe.png", (19.9, 89.0), (600, 1800),
             ("orientable", "à variateur tactile", "avec port USB"), ("noir", "blanc", "laiton"), ("40 cm", "52 cm"),
             ("Éclairage LED 8 W, trois températures de couleur", "Bras articulé en aluminium",
              "Variateur tactile sur le socle", "Port USB pour recharger un téléphone",
              "Ampoule intégrée, durée de vie 25 000 heures", "Socle lesté antibasculement")),
        Item("Housse de coussin", "maison-coussin.png", (9.9, 29.9), (150, 400),
             ("en lin lavé", "en velours côtelé", "en coton bio"), ("bleu canard", "terracotta", "vert sauge", "écru"),
             ("40 x 40 cm", "45 x 45 cm", "30 x 50 cm"),
             ("Fermeture éclair invisible", "Lavable en machine à 30 °C", "Garnissage non fourni",
              "Tissu certifié Oeko-Tex", "Coutures renforcées")),
        Item("Vase en céramique", "maison-vase.jpg", (14.9, 59.0), (400, 2200),
             ("émaillé", "mat texturé", "fait main"), ("terracotta", "bleu nuit", "blanc cassé"), ("20 cm", "32 cm"),
             ("Céramique émaillée à l'intérieur, étanche", "Pièce façonnée à la main", "Convient aux fleurs séchées",
              "Nettoyage à l'éponge humide")),
    ), ("maison-vase-bleu.tif", "scene-salon.jpg", "maison-coussin.png"), "HOME",
        ("57686031", "Cuisine et Maison › Décoration d'intérieur")),
    Category("Cuisine", "CUI", 45, (_B("Cuisinova", "Cuisinova SAS", "376", "0021"),
                                    _B("Le Potier Gourmand", "Poteries Réunies", "376", "0022"),
                                    _B("Casa Bella", "Casa Bella S.r.l.", "800", "4567")),
             (SUPPLIERS[2], SUPPLIERS[0]), (
        Item("Mug en grès", "cuisine-mug.png", (7.9, 19.9), (280, 450),
             ("émaillé", "à anse large", "double paroi"), ("sable", "bleu orage", "vert olive"), ("35 cl", "45 cl"),
             ("Grès émaillé résistant aux chocs", "Compatible lave-vaisselle et micro-ondes",
              "Anse ergonomique", "Fabriqué au Portugal", "Émail sans plomb ni cadmium")),
        Item("Poêle en fonte", "cuisine-poele.png", (24.9, 79.0), (1400, 3200),
             ("tous feux dont induction", "prête à l'emploi", "à poignée amovible"), ("noir",), ("24 cm", "28 cm"),
             ("Fonte épaisse pour une chaleur homogène", "Compatible induction et four",
              "Culottage végétal d'origine", "Poignée amovible", "Garantie dix ans")),
        Item("Bouteille isotherme", "cuisine-bouteille.jpg", (12.9, 34.9), (300, 520),
             ("en inox", "sans BPA", "à bouchon étanche"), ("vert menthe", "anthracite", "corail"), ("50 cl", "75 cl"),
             ("Garde au chaud 12 heures et au frais 24 heures", "Inox alimentaire 18/8",
              "Bouchon étanche à visser", "Sans BPA", "Tient dans un porte-gobelet")),
    ), ("scene-cuisine.jpg", "cuisine-bouteille.jpg"), "KITCHEN",
        ("57004031", "Cuisine et Maison › Cuisine")),
    Category("Jardin", "JAR", 30, (_B("Verdure & Co", "Verdure et Compagnie SA", "376", "0031"),
                                   _B("Jardimax", "Jardimax Industrie", "376", "0032")),
             (SUPPLIERS[4],), (
        Item("Pot de fleurs", "jardin-pot.png", (9.9, 49.0), (500, 4000),
             ("en terre cuite", "avec réserve d'eau", "en fibre de bois"), ("terracotta", "gris ardoise", "blanc"),
             ("Ø 25 cm", "Ø 35 cm", "Ø 45 cm"),
             ("Trou de drainage prépercé", "Résiste au gel jusqu'à -10 °C", "Réserve d'eau de 1,5 litre",
              "Matériau recyclable", "Soucoupe assortie vendue séparément")),
        Item("Guirlande solaire", "jardin-guirlande.png", (14.9, 39.9), (200, 650),
             ("à LED", "étanche IP65", "à détecteur crépusculaire"), ("blanc chaud", "multicolore"),
             ("5 m", "10 m"),
             ("Panneau solaire avec piquet", "Allumage automatique à la tombée de la nuit",
              "Étanche IP65", "Huit modes d'éclairage", "Autonomie de huit heures")),
    ), ("scene-jardin.jpg", "jardin-pot.png"), "OUTDOOR_LIVING",
        ("3244127031", "Jardin › Décoration extérieure")),
    Category("Bricolage", "BRI", 35, (_B("Outilpro", "Outilpro Industries", "376", "0041"),
                                      _B("Fixor", "Fixor GmbH", "401", "2345")),
             (SUPPLIERS[0], SUPPLIERS[1]), (
        Item("Marteau de menuisier", "bricolage-marteau.png", (11.9, 32.0), (450, 900),
             ("manche en frêne", "tête forgée", "antivibration"), ("rouge", "noir"), ("300 g", "500 g"),
             ("Tête en acier forgé trempé", "Manche en frêne ergonomique", "Arrache-clou intégré",
              "Fabriqué en France")),
        Item("Perceuse-visseuse sans fil", "bricolage-perceuse.png", (49.0, 189.0), (1100, 2100),
             ("18 V", "avec deux batteries", "sans charbon"), ("orange", "vert"), ("coffret", "carton"),
             ("Moteur sans charbon, couple de 50 Nm", "Deux batteries lithium-ion 2 Ah",
              "Mandrin automatique 13 mm", "Éclairage LED de la zone de perçage", "Livrée en coffret")),
    ), ("bricolage-marteau.png", "bricolage-perceuse.png"), "TOOLS",
        ("590756031", "Bricolage › Outillage électroportatif")),
    Category("Jouets", "JOU", 30, (_B("Kidoo", "Kidoo SAS", "376", "0051"),
                                   _B("P'tit Malin", "Petit Malin Jeux", "376", "0052")),
             (SUPPLIERS[1],), (
        Item("Ballon en mousse", "jouets-ballon.png", (5.9, 14.9), (80, 250),
             ("extra doux", "antichoc"), ("rose", "bleu", "jaune"), ("Ø 15 cm", "Ø 20 cm"),
             ("Mousse souple sans danger pour les petites mains", "Dès 3 ans", "Conforme à la norme EN 71",
              "Idéal pour jouer en intérieur")),
        Item("Peluche ourson", "jouets-ourson.png", (12.9, 39.9), (150, 600),
             ("toute douce", "lavable en machine"), ("caramel", "crème"), ("25 cm", "40 cm"),
             ("Tissu ultra doux", "Yeux brodés, sans pièce détachable", "Lavable à 30 °C",
              "Dès la naissance", "Conforme à la norme EN 71")),
        Item("Toupie en bois", "jouets-toupie.gif", (4.9, 12.9), (40, 120),
             ("peinte à la main", "en hêtre massif"), ("orange", "multicolore"), ("6 cm", "8 cm"),
             ("Bois de hêtre issu de forêts gérées durablement", "Peinture à l'eau", "Dès 3 ans")),
    ), ("jouets-ourson.png", "jouets-toupie.gif"), "TOYS_AND_GAMES",
        ("322086011", "Jeux et Jouets › Jouets d'éveil")),
    Category("Sport", "SPO", 35, (_B("Energym", "Energym SAS", "376", "0061"),
                                  _B("Tonic Outdoor", "Tonic Outdoor SL", "843", "6789")),
             (SUPPLIERS[0],), (
        Item("Haltères en fonte", "sport-halteres.png", (19.9, 69.9), (2000, 10000),
             ("revêtement néoprène", "à disques réglables"), ("noir", "gris"), ("2 x 2 kg", "2 x 5 kg"),
             ("Revêtement antidérapant", "Fonte pleine", "Paire livrée avec un support",
              "Poids gravé sur chaque disque")),
        Item("T-shirt de running", "sport-tshirt.png", (14.9, 34.9), (120, 200),
             ("respirant", "à séchage rapide"), ("bleu roi", "noir", "jaune fluo"), ("taille S", "taille M", "taille L"),
             ("Tissu respirant à séchage rapide", "Coutures plates anti-frottements", "Bandes réfléchissantes",
              "Lavable en machine à 30 °C")),
        Item("Tapis de yoga", "sport-tapis.png", (19.9, 49.9), (900, 1800),
             ("antidérapant", "en caoutchouc naturel"), ("violet", "vert sauge"), ("183 x 61 cm",),
             ("Surface antidérapante des deux côtés", "Épaisseur 6 mm", "Sangle de transport fournie",
              "Sans PVC")),
    ), ("sport-tshirt.png", "sport-halteres.png"), "SPORTING_GOODS",
        ("325614031", "Sports et Loisirs › Fitness et musculation")),
    Category("High-Tech", "HTE", 40, (_B("Voltix", "Voltix Electronics", "376", "0071"),
                                      _B("Sonora", "Sonora Audio GmbH", "402", "3456")),
             (SUPPLIERS[3],), (
        Item("Casque audio Bluetooth", "hightech-casque.png", (29.9, 149.0), (180, 320),
             ("à réduction de bruit", "pliable"), ("noir", "blanc", "bleu nuit"), ("circum-aural", "supra-aural"),
             ("Réduction de bruit active", "Autonomie de 30 heures", "Bluetooth 5.3 multipoint",
              "Câble jack fourni", "Coussinets à mémoire de forme")),
        Item("Coque de protection", "hightech-telephone.png", (7.9, 24.9), (30, 80),
             ("antichoc", "transparente"), ("noir", "transparent"), ("6,1 pouces", "6,7 pouces"),
             ("Coins renforcés antichoc", "Compatible recharge sans fil", "Bords surélevés pour l'écran",
              "Matériau souple TPU")),
        Item("Chargeur secteur USB-C", "hightech-chargeur.png", (14.9, 44.9), (60, 180),
             ("65 W", "compact GaN"), ("blanc", "noir"), ("1 port", "3 ports"),
             ("Charge rapide Power Delivery", "Technologie GaN compacte", "Protection contre la surchauffe",
              "Compatible ordinateurs portables")),
    ), ("hightech-telephone.png", "hightech-casque.png"), "HEADPHONES",
        ("13910691", "High-Tech › Casques et écouteurs")),
    Category("Beauté", "BEA", 30, (_B("Belle Provence", "Laboratoires Belle Provence", "376", "0081"),
                                   _B("Vitalia", "Vitalia Cosmetics", "840", "5678")),
             (SUPPLIERS[1], SUPPLIERS[2]), (
        Item("Crème hydratante visage", "beaute-pot.jpg", (9.9, 39.9), (80, 200),
             ("à l'aloe vera", "peaux sensibles"), ("sans parfum", "fleur d'oranger"), ("50 ml",),
             ("Hydrate 24 heures", "Formule vegan", "Testée sous contrôle dermatologique",
              "Fabriquée en Provence")),
        Item("Huile sèche corps", "beaute-flacon.png", (12.9, 29.9), (150, 250),
             ("aux huiles végétales", "pailletée"), ("monoï", "amande douce"), ("100 ml", "150 ml"),
             ("Pénètre sans laisser de film gras", "Flacon en verre recyclé", "Parfum délicat",
              "Pour le corps et les cheveux")),
    ), ("beaute-flacon.png", "beaute-pot.jpg"), "BEAUTY",
        ("197858031", "Beauté et Parfum › Soins du corps")),
    Category("Bijoux", "BIJ", 12, (_B("Maison Orélie", "Orélie Joaillerie", "376", "0091"),
                                   _B("Éclat de Lune", "Éclat de Lune SARL", "376", "0092")),
             (SUPPLIERS[5],), (
        Item("Bague en argent 925", "bijoux-bague.png", (29.0, 129.0), (5, 15),
             ("sertie d'un zircon", "martelée"), ("argent", "doré à l'or fin"), ("taille 52", "taille 56"),
             ("Argent massif 925 millièmes", "Livrée dans un écrin", "Hypoallergénique",
              "Fabriquée à la main en France")),
        Item("Collier pendentif", "bijoux-collier.png", (24.0, 99.0), (5, 20),
             ("médaille gravée", "perle de culture"), ("argent", "doré"), ("42 cm", "45 cm"),
             ("Chaîne forçat réglable", "Fermoir mousqueton", "Livré dans un écrin")),
    ), ("bijoux-collier.png",), "NECKLACE", ("193710031", "Bijoux › Colliers"), restricted=True),
    Category("Montres", "MON", 8, (_B("Horloval", "Horloval SA", "376", "0101"),
                                   _B("Chronostar", "Chronostar AG", "403", "4567")),
             (SUPPLIERS[5], SUPPLIERS[3]), (
        Item("Montre automatique", "montres-montre.png", (89.0, 399.0), (60, 140),
             ("bracelet cuir", "cadran squelette"), ("marron", "noir"), ("40 mm", "42 mm"),
             ("Mouvement automatique, réserve de marche 40 heures", "Verre saphir", "Étanche 50 m",
              "Bracelet en cuir de veau")),
        Item("Montre connectée", "montres-montre-acier.jpg", (49.0, 199.0), (40, 80),
             ("GPS intégré", "écran AMOLED"), ("acier", "noir"), ("41 mm", "45 mm"),
             ("Suivi du sommeil et de la fréquence cardiaque", "GPS intégré", "Autonomie de sept jours",
              "Étanche 5 ATM")),
    ), ("montres-montre-acier.jpg",), "WATCH", ("60649031", "Montres › Montres homme"), restricted=True),
    Category("Santé", "SAN", 10, (_B("Pharmavie", "Laboratoires Pharmavie", "376", "0111"),
                                  _B("Naturéa", "Naturéa SAS", "376", "0112")),
             (SUPPLIERS[0],), (
        Item("Complément alimentaire magnésium", "sante-boite.png", (8.9, 24.9), (60, 150),
             ("marin", "avec vitamine B6"), ("gélules",), ("60 gélules", "120 gélules"),
             ("Contribue à réduire la fatigue", "Magnésium d'origine marine", "Fabriqué en France",
              "Cure de deux mois")),
        Item("Gel hydroalcoolique", "sante-tube.png", (2.9, 9.9), (60, 550),
             ("à l'aloe vera", "sans parfum"), ("incolore",), ("75 ml", "500 ml"),
             ("Conforme à la norme EN 14476", "Sèche en quelques secondes", "Ne colle pas")),
    ), ("sante-tube.png",), "HEALTH_PERSONAL_CARE", ("197858031", "Hygiène et Santé › Premiers secours"),
        restricted=True),
)
CATEGORY_BY_NAME = {c.name: c for c in CATEGORIES}

# Real EANs and a UPC used by Amazon's and GS1's documentation; the sandbox seed knows them too.
DOC_EANS = ("4006381333931", "887276302195", "5901234123457")
