"""Amazon error codes → explanation and fix, in every language, as data.

One :class:`KnownError` per problem, with a stable ``key``: the numeric codes Amazon reports for it
(processing reports, listing issues), the English message fragments that identify it when no code
is given (the guide's "Erreurs courantes" table quotes messages, not codes), and whether the guide
lists it. Texts live in the message catalogues under ``errors.<key>.title / .cause / .fix``; a test
refuses an entry whose texts are missing in a language.

Sources: the guide's "Erreurs courantes et solutions" table and spapi-reference §j.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import message


@dataclass(frozen=True)
class KnownError:
    key: str                        # message keys errors.<key>.title/.cause/.fix
    codes: tuple[str, ...] = ()     # Amazon error codes (as text)
    patterns: tuple[str, ...] = ()  # lower-case fragments of Amazon's English message
    in_guide: bool = False          # one of the guide's "Erreurs courantes"


KNOWN_ERRORS: tuple[KnownError, ...] = (
    # The guide's table, in its order.
    KnownError("sku_exists", ("8005",), ("sku already exists",), True),
    KnownError("invalid_product_id", ("5501", "5505", "8560"), ("invalid product id", "not a valid identifier"), True),
    KnownError("image_requirements", ("18027", "20000", "15"), ("image does not meet", "image url"), True),
    KnownError("brand_not_found", ("5665", "6024", "4000001"), ("brand name not found", "value for 'brand' is invalid"),
               True),
    KnownError("category_approval", ("6039", "8026"), ("category requires approval", "restricted product group"),
               True),
    KnownError("price_limits", ("90113", "90114", "18155"), ("price too low", "price too high", "pricing error"),
               True),
    KnownError("throttling", ("QuotaExceeded", "429"), ("throttl", "exceeded your quota"), True),
    # spapi-reference §j.
    KnownError("catalog_mismatch", ("8541",), ("contradicts", "different from what's already in the amazon catalog")),
    KnownError("multiple_asins", ("8542", "5500"), ("multiple asins",)),
    KnownError("asin_creation_refused", ("8566",), ("not eligible for asin creation",)),
    KnownError("gtin_brand_mismatch", ("8572",), ("do not match the products you are trying to list",)),
    KnownError("brand_gated", ("5461",), ("you may not create new asins for the brand",)),
    KnownError("asin_limit", ("8571",), ()),
    KnownError("product_id_conflict", ("5503", "5504", "8057"), ()),
    KnownError("sku_unknown", ("13013",), ("sku does not exist",)),
    KnownError("missing_attribute", ("90220", "99001", "99010", "90057", "99022"),
               ("is required but not supplied", "does not have enough values")),
    KnownError("invalid_attribute", ("90000900", "8105", "99016"), ("attributes are invalid", "data you provided for an attribute is invalid")),
    KnownError("policy_violation", ("99300", "18742"), ("rules violation", "restricted products policy")),
    KnownError("variation_child", ("8008",), ("child sku",)),
    KnownError("relevant_attributes", ("18448",), ()),
    KnownError("internal_error", ("4000000",), ("internal error has occurred",)),
)


def find(code: str | None, text: str | None = None) -> KnownError | None:
    """The known error of Amazon ``code``, else the one whose message fragment is in ``text``."""
    code = (code or "").strip()
    if code:
        for e in KNOWN_ERRORS:
            if code in e.codes:
                return e
    low = (text or "").lower()
    if low:
        for e in KNOWN_ERRORS:
            if any(p in low for p in e.patterns):
                return e
    return None


def explain(code: str | None, text: str | None, lang: str) -> tuple[str, str, str] | None:
    """(title, probable cause, fix) in ``lang`` for a reported error, or None when it is not known."""
    e = find(code, text)
    if e is None:
        return None
    return tuple(message(f"errors.{e.key}.{part}", lang) for part in ("title", "cause", "fix"))  # type: ignore[return-value]
