""""Tester la connexion" against the local sandbox: each of the four checks passing and failing."""
import socket

import pytest

from core.marketplaces import marketplace
from core.sandbox import accounts, server
from core.spapi.client import SpApiConfig
from core.spapi.connection_test import CHECKS, run_connection_test
from core.spapi.credentials import Credentials


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    srv = server.start(port=0, state_dir=tmp_path_factory.mktemp("sandbox"))
    yield srv
    srv.stop()


def config(url, refresh_token=accounts.DEMO_REFRESH_TOKEN, secret=accounts.DEMO_CLIENT_SECRET,
           client_id=accounts.DEMO_CLIENT_ID, market="FR"):
    return SpApiConfig("local_sandbox", marketplace(market), Credentials(client_id, secret, refresh_token),
                       accounts.DEMO_SELLER_ID, url)


def flat(outcomes):
    return [(o.check, o.status, o.reason) for o in outcomes]


def test_demo_account_passes_all_four_checks(sandbox):
    outcomes = run_connection_test(config(sandbox.url))
    assert [o.check for o in outcomes] == list(CHECKS)
    assert [o.status for o in outcomes] == ["passed"] * 4
    assert outcomes[3].params == {"marketplace": "Amazon.fr", "id": "A13V1IB3VIYZZH"}


def test_sandbox_down_fails_reachability_and_skips_the_rest():
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcomes = run_connection_test(config(f"http://127.0.0.1:{port}"))
    assert flat(outcomes) == [("api_reachable", "failed", "spapi.check.unreachable"),
                              ("credentials", "skipped", "spapi.check.skipped"),
                              ("permissions", "skipped", "spapi.check.skipped"),
                              ("marketplace", "skipped", "spapi.check.skipped")]
    assert outcomes[0].params["error"] == "ConnectError"


@pytest.mark.parametrize("kwargs,reason", [
    ({"secret": "wrong-secret-123456"}, "spapi.check.invalid_client"),
    ({"client_id": "amzn1.application-oa2-client.unknown"}, "spapi.check.invalid_client"),
    ({"refresh_token": "Atzr|sandbox-revoked"}, "spapi.check.invalid_grant"),
])
def test_bad_credentials_fail_the_lwa_check(sandbox, kwargs, reason):
    outcomes = run_connection_test(config(sandbox.url, **kwargs))
    assert flat(outcomes)[:2] == [("api_reachable", "passed", "spapi.check.reachable"),
                                  ("credentials", "failed", reason)]
    assert [o.status for o in outcomes[2:]] == ["skipped", "skipped"]


def test_a_wrong_secret_is_caught_even_after_a_good_one_cached_a_token(sandbox):
    assert run_connection_test(config(sandbox.url))[1].status == "passed"
    outcomes = run_connection_test(config(sandbox.url, secret="another-wrong-secret"))
    assert outcomes[1].reason == "spapi.check.invalid_client"


def test_missing_role_fails_the_permissions_check(sandbox):
    outcomes = run_connection_test(config(sandbox.url, refresh_token="Atzr|sandbox-norole"))
    assert flat(outcomes)[2:] == [("permissions", "failed", "spapi.check.forbidden"),
                                  ("marketplace", "skipped", "spapi.check.skipped")]
    assert outcomes[2].params["code"] == "Unauthorized"


def test_marketplace_not_participating_fails_the_marketplace_check(sandbox):
    outcomes = run_connection_test(config(sandbox.url, refresh_token="Atzr|sandbox-nofr"))
    assert [o.status for o in outcomes[:3]] == ["passed"] * 3
    assert (outcomes[3].status, outcomes[3].reason) == ("failed", "spapi.check.marketplace_absent")
    # The same seller is fine on Amazon.de.
    assert run_connection_test(config(sandbox.url, refresh_token="Atzr|sandbox-nofr", market="DE"))[3].status \
        == "passed"


def test_suspended_listings_and_individual_plan_are_warnings(sandbox):
    suspended = run_connection_test(config(sandbox.url, refresh_token="Atzr|sandbox-suspended"))
    assert (suspended[3].status, suspended[3].reason) == ("warning", "spapi.check.suspended_listings")
    individual = run_connection_test(config(sandbox.url, refresh_token="Atzr|sandbox-individual"))
    assert (individual[2].status, individual[2].reason) == ("warning", "spapi.check.individual_plan")
    assert all(o.passed for o in individual)


def test_spamming_the_test_is_reported_as_throttled_not_as_bad_credentials(tmp_path):
    # getMarketplaceParticipations: 0.016 rps. The client keeps half of Amazon's burst of 15 (7 calls),
    # then refuses to wait more than a few seconds and says so, instead of hanging for a minute.
    with server.start(port=0, state_dir=tmp_path / "sb") as srv:
        cfg = config(srv.url)
        statuses = [run_connection_test(cfg)[2] for _ in range(8)]
    assert [s.status for s in statuses[:7]] == ["passed"] * 7
    assert (statuses[7].status, statuses[7].reason) == ("failed", "spapi.check.throttled")
