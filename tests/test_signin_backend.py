"""The sign-in backend reads the staff row with the user (``core.backends``, decision 0060): one
statement fewer on every staff page, the same people let in and kept out (SPEC P-1)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD

STAFF_ALONE = 'FROM "org_staff" WHERE "org_staff"."user_id"'


def _queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, [q["sql"] for q in captured.captured_queries]


@pytest.mark.req("P-1")
def test_a_signed_in_handler_s_staff_row_comes_with_the_user(world):
    client = Client()
    response = client.post(reverse("login"), {"username": "handler_a", "password": PASSWORD})
    assert response.status_code == 302  # signed in through the sign-in page, as people are
    assert client.session["_auth_user_backend"] == "estatedesk.core.backends.StaffModelBackend"
    client.get(reverse("home"))
    status, sql = _queries(client, reverse("complaints:list"))
    assert status == 200
    assert not [q for q in sql if STAFF_ALONE in q]
    assert any('"auth_user"' in q and '"org_staff"' in q for q in sql)


@pytest.mark.req("P-1")
def test_a_session_signed_in_through_django_s_backend_still_works(world):
    client = Client()
    client.force_login(world.users["handler_a"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("complaints:list")).status_code == 200


@pytest.mark.req("P-1")
def test_users_without_a_staff_row_are_let_in_or_kept_out_as_before(world):
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client()
    client.force_login(root)
    assert client.get(reverse("complaints:list")).status_code == 200  # a superuser is staff
    plain = get_user_model().objects.create_user("plain", "plain@example.com", PASSWORD)
    client = Client()
    client.force_login(plain)
    assert client.get(reverse("complaints:list")).status_code == 403


@pytest.mark.req("P-1")
def test_a_disabled_account_is_signed_out(world):
    client = world.client("handler_a")
    user = world.users["handler_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("complaints:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
