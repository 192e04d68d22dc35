"""Keep secrets out of logs: a ``logging.Filter`` that masks configured secrets and any LWA token.

``sp_api`` logs the request headers — including the ``x-amz-access-token`` — at DEBUG, so
:func:`install` keeps every ``sp_api`` logger at INFO or above *and* redacts each record as it is
created (a filter on a logger does not see records propagated from its children, and test or third
party handlers are added later), so a DEBUG handler added afterwards still gets masked text.
"""
from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote

MASK = "«redacted»"
# LWA access tokens start with Atza|, refresh tokens with Atzr| (also URL-encoded as %7C in form bodies).
TOKEN_RE = re.compile(r"Atz[ar](?:\||%7C|%7c)[^\s'\",;&}\])]+")
_MIN_SECRET_LEN = 6   # shorter values would mask ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def register_secrets(*values: str | None) -> None:
    """Add values (client id, client secret, refresh token) that must never be printed."""
    with _lock:
        for value in values:
            if value and len(value) >= _MIN_SECRET_LEN:
                _secrets.add(value)
                _secrets.add(quote(value, safe=""))


def redact(text: str) -> str:
    """``text`` with every registered secret and every ``Atza|``/``Atzr|`` token masked."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return TOKEN_RE.sub(MASK, text)


def mask_tail(value: str | None, keep: int = 4) -> str:
    """What the UI may show of a secret: bullets and at most its last ``keep`` characters."""
    if not value:
        return ""
    tail = value[-keep:] if len(value) > 2 * keep else ""
    return "••••" + tail


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked (never drops the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Format ``record``'s message once and store the redacted text (args consumed)."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not hide the record
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    return record


def install() -> None:
    """Install the redaction on every record, on the root and ``sp_api`` loggers (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            _clamp_sp_api_levels()
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return scrub(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    flt = RedactingFilter()
    logging.getLogger().addFilter(flt)
    logging.getLogger("sp_api").addFilter(flt)
    _clamp_sp_api_levels()


def _clamp_sp_api_levels() -> None:
    # sp_api prints the access token at DEBUG: never let its loggers go below INFO.
    names = ["sp_api"] + [n for n in logging.root.manager.loggerDict if n.startswith("sp_api.")]
    for name in names:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
