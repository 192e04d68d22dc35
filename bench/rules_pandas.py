"""The same Amazon rules written the pandas way (Arrow-backed dtypes, the fast pandas 3 setup per
PERFORMANCE-NOTES), as the baseline of bench/bench_rules.py. It returns (sku, code) pairs only — no
messages, hints or persistence — so the comparison favours pandas. Limits, lists and regexes are
imported from core.rules so both implementations check exactly the same things; bench_rules.py
cross-checks the counts per code.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.rules import config as cfg
from core.rules import definitions as d

SPACES = " \t\n\r\u00a0"
# str.contains with groups in the (shared) regexes only warns; the groups are irrelevant here.
warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression")


def _blank(s: pd.Series) -> pd.Series:
    return (s.isna() | (s.str.strip(SPACES) == "")).fillna(True).astype(bool)


def _b(mask) -> np.ndarray:
    return pd.Series(mask).fillna(False).astype(bool).to_numpy()


def _any_element(lists: pd.Series, predicate, first: int | None = None) -> np.ndarray:
    """Per row: does any element of the list (its first ``first`` ones) satisfy ``predicate``?"""
    arr = pa.chunked_array(lists.array._pa_array).combine_chunks() if hasattr(lists.array, "_pa_array") \
        else pa.array(lists)
    if first is not None:
        arr = pc.list_slice(arr, 0, first)
    flat = pd.Series(pc.list_flatten(arr), dtype=pd.ArrowDtype(pa.string()))
    parents = pc.list_parent_indices(arr).to_numpy()
    hit = _b(predicate(flat))
    out = np.zeros(len(lists), dtype=bool)
    out[parents[hit]] = True
    return out


def _norm_category(cat: pd.Series) -> pd.Series:
    mapping = {c: unicodedata.normalize("NFKD", c.strip().lower()).encode("ascii", "ignore").decode()
               for c in cat.dropna().unique()}
    return cat.map(mapping)


def check(df: pd.DataFrame, saved_types: dict[str, str] | None = None) -> pd.DataFrame:
    """All rules over ``df`` (the products table as Arrow-backed pandas): (sku, code) of each violation."""
    out: list[tuple[str, np.ndarray]] = []
    add = lambda code, mask: out.append((code, _b(mask)))   # noqa: E731
    sku, title, desc = df["sku"], df["title"], df["description_text"]
    sku_blank, title_blank = _blank(sku), _blank(title)
    add("SKU_MISSING", sku_blank)
    add("SKU_DUPLICATE", ~sku_blank & sku.duplicated(keep=False))
    add("SKU_TOO_LONG", sku.str.len() > cfg.SKU_MAX_CHARS)
    add("SKU_SPACES", ~sku_blank & (sku != sku.str.strip(SPACES)))
    add("TITLE_MISSING", title_blank)
    add("TITLE_TOO_LONG", title.str.len() > cfg.TITLE_MAX_CHARS)
    add("TITLE_ALL_CAPS", (title == title.str.upper()) & (title.str.replace(r"[^\pL]", "", regex=True).str.len() >= 6))
    add("TITLE_PROMO", title.str.contains(d.PROMO_REGEX, regex=True))
    add("TITLE_FORBIDDEN_CHARS", title.str.contains(d.FORBIDDEN_CHARS_REGEX, regex=True))
    exempt = set(cfg.TITLE_REPEAT_EXEMPT)
    words = title.str.lower().str.split(r"[^\pL\pN]+", regex=True)
    add("TITLE_WORD_REPEATED", words.map(
        lambda ws: ws is not None and max(Counter(w for w in ws if len(w) > 1 and w not in exempt).values(),
                                          default=0) > cfg.TITLE_MAX_WORD_REPEAT))
    brand, brand_blank = df["brand"], _blank(df["brand"])
    heads = title.str.lstrip(SPACES).str.lower()
    starts = [isinstance(t, str) and isinstance(b, str) and t.startswith(b)
              for t, b in zip(heads.tolist(), brand.str.strip(SPACES).str.lower().tolist())]
    add("TITLE_BRAND_NOT_FIRST", ~brand_blank & ~title_blank & ~pd.Series(starts, index=df.index))
    # description (already converted to text at import)
    add("DESCRIPTION_MISSING", _blank(desc))
    add("DESCRIPTION_TOO_LONG", desc.str.len() > cfg.DESCRIPTION_MAX_CHARS)
    nbytes = pd.Series(pc.binary_length(pc.cast(pa.array(desc.array), pa.binary())), dtype=pd.ArrowDtype(pa.int64()))
    add("DESCRIPTION_TOO_BIG", nbytes > cfg.DESCRIPTION_MAX_BYTES)
    add("DESCRIPTION_EMAIL", desc.str.contains(d.EMAIL_REGEX, regex=True))
    add("DESCRIPTION_URL", desc.str.contains(d.URL_REGEX, regex=True))
    add("DESCRIPTION_PHONE", desc.str.contains(d.PHONE_REGEX, regex=True))
    add("DESCRIPTION_CONTROL_CHARS", desc.str.contains(d.CONTROL_REGEX, regex=True))
    # bullet points
    bullets = df["bullet_points"]
    add("BULLETS_TOO_MANY", bullets.list.len() > cfg.BULLET_MAX_COUNT)
    add("BULLET_EMPTY", _any_element(bullets, _blank, cfg.BULLET_MAX_COUNT))
    add("BULLET_TOO_LONG", _any_element(bullets, lambda s: s.str.len() > cfg.BULLET_MAX_CHARS, cfg.BULLET_MAX_COUNT))
    add("BULLET_FORMULA", _any_element(
        bullets, lambda s: s.str.contains("^[=+@]", regex=True) | s.str.contains(d.CONTROL_REGEX, regex=True),
        cfg.BULLET_MAX_COUNT))
    # price, quantity, weight
    price, raw = df["price"], df["price_raw"]
    raw_blank = _blank(raw)
    add("PRICE_MISSING", raw_blank)
    add("PRICE_NOT_NUMBER", ~raw_blank & price.isna())
    add("PRICE_NOT_POSITIVE", price <= 0)
    add("PRICE_DECIMALS", (price * 100 - (price * 100).round()).abs() > 1e-6)
    positive = price.where(price > 0)
    grouped = positive.groupby(df["category"], dropna=False)
    med, n = grouped.transform("median"), grouped.transform("count")
    add("PRICE_OUTLIER", (price > 0) & (n >= cfg.PRICE_OUTLIER_MIN_PRODUCTS) & df["category"].notna()
        & ((price > med * cfg.PRICE_OUTLIER_FACTOR) | (price < med / cfg.PRICE_OUTLIER_FACTOR)))
    qraw = df["stock_quantity_raw"]
    qblank = _blank(qraw)
    add("QUANTITY_MISSING", qblank)
    add("QUANTITY_INVALID", ~qblank & ~qraw.str.strip(SPACES).str.fullmatch(r"[0-9]+(\.0+)?").fillna(False))
    add("WEIGHT_INVALID", ~_blank(df["weight_raw"]) & (df["weight"].isna() | (df["weight"] <= 0)))
    # images
    images = df["images"]
    # no list, an empty list or a blank first URL
    add("MAIN_IMAGE_MISSING", images.isna() | ~_any_element(images, lambda s: ~_blank(s), 1))
    url = re.compile(d.IMAGE_URL_REGEX)
    add("IMAGE_URL_INVALID", _any_element(images, lambda s: ~_blank(s) & ~s.str.fullmatch(url.pattern).fillna(False)))
    add("IMAGES_TOO_MANY", images.list.len() > cfg.IMAGE_MAX_SECONDARY + 1)
    # category, product type, brand, manufacturer
    cat = df["category"]
    cat_blank = _blank(cat)
    norm = _norm_category(cat)
    add("CATEGORY_MISSING", cat_blank)
    types = {}
    from core.mapping.product_types import SUGGESTIONS
    for c in cat.dropna().unique():
        key = unicodedata.normalize("NFKD", c.lower()).encode("ascii", "ignore").decode()
        types[c] = (saved_types or {}).get(c) or next((pt for rx, pt in SUGGESTIONS if re.search(rx, key)), None)
    add("PRODUCT_TYPE_GENERIC", ~cat_blank & cat.map(types).isna())
    add("CATEGORY_RESTRICTED", norm.isin(cfg.RESTRICTED_CATEGORIES))
    required = norm.isin(cfg.BRAND_REQUIRED_CATEGORIES)
    manu_blank = _blank(df["manufacturer"])
    add("BRAND_MISSING", brand_blank & required)
    add("BRAND_RECOMMENDED", brand_blank & ~required)
    add("MANUFACTURER_MISSING", manu_blank & required)
    add("MANUFACTURER_RECOMMENDED", manu_blank & ~required)
    # EAN / UPC
    ean = df["ean"]
    ean_blank = _blank(ean)
    shaped = _b(ean.str.fullmatch("[0-9]{12,13}"))
    digits = _b(ean.str.fullmatch("[0-9]+"))
    g = np.zeros(len(df), dtype=np.int64)
    g[shaped] = ean[shaped].astype("int64").to_numpy()
    total = sum(((g // 10 ** k) % 10) * (3 if k % 2 else 1) for k in range(1, 13))
    check_ok = (10 - total % 10) % 10 == g % 10
    prefix = g // 10_000_000_000
    add("EAN_MISSING", ean_blank & ~df["gtin_exempt"].fillna(False).astype(bool))
    add("EAN_NOT_DIGITS", ~ean_blank & ~digits)
    add("EAN_LENGTH", digits & ~shaped)
    add("EAN_CHECK_DIGIT", shaped & ~check_ok)
    add("EAN_RESTRICTED_PREFIX", shaped & (((prefix >= 20) & (prefix <= 29)) | ((prefix >= 40) & (prefix <= 49))
                                            | ((prefix >= 200) & (prefix <= 299))))
    by_ean = df["sku"].groupby(ean)
    add("EAN_DUPLICATE", ~ean_blank & (by_ean.transform("min") != by_ean.transform("max")))
    add("EAN_IS_UPC", shaped & (ean.str.len() == 12) & check_ok)
    # text unsafe in a spreadsheet or a file
    for col in d.TEXT_FIELDS:
        add("TEXT_FORMULA", df[col].str.contains("^[=+@]", regex=True))
        if col != "description_text":
            add("TEXT_CONTROL_CHARS", df[col].str.contains(d.CONTROL_REGEX, regex=True))
    skus = df["sku"].to_numpy()
    return pd.DataFrame({"sku": np.concatenate([skus[m] for _, m in out]),
                         "code": np.concatenate([np.full(int(m.sum()), c, dtype=object) for c, m in out])})
