"""Log redaction: configured secrets and LWA tokens never reach a log handler, sp_api stays >= INFO."""
import logging

from core.spapi import redact


def test_redact_masks_registered_secrets_and_tokens():
    redact.register_secrets("my-very-secret-value", "Atzr|custom-refresh", "", None, "abc")
    text = ("secret=my-very-secret-value body=grant_type=refresh_token&refresh_token=Atzr%7Ccustom-refresh "
            "header {'x-amz-access-token': 'Atza|IwEBIOTHERTOKEN123'} abc")
    out = redact.redact(text)
    for leaked in ("my-very-secret-value", "custom-refresh", "IwEBIOTHERTOKEN123"):
        assert leaked not in out
    assert out.endswith("abc")            # too-short values are not treated as secrets
    assert redact.MASK in out


def test_records_are_redacted_even_for_handlers_added_later_at_debug(caplog):
    redact.install()
    redact.register_secrets("late-handler-secret-42")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sp_api.base.client")
    logging.getLogger("sp_api.base.client").debug("Request Headers: %s",
                                                  {"x-amz-access-token": "Atza|abcdefTOKEN"})
    logging.getLogger("some.module").warning("failed with %s", "late-handler-secret-42")
    text = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    assert "Atza|abcdefTOKEN" not in text and "late-handler-secret-42" not in text
    assert text.count(redact.MASK) >= 2


def test_install_keeps_sp_api_loggers_at_info_or_above():
    logging.getLogger("sp_api.base.client").setLevel(logging.DEBUG)
    redact.install()
    assert logging.getLogger("sp_api.base.client").level >= logging.INFO
    assert logging.getLogger("sp_api").level >= logging.INFO
