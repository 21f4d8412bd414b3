"""A query compiled once and run with new values (``core.prepared``; SPEC A-1, decision 0062)
answers what the ORM answers for the same values, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef
from django.forms.models import model_to_dict

from estatedesk.complaints import actions
from estatedesk.core.prepared import Prepared
from estatedesk.org.models import Department, Estate


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
