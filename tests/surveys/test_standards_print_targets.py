"""SPEC S-1 (the paper questionnaire), S-5's quality targets as the survey figures use them,
and S-3 / S-7's survey rules in the company settings."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.exportlog import ExportRecord
from estatedesk.core.models import CompanySettings
from estatedesk.surveys import results, targets
from estatedesk.surveys.models import Questionnaire, SatisfactionTarget
from tests.complaints.test_printing import pdf_pages
from tests.surveys.conftest import annual

pytestmark = pytest.mark.django_db


@pytest.mark.req("S-1")
@pytest.mark.parametrize(
    ("lang", "label", "reason"),
    [
        ("zh-hans", "很满意", "不满意原因"),
        ("zh-hant", "很滿意", "不滿意原因"),
        ("en", "Verysatisfied", "Reasonifdissatisfied"),
    ],
)
def test_the_paper_questionnaire_prints_in_each_language(world, lang, label, reason):
    from estatedesk.core import pdf

    if not pdf.pdf_available():
        pytest.skip("WeasyPrint cannot be loaded here")
    version = Questionnaire.objects.get(estate_kind="residential", is_default=True).current()
    client = world.client("handler_a")
    response = client.get(reverse("surveys:standard_pdf", args=[version.pk]), {"lang": lang})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = "".join(pdf_pages(data))
    assert version.title(lang).replace(" ", "") in text
    assert version.questions.order_by("position").first().text(lang).replace(" ", "") in text
    assert label in text and reason in text
    export = ExportRecord.objects.get(list_name="evaluation-standard")
    assert export.username == "handler_a"
    # the print view shows the same form
    page = client.get(reverse("surveys:standard_print", args=[version.pk]), {"lang": lang}).content.decode()
    assert 'class="box"' in page and reverse("surveys:standard_pdf", args=[version.pk]) in page


@pytest.mark.req("S-2")
def test_the_most_specific_target_applies(world, supervisor):
    survey = annual(world, supervisor)
    a, b = world.estate_a.pk, world.estate_b.pk
    targets.set_target(actor=supervisor, estate=None, category="cleaning", target="85")
    targets.set_target(actor=supervisor, estate=a, category="", target="92.5")
    targets.set_target(actor=world.users["deputy_gm"], estate=a, category="cleaning", target="80")
    targets.set_target(actor=world.users["gm"], estate=None, category="cleaning", target="86")  # replaces 85
    assert SatisfactionTarget.objects.filter(estate__isnull=True, category="cleaning").count() == 1
    target = results.targets(survey)
    assert target(a, "cleaning") == Fraction(80)
    assert target(a, "security") == Fraction("92.5")
    assert target(b, "cleaning") == Fraction(86)
    assert target(b, "security") == Fraction(str(survey.target)) == Fraction(90)
    row = SatisfactionTarget.objects.get(estate_id=a, category="cleaning")
    targets.remove_target(actor=supervisor, target=row)
    assert results.targets(survey)(a, "cleaning") == Fraction("92.5")


@pytest.mark.req("S-2")
@pytest.mark.parametrize(
    ("estate", "category", "target", "field"),
    [
        (None, "cleaning", "0", "target"),
        (None, "cleaning", "100.01", "target"),
        (None, "cleaning", "abc", "target"),
        (None, "cleaning", "NaN", "target"),
        (None, "", "90", "category"),
        (None, "nonsense", "90", "category"),
        (999999, "", "90", "estate"),
    ],
)
def test_targets_refuse_bad_input_naming_the_field(world, supervisor, estate, category, target, field):
    with pytest.raises(InvalidInput) as error:
        targets.set_target(actor=supervisor, estate=estate, category=category, target=target)
    assert error.value.field == field
    assert not SatisfactionTarget.objects.exists()


@pytest.mark.req("S-2")
def test_targets_page_sets_and_refuses(world, supervisor):
    with pytest.raises(NotAllowed):
        targets.set_target(actor=world.users["handler_a"], estate=None, category="cleaning", target="90")
    page = world.client("handler_a").get(reverse("surveys:targets"))
    assert page.status_code == 200 and reverse("surveys:target_set") not in page.content.decode()
    client = world.client("deputy_gm")
    bad = client.post(
        reverse("surveys:target_set"),
        {"estate": world.estate_a.pk, "category": "", "target": "120"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 422
    assert "请输入大于0%且不超过100%的目标值。" in bad.content.decode()
    good = client.post(
        reverse("surveys:target_set"), {"estate": world.estate_a.pk, "category": "", "target": "95"}
    )
    assert good.status_code == 302
    assert SatisfactionTarget.objects.get(estate=world.estate_a, category="").target == Decimal("95.00")
    page = client.get(reverse("surveys:targets")).content.decode()
    assert world.estate_a.name in page and "95" in page


def _settings_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "測試物業",
        "time_zone": "Asia/Shanghai",
        "office_hours": "08:30-12:00,13:30-17:30",
        "urgent_reply_hours": 2,
        "normal_reply_working_days": 2,
        "invalid_explanation_working_days": 1,
        "counting_mode": "civil",
        "due_soon_hours": 4,
        "urgent_due_soon_minutes": 30,
        "satisfaction_target": "90",
        "survey_share": "50",
        "survey_return_threshold": "50",
        "survey_return_step": "5",
        "survey_return_penalty": "1",
        "survey_key_lookback_days": 365,
        "notice_lead_hours": 24,
    }
    data.update(overrides)
    return data


@pytest.mark.req("S-3")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("survey_share", "0", "抽样比例须大于0%且不超过100%。"),
        ("survey_share", "100.5", "抽样比例须大于0%且不超过100%。"),
        ("survey_return_threshold", "-1", "回收率要求须在0%至100%之间。"),
        ("survey_return_threshold", "101", "回收率要求须在0%至100%之间。"),
        ("survey_return_step", "0", "扣分级差须大于0个百分点。"),
        ("survey_return_penalty", "-0.5", "每级扣减不能为负数。"),
        ("survey_key_lookback_days", "0", "追溯天数须在1至3650天之间。"),
        ("survey_key_lookback_days", "3651", "追溯天数须在1至3650天之间。"),
    ],
)
def test_company_settings_refuse_bad_survey_rules(world, field, value, message):
    client = world.client("admin")
    response = client.post(
        reverse("org:settings_edit"), _settings_data(**{field: value}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert getattr(CompanySettings.load(), field) != value


@pytest.mark.req("S-3")
def test_company_settings_save_survey_rules_with_translated_labels(world):
    client = world.client("admin")
    page = client.get(reverse("org:settings_edit"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    for label in (
        "調查抽樣比例（%）",
        "調查回收率要求（%）",
        "每級扣減的滿意率（百分點）",
        "客服主管可啟動和結束調查",
    ):
        assert label in page
    english = client.get(reverse("org:settings_edit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "survey sample share (%)" in english.lower()
    data = _settings_data(
        survey_share="60",
        survey_return_threshold="0",
        survey_return_step="2.5",
        survey_return_penalty="0",
        survey_key_lookback_days=3650,
        cs_supervisor_runs_surveys="on",
    )
    assert client.post(reverse("org:settings_edit"), data).status_code == 302
    company = CompanySettings.load()
    assert company.survey_share == Decimal("60") and company.survey_return_step == Decimal("2.5")
    assert company.survey_key_lookback_days == 3650 and company.cs_supervisor_runs_surveys
