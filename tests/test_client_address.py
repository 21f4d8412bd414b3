"""The client's address behind a TLS proxy, taken in one place (security goal: no lock-out of
an account from everywhere; SPEC P-1 sign-in, D-3 access log, W-1 portal limits).

In production every connection comes from the proxy. ``X-Forwarded-For`` is believed only
when the connection comes from a proxy listed in ``TRUSTED_PROXIES``; otherwise it is
whatever the sender chose to write, and ignored.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

from estatedesk.core.clientaddr import client_ip
from estatedesk.records.models import PersonalDataAccess
from tests.clirun import clean_env
from tests.complaints.conftest import record
from tests.conftest import PASSWORD
from tests.helpers import frozen_at

PROXY = "10.0.0.2"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]


def via_proxy(client_address: str, **extra: str) -> Client:
    """A browser at ``client_address`` whose requests reach us through our TLS proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address, **extra)


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


# --- Sign-in lock-out ---------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_behind_the_proxy_a_strangers_wrong_passwords_lock_out_the_stranger_not_the_user(world, behind_proxy):
    login = reverse("login")
    stranger = via_proxy(CLIENT_A)
    answers = [
        stranger.post(login, {"username": "gm", "password": "guess"}).status_code
        for _ in range(django_settings.AXES_FAILURE_LIMIT)
    ]
    assert answers[-1] == 429 and set(answers[:-1]) == {200}

    # The stranger's address is locked out for gm, even with the right password …
    assert stranger.post(login, {"username": "gm", "password": PASSWORD}).status_code == 429
    # … but gm signs in from the office, through the same proxy.
    gm = via_proxy(CLIENT_B)
    assert gm.post(login, {"username": "gm", "password": PASSWORD}).status_code == 302
    assert gm.get(reverse("home")).status_code == 200

    # Sent straight to the app server, not through the proxy, X-Forwarded-For is the sender's own
    # writing: claiming a new address on each try neither escapes the lock-out nor moves it onto
    # gm's office.
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        forger = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}, {CLIENT_B}")
        forger.post(login, {"username": "gm", "password": "guess"})
    forger = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert forger.post(login, {"username": "gm", "password": PASSWORD}).status_code == 429
    assert via_proxy(CLIENT_B).post(login, {"username": "gm", "password": PASSWORD}).status_code == 302


# --- The personal-data access log ---------------------------------------------------------------


@pytest.mark.req("D-3")
def test_the_access_log_records_the_clients_address_not_the_proxys(world, behind_proxy):
    complaint = record(world)
    client = via_proxy(CLIENT_A)
    client.force_login(world.users["handler_a"])

    assert client.post(reverse("org:customer_reveal", args=[world.customer_a.pk])).status_code == 200
    assert client.post(reverse("complaints:act_reveal", args=[complaint.pk])).status_code == 200

    # Someone who reaches the app server directly cannot write another address into the log.
    direct = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="127.0.0.1")
    direct.force_login(world.users["handler_a"])
    assert direct.post(reverse("org:customer_reveal", args=[world.customer_a.pk])).status_code == 200

    logged = PersonalDataAccess.objects.order_by("pk")
    assert [(row.field, row.ip_address) for row in logged] == [
        ("phone", CLIENT_A),
        ("contact_phone", CLIENT_A),
        ("phone", "192.0.2.66"),
    ]


# --- Portal rate limits -------------------------------------------------------------------------


@pytest.mark.req("W-1")
def test_behind_the_proxy_the_portal_limits_each_resident_by_their_own_address(world, behind_proxy, settings):
    settings.PORTAL_RATE_LOOKUP_IP = "2/1m"
    # Mid-minute with the clock stopped: a window ending during the test would reset the counts.
    with frozen_at(datetime(2026, 12, 3, 4, 0, 30, tzinfo=UTC)):
        status = reverse("portal:status", args=["x" * 32])
        first = via_proxy(CLIENT_A)
        assert [first.get(status).status_code for _ in range(2)] == [404, 404]
        assert first.get(status).status_code == 429

        # Another resident behind the same proxy is not held back by the first one's tries.
        assert via_proxy(CLIENT_B).get(status).status_code == 404
        # Writing a new address into X-Forwarded-For without coming through the proxy changes nothing.
        for n in range(3):
            forged = Client(REMOTE_ADDR="192.0.2.200", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")
            assert forged.get(status).status_code == (404 if n < 2 else 429)


# --- The rule, case by case ---------------------------------------------------------------------


@pytest.mark.req("P-1")
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Not from a trusted proxy: the header is the sender's own writing.
        ("192.0.2.66", "198.51.100.7", "192.0.2.66"),
        # From our proxy: the right-most entry it appended.
        (PROXY, CLIENT_A, CLIENT_A),
        (PROXY, f"1.2.3.4, {CLIENT_A}", CLIENT_A),  # anything left of it is the client's own claim
        # Two of our proxies (a CDN edge, then the load balancer): both skipped.
        (PROXY, f"1.2.3.4, {CLIENT_A}, 10.9.8.7", CLIENT_A),
        # IPv6 proxies and clients; addresses written with brackets and ports.
        ("fd00::1", "2001:db8::5", "2001:db8::5"),
        (PROXY, "[2001:db8::5]:51234", "2001:db8::5"),
        (PROXY, f"{CLIENT_A}:443", CLIENT_A),
        ("::ffff:10.0.0.2", CLIENT_A, CLIENT_A),  # the proxy over an IPv4-mapped socket
        # Nothing usable: the last address we can vouch for.
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, "unknown", PROXY),
        (PROXY, f"{CLIENT_A}, not-an-address", PROXY),
        (PROXY, "\x00, 10.0.0.9", "10.0.0.9"),
        (PROXY, f"\x00\u202e, {CLIENT_A}", CLIENT_A),
        (PROXY, "x" * 10_000, PROXY),
        (PROXY, "10.0.0.7, 10.0.0.8", "10.0.0.7"),  # only our own hosts: the farthest one
        ("", CLIENT_A, ""),
        ("not-an-address", CLIENT_A, ""),
    ],
)
def test_the_client_address_is_the_first_untrusted_hop_from_the_right(
    behind_proxy, remote, forwarded, expected
):
    assert address(remote, forwarded) == expected


@pytest.mark.req("P-1")
def test_by_default_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = []
    assert address(PROXY, CLIENT_A) == PROXY


@pytest.mark.req("P-1")
def test_a_mistyped_trusted_proxy_stops_the_start(tmp_path):
    env = clean_env(
        TRUSTED_PROXIES="10.0.0.0/8, 10.0.0.300",
        DJANGO_SETTINGS_MODULE="estatedesk.settings",
        ESTATEDESK_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import estatedesk.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "10.0.0.300" in result.stderr
