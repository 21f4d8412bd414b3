"""Pages fetched as ids first (core.paging) are the same rows, in the same order, as a plain slice."""

from __future__ import annotations

import pytest
from django.db import connection

from estatedesk.core.paging import IdsFirstPaginator, rows_by_ids
from estatedesk.core.services import refresh_query_statistics
from estatedesk.org.models import Unit


@pytest.mark.req("A-1")
def test_a_page_by_ids_is_the_same_as_a_slice(world):
    for number in range(1, 120):
        Unit.objects.create(estate=world.estate_a, building=world.building_a, number=f"{number:04d}")
    ordered = Unit.objects.select_related("building").order_by("-number", "id")
    for start, stop in [(0, 10), (50, 100), (115, 200), (300, 310)]:
        assert [u.pk for u in rows_by_ids(ordered, start, stop)] == [u.pk for u in ordered[start:stop]]
    pages = IdsFirstPaginator(ordered, 50)
    last = pages.get_page(pages.num_pages)
    assert [u.pk for u in last.object_list] == [u.pk for u in ordered[100:]]
    assert last.object_list[0].building.name == world.building_a.name


@pytest.mark.req("A-1")
def test_sqlite_gets_query_statistics(world):
    ran = refresh_query_statistics()
    assert ran is (connection.vendor == "sqlite")
    if ran:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1")
            assert cursor.fetchone()[0] > 0
