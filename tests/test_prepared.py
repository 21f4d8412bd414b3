"""A query compiled once and run with new values (``core.prepared``; SPEC A-1, decision 0062)
answers what the ORM answers for the same values, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone

from estatedesk.complaints import actions, selectors
from estatedesk.complaints.models import Complaint
from estatedesk.core import policy
from estatedesk.core.prepared import Prepared
from estatedesk.notifications.models import Message
from estatedesk.notifications.selectors import unread_count
from estatedesk.org.models import Department, Estate, Staff
from tests.complaints.conftest import estate_b_complaint_papers, record


def _offices(*, estate_id: int, name: str):
    return (
        Department.objects.filter(estate_id=estate_id, active=True)
        .annotate(named=Exists(Department.objects.filter(pk=OuterRef("pk"), name=name)))
        .order_by("name", "pk")
    )


@pytest.mark.req("A-1")
def test_the_compiled_query_answers_as_the_orm_for_other_values(world):
    prepared = Prepared(_offices, estate_id=-424_242, name="\x01name\x01")
    for estate in Estate.objects.all():
        for name in ("", "nobody", *Department.objects.values_list("name", flat=True)):
            expected = list(_offices(estate_id=estate.pk, name=name))
            got = prepared.rows(estate_id=estate.pk, name=name)
            assert [model_to_dict(d) for d in got] == [model_to_dict(d) for d in expected]
            assert [bool(d.named) for d in got] == [d.named for d in expected]


@pytest.mark.req("A-1")
def test_a_sample_the_compiler_did_not_keep_as_given_is_refused():
    prepared = Prepared(
        lambda *, estate_id: Department.objects.filter(estate_id__in=[estate_id]), estate_id=True
    )
    with pytest.raises(ValueError, match="estate_id"):
        prepared.rows(estate_id=1)


@pytest.mark.req("K-1")
def test_intakes_settings_read_is_the_orms(world):
    for estate in Estate.objects.all():
        for channel in ("portal", "phone", "no-such-channel"):
            got = actions.deadline_settings(estate_id=estate.pk, channel=channel)
            expected = actions._settings_query(estate_id=estate.pk, channel=channel).get()  # noqa: SLF001
            assert model_to_dict(got) == model_to_dict(expected)
            assert (got.calendar_token, got.office_id, got.office_name, got.channel_offered) == (
                expected.calendar_token,
                expected.office_id,
                expected.office_name,
                bool(expected.channel_offered),
            )


def _related(complaint: Complaint) -> dict:
    """The complaint, the rows ``select_related`` brought with it, and the page's list flags."""
    unit = complaint.unit
    return {
        "complaint": model_to_dict(complaint),
        "estate": model_to_dict(complaint.estate),
        "category": model_to_dict(complaint.category),
        "department": model_to_dict(complaint.department) if complaint.department else None,
        "handler": model_to_dict(complaint.handler) if complaint.handler else None,
        "unit": model_to_dict(unit) if unit else None,
        "building": model_to_dict(unit.building) if unit else None,
        "phone": complaint.contact_phone,
        "flags": {name: bool(getattr(complaint, name)) for name in selectors.PAGE_LISTS},
    }


@pytest.mark.req("A-1")
def test_related_rows_and_annotations_come_as_the_orm_gives_them(world, django_assert_num_queries):
    """The complaint page's read (decision 0067): the related rows are filled from the same
    statement (no query when the page reaches them) and equal to the ORM's."""
    papers_of_b = estate_b_complaint_papers(world)
    plain = record(world)
    ids = [papers_of_b["complaints:detail"], plain.pk, -1]
    for pk in ids:
        expected = selectors._page_query(pk=pk).first()  # noqa: SLF001
        with django_assert_num_queries(1):
            got = selectors._PAGE.first(pk=pk)  # noqa: SLF001
            if got is not None:
                assert all((got.estate, got.category, got.department, got.unit.building))
                assert got.handler is None or got.handler.pk
        assert (_related(got) if got else None) == (_related(expected) if expected else None)
    assert _related(selectors._PAGE.first(pk=ids[0]))["flags"] == {  # noqa: SLF001
        "has_duplicates": False,
        "has_slips": True,
        "has_notices": False,
        "has_attachments": True,
        "has_visits": False,
    }


@pytest.mark.req("P-1")
def test_the_complaint_page_read_finds_exactly_what_the_users_scope_holds(world):
    """``get_complaint_page`` reads by id and asks the scope of the row: it answers 404 for
    exactly the complaints ``complaints_for`` leaves out, for every persona."""
    estate_b_complaint_papers(world)
    record(world)
    record(world, department=world.engineering)
    every = list(Complaint.objects.values_list("pk", flat=True))
    for persona, user in world.users.items():
        visible = set(selectors.complaints_for(user).values_list("pk", flat=True))
        for pk in every:
            try:
                selectors.get_complaint_page(user, pk)
                found = True
            except Http404:
                found = False
            assert found == (pk in visible), (persona, pk)
    for pk in (0, -5, 2**63, -(2**63) - 1, 10**30):
        with pytest.raises(Http404):
            selectors.get_complaint_page(world.users["gm"], pk)


@pytest.mark.req("P-1")
def test_a_union_of_values_comes_as_the_orm_gives_it(world):
    for staff in Staff.objects.all():
        expected = sorted(policy._scope_query(staff_id=staff.pk), key=str)  # noqa: SLF001
        assert sorted(policy._scope_rows(staff.pk), key=str) == expected  # noqa: SLF001


@pytest.mark.req("A-4")
def test_the_unread_count_is_the_orms_count(world):
    user = world.users["handler_a"]
    for _round in range(3):
        expected = Message.objects.filter(user=user, channel="in_app", read_at__isnull=True).count()
        user.__dict__.pop("_estatedesk_unread", None)
        assert unread_count(user) == expected
        Message.objects.create(user=user, channel="in_app", key=f"k{_round}", subject="s", body="b")
    Message.objects.filter(user=user).update(read_at=timezone.now())
    user.__dict__.pop("_estatedesk_unread", None)
    assert unread_count(user) == 0


@pytest.mark.req("W-1")
def test_the_portals_unit_search_is_the_orms(world):
    """Pattern lookups (iexact, istartswith, icontains) escape their text for LIKE: the compiled
    search escapes the resident's text the same way, wildcards and backslashes included."""
    from estatedesk.org import selectors as org
    from estatedesk.org.models import Unit

    units = list(Unit.objects.select_related("building")[:6])
    texts = [f"{u.building.name}-{u.number}" for u in units] + [
        f"{u.building.name} {u.number}" for u in units
    ]
    texts += [u.number for u in units] + ["3栋-1201", "3棟/1201", "1-1", "栋", "%", "_-%", "a\\b-1_", "3栋-%"]
    texts += [Estate.objects.first().name[:2], "1号楼-101", "1號樓-101"]
    found = 0
    for estate in Estate.objects.all():
        for text in texts:
            for limit in (5, 10):
                expected = list(
                    org.search_units(Unit.objects.filter(estate_id=estate.pk), text).select_related(
                        "building"
                    )[:limit]
                )
                got = org.estate_units_matching(estate.pk, text, limit)
                found += len(got)
                assert [(u.pk, u.building.name) for u in got] == [
                    (u.pk, u.building.name) for u in expected
                ], text
    assert found > 10  # the texts find units: the comparison is not of empty lists
