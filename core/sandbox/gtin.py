"""GTIN arithmetic the sandbox needs: check digit (GS1 mod-10) and the GTIN-14 form used as a match key."""
from __future__ import annotations

VALID_LENGTHS = (8, 12, 13, 14)


def check_digit_ok(code: str) -> bool:
    """True when ``code`` is 8/12/13/14 digits whose last digit is the GS1 check digit (weights 3,1 from the right)."""
    if not code.isdigit() or len(code) not in VALID_LENGTHS:
        return False
    body = code[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(code[-1])


def gtin14(code: str) -> str | None:
    """The GTIN-14 of an EAN-13 / UPC-12 / GTIN-8/14 (left-padded with zeros), None when not digits."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) > 14:
        return None
    return code.zfill(14)


def forms(code: str) -> dict[str, str]:
    """Every identifier form Amazon lists for a GTIN: EAN (13), UPC (12, when it starts with 0), GTIN (14)."""
    g = gtin14(code)
    if g is None:
        return {}
    out = {"GTIN": g}
    if g.startswith("0"):
        out["EAN"] = g[1:]
        if g.startswith("00"):
            out["UPC"] = g[2:]
    return out
