import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.reports.test_dashboard import _spread, frozen_at, at
@pytest.mark.parametrize("persona", ["deputy_gm", "handler_a"])
def test_q(world, persona):
    _spread(world, 2)
    client = world.client(persona)
    with frozen_at(at(2026, 3, 25, 12, 0)), CaptureQueriesContext(connection) as q:
        client.get(reverse("reports:dashboard"))
    print(persona, len(q))
