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
def test_sqlite_gets_query_statistics_when_they_are_missing_or_stale(world):
    if connection.vendor != "sqlite":
        assert refresh_query_statistics(force=True) is False  # autovacuum's job on PostgreSQL
        return
    for number in range(1, 1500):
        Unit.objects.create(estate=world.estate_a, building=world.building_a, number=f"x{number}")
    assert refresh_query_statistics(force=True) is True
    assert refresh_query_statistics() is False  # nothing changed since
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'org_unit' AND idx IS NOT NULL LIMIT 1")
        assert int(cursor.fetchone()[0].split()[0]) >= 1500
    Unit.objects.bulk_create(
        [Unit(estate=world.estate_a, building=world.building_a, number=f"y{n}") for n in range(1500)]
    )
    assert refresh_query_statistics() is True  # the table doubled


@pytest.mark.req("K-5")
def test_a_long_complaint_list_counts_up_to_a_cap_and_asks_for_filters(world, monkeypatch):
    from django.urls import reverse

    from estatedesk.core.paging import CappedPaginator
    from tests.complaints.conftest import record

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(4):
        record(world)
    client = world.client("handler_a")
    page = client.get(reverse("complaints:list")).content.decode()
    assert 'id="pager-capped"' in page
    page = client.get(reverse("complaints:list"), {"kind": "enquiry"}).content.decode()
    assert 'id="pager-capped"' not in page
    pages = CappedPaginator(Unit.objects.order_by("pk"), 2)
    assert pages.count == Unit.objects.count() == 2 and not pages.capped


@pytest.mark.req("A-1")
@pytest.mark.parametrize(
    ("number", "pages", "window"),
    [
        (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20]),
        (1, 20, [1, 2, 3, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),  # a gap of one page shows the page, not "…"
        (3, 5, [1, 2, 3, 4, 5]),
        (1, 1, [1]),
        (99, 7, [1, None, 5, 6, 7]),  # past the end: the last page
        (1, 0, []),
    ],
)
def test_the_pager_links_the_ends_and_the_pages_around_the_current_one(number, pages, window):
    from estatedesk.core.paging import page_window

    assert page_window(number, pages) == window
