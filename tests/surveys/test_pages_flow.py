"""The staff pages of a survey's life (SPEC S-7, S-8, P-1): prepare, draw, the sample, the
progress, paper questionnaires, as a user sees them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.org.models import EstateKind
from estatedesk.surveys import selectors, services
from estatedesk.surveys.models import Household, Response, Survey
from tests.surveys.conftest import add_households, annual

pytestmark = pytest.mark.django_db


def client_of(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def persona(world: Any, name: str, language: str = "en") -> Client:
    return client_of(world.users[name], language)


def drawn(world: Any, supervisor: Any, **extra: Any) -> Survey:
    add_households(world.building_a, 6)
    add_households(world.building_a, 2, occupied=False)
    add_households(world.building_b, 4)
    survey = annual(world, supervisor, **extra)
    return services.draw_sample(actor=supervisor, survey=survey, seed="pages")


def opened(survey: Survey) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(status="open")
    survey.refresh_from_db()
    return survey


@pytest.mark.req("S-7")
def test_a_supervisor_prepares_and_draws_a_survey_through_the_pages(world, supervisor):
    add_households(world.building_a, 5)
    add_households(world.building_a, 3, occupied=False)
    add_households(world.building_b, 3)
    client = client_of(supervisor)
    listing = client.get(reverse("surveys:list"))
    assert listing.status_code == 200
    assert b'id="prepare-survey"' in listing.content
    form = client.get(reverse("surveys:create"))
    assert form.status_code == 200
    initial = form.context["form"].initial
    response = client.post(
        reverse("surveys:create"),
        {
            "kind": "annual",
            "title": "2026年度业户满意度调查",
            "estates": [world.estate_a.pk, world.estate_b.pk],
            "share": "50",
            "template": initial["template"],
            "office_template": initial["office_template"],
            "improvements": "大堂翻新",
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert response["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert survey.office_version_id == initial["office_template"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'id="draw-form"' in page.content

    response = client.post(reverse("surveys:draw", args=[survey.pk]), {"seed": "seed-2026"})
    assert response.status_code == 302
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    text = page.content.decode()
    assert "seed-2026" in text and "Sample drawn" in text
    survey.refresh_from_db()
    assert survey.status == "drawn"
    # Per estate: 6 occupied in A (the world's unit + 5) → 3; 4 occupied in B → 2; 3 vacant left out.
    rows = {row.estate.code: row for row in page.context["estates"]}
    assert (rows["A"].frame_size, rows["A"].vacant_count, rows["A"].sample_size) == (6, 3, 3)
    assert (rows["B"].frame_size, rows["B"].sample_size) == (4, 2)
    assert Household.objects.filter(survey=survey).count() == 5
    assert b'id="sample-link"' in page.content
    # Drawn once: a second draw is refused on the page, nothing drawn again.
    again = client.post(reverse("surveys:draw", args=[survey.pk]), {"seed": "other"})
    assert again.status_code == 409
    assert Household.objects.filter(survey=survey).count() == 5


@pytest.mark.req("S-7")
def test_a_refused_survey_keeps_everything_typed(world, supervisor):
    client = client_of(supervisor)
    response = client.post(
        reverse("surveys:create"),
        {"kind": "special", "title": "电梯专项调查", "share": "30", "improvements": "加装电梯"},
    )
    # No default questionnaire chosen: the form says so; a special survey without estates too.
    assert response.status_code == 422
    form = response.context["form"]
    assert form.data["title"] == "电梯专项调查"
    template = selectors.default_version(EstateKind.RESIDENTIAL)
    response = client.post(
        reverse("surveys:create"),
        {"kind": "special", "title": "电梯专项调查", "share": "30", "template": template.pk},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["estates"] == ["Choose the estates the survey covers."]
    assert 'value="电梯专项调查"' in response.content.decode()
    assert not Survey.objects.exists()


@pytest.mark.req("S-7")
def test_who_may_not_prepare_is_told_so(world):
    client = persona(world, "handler_a")
    assert b'id="prepare-survey"' not in client.get(reverse("surveys:list")).content
    assert client.get(reverse("surveys:create")).status_code == 403


@pytest.mark.req("P-1")
def test_a_handler_of_estate_b_sees_only_estate_b(world, supervisor):
    survey = opened(drawn(world, supervisor))
    a_units = set(
        Household.objects.filter(survey=survey, estate=world.estate_a).values_list("unit_id", flat=True)
    )
    client = persona(world, "handler_b")
    sample = client.get(reverse("surveys:sample", args=[survey.pk]))
    assert sample.status_code == 200
    shown = {h.unit_id for h in sample.context["page"].object_list}
    assert shown and not shown & a_units
    assert all(h.estate_id == world.estate_b.pk for h in sample.context["page"].object_list)
    # Filtering by estate A's id is a dropped filter, not a way in.
    sneaky = client.get(reverse("surveys:sample", args=[survey.pk]), {"estate": world.estate_a.pk})
    assert all(h.estate_id == world.estate_b.pk for h in sneaky.context["page"].object_list)
    for url in (reverse("surveys:detail", args=[survey.pk]), reverse("surveys:progress", args=[survey.pk])):
        text = client.get(url).content.decode()
        assert world.estate_b.name in text
        assert world.estate_a.name not in text
    export = client.get(reverse("surveys:sample_export", args=[survey.pk]))
    assert export.status_code == 200
    # A survey of estate A alone is not found for the handler of B, on every page.
    only_a = services.create_survey(
        actor=supervisor, kind="special", title="翠湖专项", estate_ids=[world.estate_a.pk]
    )
    for name in ("detail", "progress", "sample", "sample_export", "paper", "draw"):
        assert client.get(reverse(f"surveys:{name}", args=[only_a.pk])).status_code == 404, name
    assert client.post(reverse("surveys:draw", args=[only_a.pk]), {"seed": "x"}).status_code == 404
    assert only_a.pk not in [s.pk for s in client.get(reverse("surveys:list")).context["page"].object_list]


@pytest.mark.req("S-8")
def test_the_progress_shows_returned_over_distributed_and_refreshes_while_open(world, supervisor):
    survey = drawn(world, supervisor)
    client = client_of(supervisor)
    assert b"hx-trigger" not in client.get(reverse("surveys:progress", args=[survey.pk])).content
    opened(survey)
    _paper(
        persona(world, "handler_a"),
        survey,
        Household.objects.filter(survey=survey, estate=world.estate_a).first(),
    )
    response = client.get(reverse("surveys:progress", args=[survey.pk]))
    assert b'hx-trigger="every 30s"' in response.content
    rows = {row.name: row for row in response.context["progress"]}
    estate_a = rows[world.estate_a.name]
    assert (estate_a.distributed, estate_a.returned, estate_a.paper) == (4, 1, 1)
    assert str(estate_a.rate) == "25.0" and estate_a.below


def _answers(survey: Survey, household: Household, skip: int | None = None) -> dict[str, str]:
    from estatedesk.surveys.responses import version_for

    version = version_for(household)
    data = {"estate": str(household.estate_id), "unit": f"{household.building.name}-{household.unit.number}"}
    for number, question in enumerate(version.questions.order_by("position", "pk"), start=1):
        if number == skip:
            continue
        if question.kind == "rating":
            data[f"q{question.pk}"] = "satisfied" if number % 2 else "dissatisfied"
            data[f"r{question.pk}"] = "保安不巡逻" if number % 2 == 0 else ""
        else:
            data[f"t{question.pk}"] = "希望多些活动"
    return data


def _paper(client: Client, survey: Survey, household: Household, **extra: Any) -> Any:
    return client.post(reverse("surveys:paper", args=[survey.pk]), _answers(survey, household, **extra))


@pytest.mark.req("S-8")
def test_a_paper_questionnaire_with_a_missing_answer_names_the_question_and_keeps_the_rest(world, supervisor):
    survey = opened(drawn(world, supervisor))
    household = Household.objects.filter(survey=survey, estate=world.estate_a).first()
    client = persona(world, "handler_a")
    page = client.get(reverse("surveys:paper", args=[survey.pk]))
    assert page.status_code == 200 and b'id="paper-unit"' in page.content
    response = _paper(client, survey, household, skip=2)
    assert response.status_code == 422
    text = response.content.decode()
    assert "Question 2 has no answer." in text
    row = next(r for r in response.context["rows"] if r.number == 2)
    assert row.errors == ["Question 2 has no answer."]
    kept = _answers(survey, household, skip=2)
    first = next(r for r in response.context["rows"] if r.number == 1)
    assert [level.code for level in first.levels if level.checked] == [kept[f"q{first.id}"]]
    third = next(r for r in response.context["rows"] if r.number == 3)
    assert [level.code for level in third.levels if level.checked] == ["satisfied"]
    assert f'value="{kept["unit"]}"' in text
    assert not Response.objects.exists()
    household.refresh_from_db()
    assert household.answered_at is None


@pytest.mark.req("S-8")
def test_a_second_paper_questionnaire_for_the_same_unit_is_refused(world, supervisor):
    survey = opened(drawn(world, supervisor))
    household = Household.objects.filter(survey=survey, estate=world.estate_a).first()
    client = persona(world, "handler_a")
    first = _paper(client, survey, household)
    assert first.status_code == 302
    page = client.get(first["Location"])
    label = f"{household.building.name}-{household.unit.number}"
    assert f"Saved: the paper questionnaire of {world.estate_a.name} {label}." in page.content.decode()
    assert page.context["unit"] == ""  # the page is ready for the next sheet
    second = _paper(client, survey, household)
    assert second.status_code == 409
    assert "has already answered this survey" in second.content.decode()
    assert f'value="{label}"' in second.content.decode()
    assert Response.objects.filter(household=household).count() == 1
    assert Response.objects.get().channel == "paper"


@pytest.mark.req("S-8")
def test_a_unit_outside_the_sample_or_the_estate_is_named(world, supervisor):
    survey = opened(drawn(world, supervisor))
    sampled = set(Household.objects.filter(survey=survey).values_list("unit_id", flat=True))
    outside = world.building_a.units.filter(occupied=True).exclude(pk__in=sampled).first()
    client = persona(world, "handler_a")
    data = _answers(survey, Household.objects.filter(survey=survey, estate=world.estate_a).first())
    data["unit"] = f"{world.building_a.name}-{outside.number}"
    response = client.post(reverse("surveys:paper", args=[survey.pk]), data)
    assert response.status_code == 422
    assert response.context["unit_error"] == (
        f"Unit {data['unit']} is not in this survey's sample: its questionnaire is not counted."
    )
    assert 'id="paper-unit-error"' in response.content.decode()
    data["unit"] = "99栋-9999"
    response = client.post(reverse("surveys:paper", args=[survey.pk]), data)
    assert response.status_code == 422
    assert "There is no unit 99栋-9999" in response.content.decode()
    # Estate B's household typed on estate A's sheet by the handler of A: not found in A, not saved.
    b_household = Household.objects.filter(survey=survey, estate=world.estate_b).first()
    data["unit"] = f"{b_household.building.name}-{b_household.unit.number}"
    response = client.post(reverse("surveys:paper", args=[survey.pk]), data)
    assert response.status_code == 422
    assert world.estate_b.name not in response.context["unit_error"]
    # The supervisor, who sees both, is told which estate the unit is in; the sheet's own
    # problems are shown in the same round.
    question = next(r for r in response.context["rows"] if r.rating)
    del data[f"q{question.id}"]
    response = client_of(supervisor).post(reverse("surveys:paper", args=[survey.pk]), data)
    assert response.status_code == 422
    assert response.context["unit_error"] == (
        f"Unit {data['unit']} is in {world.estate_b.name}: choose that estate above, then save again."
    )
    assert next(r for r in response.context["rows"] if r.id == question.id).errors == [
        f"Question {question.number} has no answer."
    ]
    assert not Response.objects.exists()


@pytest.mark.req("S-7")
def test_a_stale_edit_shows_both_texts(world, supervisor):
    survey = annual(world, supervisor, improvements="旧的说明")
    client = client_of(supervisor)
    base = {
        "title": survey.title,
        "reminder_gap_days": 3,
        "max_reminders": 2,
        "based_on_version": survey.edit_version,
    }
    services.update_survey(
        actor=supervisor, survey=survey.pk, based_on=survey.edit_version, improvements="别人写的"
    )
    response = client.post(reverse("surveys:edit", args=[survey.pk]), {**base, "improvements": "我写的"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "别人写的" in text and "我写的" in text
    # The form comes back based on the version now saved: saving again, after comparing, goes through.
    form = response.context["forms"]["edit"]
    assert 'value="我写的"' in text or "我写的</textarea>" in text
    again = client.post(
        reverse("surveys:edit", args=[survey.pk]),
        {**base, "improvements": "我写的", "based_on_version": form.data["based_on_version"]},
    )
    assert again.status_code == 302
    assert Survey.objects.get(pk=survey.pk).improvements == "我写的"


@pytest.mark.req("S-7")
@pytest.mark.parametrize("count", [1, 6])
def test_the_list_queries_do_not_grow_with_rows(world, supervisor, count, django_assert_max_num_queries):
    for i in range(count):
        annual(world, supervisor, year=2020 + i)
    client = client_of(supervisor)
    client.get(reverse("surveys:list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:list"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.req("S-8")
def test_the_sample_masks_names_for_auditors_and_its_export_is_recorded(world, supervisor):
    from openpyxl import load_workbook

    from estatedesk.core.models import ExportRecord

    survey = drawn(world, supervisor)
    household = (
        Household.objects.filter(survey=survey, customer__isnull=False).select_related("customer").first()
    )
    name = household.customer.name
    seen = client_of(supervisor).get(reverse("surveys:sample", args=[survey.pk]))
    assert name in seen.content.decode()
    auditor = persona(world, "auditor")
    masked = auditor.get(reverse("surveys:sample", args=[survey.pk]))
    assert masked.status_code == 200
    assert name not in masked.content.decode()
    export = auditor.get(reverse("surveys:sample_export", args=[survey.pk]), {"key": "no"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + Household.objects.filter(survey=survey, second_stage=False).count()
    assert name not in {row[3] for row in rows}
    record = ExportRecord.objects.get()
    assert record.row_count == len(rows) - 1


@pytest.mark.req("S-8")
def test_the_deputy_gm_opens_and_closes_the_survey_on_its_page(world, supervisor):
    survey = drawn(world, supervisor)
    client = persona(world, "deputy_gm")
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert b'id="open-form"' in page.content and b'id="close-form"' not in page.content
    assert client.post(reverse("surveys:open", args=[survey.pk])).status_code == 302
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert b'id="close-form"' in page.content and b'id="remind-form"' in page.content
    assert b'hx-trigger="every 30s"' in page.content
    response = client.post(reverse("surveys:remind", args=[survey.pk]), follow=True)
    assert "No household is due a reminder yet." in response.content.decode()
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert b'id="steps"' not in page.content
    labels = [row.label for row in page.context["timeline"]]
    assert len(labels) == 4
    # A handler may not take the organiser's steps: no buttons, and a post is refused.
    other = services.create_survey(
        actor=supervisor, kind="special", title="专项", estate_ids=[world.estate_a.pk]
    )
    services.draw_sample(actor=supervisor, survey=other, seed="x")
    handler = persona(world, "handler_a")
    assert b'id="steps"' not in handler.get(reverse("surveys:detail", args=[other.pk])).content
    assert handler.post(reverse("surveys:open", args=[other.pk])).status_code == 403


@pytest.mark.req("S-7")
def test_a_special_survey_of_chosen_buildings_is_prepared_on_the_page(world, supervisor):
    from estatedesk.org.models import Building

    other = Building.objects.create(estate=world.estate_a, name="5栋", floors=6)
    add_households(world.building_a, 4)
    add_households(other, 4)
    client = client_of(supervisor)
    template = selectors.default_version(EstateKind.RESIDENTIAL)
    response = client.post(
        reverse("surveys:create"),
        {
            "kind": "special",
            "title": "3栋电梯专项调查",
            "estates": [world.estate_a.pk],
            "buildings": [world.building_a.pk],
            "share": "100",
            "template": template.pk,
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert list(survey.buildings.all()) == [world.building_a]
    client.post(reverse("surveys:draw", args=[survey.pk]), {"seed": "s"})
    assert set(Household.objects.filter(survey=survey).values_list("building_id", flat=True)) == {
        world.building_a.pk
    }
