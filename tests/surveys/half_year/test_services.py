"""Half-year statistics (SPEC S-5, I-1): the categories below target and the issues many
owners raised, an action opened from a line and linked both ways, the sign-off that freezes
the figures, the conclusions kept from a stale save."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import Source
from estatedesk.org.models import Unit
from estatedesk.surveys.models import HalfYearLine
from estatedesk.surveys.services import half_year as svc
from tests.surveys.half_year.data import consultation, reason_code

S5 = pytest.mark.req("S-5")
I1 = pytest.mark.req("I-1")


def units(world, count):
    return [
        Unit.objects.create(
            estate=world.estate_a, building=world.building_a, number=f"H{i:03d}", occupied=True
        )
        for i in range(count)
    ]


def half_year_of_a(world):
    """Two consultations of 20 households each: cleaning 15 of 20 satisfied (75 %), security 20
    of 20; five households name the rubbish, one the lift."""
    reason_code("rubbish", "垃圾清运", "垃圾\n清运", "cleaning")
    reason_code("lift", "电梯", "电梯")
    found = units(world, 40)
    cleaning = [(True, "")] * 15 + [(False, "垃圾没有及时清运")] * 5
    consultation(
        world.building_a, date(2026, 2, 1), found[:20], {"cleaning": cleaning, "security": [(True, "")] * 20}
    )
    consultation(
        world.building_a,
        date(2026, 5, 1),
        found[20:],
        {"cleaning": [(True, "")] * 15 + [(False, "地面不干净")] * 5, "security": [(True, "")] * 20},
        remarks={0: "电梯经常坏"},
    )
    return svc.compute_half_year(actor=world.users["handler_a"], office=world.office_a, year=2026, half=1)


@S5
@I1
@pytest.mark.django_db
def test_a_category_below_target_is_listed_and_an_action_from_it_links_both_ways(world):
    stats = half_year_of_a(world)
    rows = {r["category"]: r for r in stats.figures["rows"]}
    assert rows["cleaning"]["consultation"]["n"] == 40
    assert rows["cleaning"]["consultation"]["rate"] == 75.0
    assert rows["cleaning"]["below_target"] and not rows["security"]["below_target"]
    assert stats.figures["consultations"] == 2 and stats.figures["heard"] == 40
    below = stats.lines.get(kind="below_target")
    assert below.category == "cleaning"
    assert "75.0%" in below.summary and "n=40" in below.summary

    action = improvement.open_action(
        actor=world.users["office_head_a"],
        kind="corrective",
        source=Source.HALF_YEAR_STATISTICS,
        title="清洁整改",
        problem=below.summary,
        source_half_year_line=below,
    )
    assert action.source_half_year_line == below
    assert list(below.improvement_actions.all()) == [action]
    assert action.department == world.office_a

    # Computed again (more answers came in): the line keeps its id, the action its link.
    again = svc.compute_half_year(actor=world.users["handler_a"], office=world.office_a, year=2026, half=1)
    assert again.pk == stats.pk
    assert HalfYearLine.objects.get(pk=below.pk).improvement_actions.get() == action


@S5
@pytest.mark.django_db
def test_an_issue_many_households_raised_is_listed_and_a_rare_one_is_not(world):
    stats = half_year_of_a(world)
    issues = {i["code"]: i for i in stats.figures["issues"]}
    assert issues["rubbish"]["households"] == 5 and issues["rubbish"]["listed"]
    assert issues["lift"]["households"] == 1 and not issues["lift"]["listed"]
    line = stats.lines.get(kind="issue")
    assert (line.reason_code, line.category, line.households) == ("rubbish", "cleaning", 5)
    assert "垃圾清运" in line.summary
    assert not stats.lines.filter(reason_code="lift").exists()


@S5
@pytest.mark.django_db
def test_after_sign_off_the_figures_are_kept_and_a_refresh_is_refused(world):
    stats = half_year_of_a(world)
    with pytest.raises(NotAllowed):
        svc.sign_off(actor=world.users["handler_a"], statistics=stats)
    with pytest.raises(NotAllowed):  # a department head, but not of this office
        svc.sign_off(actor=world.users["department_head"], statistics=stats)
    signed = svc.sign_off(actor=world.users["office_head_a"], statistics=stats)
    assert signed.signed and signed.signed_by_name == "office_head_a"
    with translation.override("zh-hans"), pytest.raises(AlreadyHandled, match="已签发"):
        svc.compute_half_year(actor=world.users["handler_a"], office=world.office_a, year=2026, half=1)
    with pytest.raises(AlreadyHandled):
        svc.sign_off(actor=world.users["gm"], statistics=stats)


@S5
@pytest.mark.django_db
def test_a_stale_conclusions_save_is_refused_and_nothing_is_lost(world):
    stats = half_year_of_a(world)
    first = svc.edit_conclusions(
        actor=world.users["handler_a"], statistics=stats, text="清洁需整改", based_on=0
    )
    assert first.edit_version == 1
    with pytest.raises(StaleEdit) as error:
        svc.edit_conclusions(
            actor=world.users["office_head_a"], statistics=stats, text="另一结论", based_on=0
        )
    assert error.value.status == 409
    stats.refresh_from_db()
    assert stats.conclusions == "清洁需整改"


@S5
@pytest.mark.django_db
def test_refusals_say_why(world):
    handler_b = world.users["handler_b"]
    with pytest.raises(InvalidInput):  # not their office
        svc.compute_half_year(actor=handler_b, office=world.office_a, year=2026, half=1)
    with pytest.raises(InvalidInput):
        svc.compute_half_year(actor=world.users["handler_a"], office=world.office_a, year=2026, half=3)
    with pytest.raises(InvalidInput):
        svc.compute_half_year(actor=world.users["handler_a"], office=world.office_a, year=2099, half=1)
    with pytest.raises(NotAllowed):
        svc.compute_half_year(actor=world.users["auditor"], office=world.office_a, year=2026, half=1)
    stats = half_year_of_a(world)
    with pytest.raises(NotFound):
        svc.sign_off(actor=handler_b, statistics=stats)
