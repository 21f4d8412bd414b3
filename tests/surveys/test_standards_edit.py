"""SPEC S-1: the evaluation standards: defaults in three languages, versions kept once used,
edits in place while unused, the scale, the default per kind of estate, who may edit, and the
pages that show and change them."""

from __future__ import annotations

from html import escape

import pytest
from django.urls import reverse

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, StaleEdit
from estatedesk.surveys import standards, targets
from estatedesk.surveys.models import (
    OFFICE_CATEGORIES,
    RESIDENTIAL_CATEGORIES,
    Questionnaire,
    QuestionnaireVersion,
)
from tests.surveys.conftest import annual

pytestmark = pytest.mark.django_db


def _residential() -> Questionnaire:
    return Questionnaire.objects.get(estate_kind="residential", is_default=True)


@pytest.mark.req("S-1")
@pytest.mark.parametrize(
    ("kind", "categories"), [("residential", RESIDENTIAL_CATEGORIES), ("office", OFFICE_CATEGORIES)]
)
def test_default_standards_exist_in_three_languages(world, kind, categories):
    (questionnaire,) = Questionnaire.objects.filter(estate_kind=kind, is_default=True)
    version = questionnaire.current()
    assert version.title_zh_hans and version.title_zh_hant and version.title_en
    assert version.intro_zh_hans and version.intro_zh_hant and version.intro_en
    questions = list(version.questions.all())
    assert questions
    for q in questions:
        assert q.text_zh_hans and q.text_zh_hant and q.text_en, q.pk
        assert q.text_zh_hans != q.text_en
    asked = {q.category for q in questions if q.kind == "rating"}
    assert set(categories) <= asked
    assert [level["score"] for level in version.scale] == [100, 80, 60, 40, 20]
    assert [level["satisfied"] for level in version.scale] == [True, True, False, False, False]


@pytest.mark.req("S-1")
def test_editing_a_used_version_makes_the_next_and_the_survey_keeps_its_questions(world, supervisor):
    v1 = _residential().current()
    survey = annual(world, supervisor)
    assert survey.version_id == v1.pk and standards.is_used(v1)
    before = list(v1.questions.values_list("pk", "text_zh_hans"))
    first = v1.questions.order_by("position").first()

    edited = standards.edit_question(
        actor=supervisor,
        question=first.pk,
        based_on=v1.edit_version,
        category=first.category,
        kind="rating",
        required=True,
        ask_reason=True,
        text=("管理处人员服务态度", "管理處人員服務態度", "Management office staff's attitude"),
    )
    assert edited.made_new and edited.version.number == 2
    assert "version 2" in edited.message() or "2" in edited.message()
    v1.refresh_from_db()
    survey.refresh_from_db()
    assert survey.version_id == v1.pk
    assert list(survey.version.questions.values_list("pk", "text_zh_hans")) == before
    v2 = QuestionnaireVersion.objects.get(questionnaire=v1.questionnaire, number=2)
    assert v2.questions.order_by("position").first().text_zh_hans == "管理处人员服务态度"
    assert v2.questions.count() == v1.questions.count()
    # v2 is unused: the next edit stays in it
    again = standards.edit_texts(
        actor=supervisor,
        version=v2.pk,
        based_on=v2.edit_version,
        title=("新标题", "新標題", "New title"),
        intro=("", "", ""),
    )
    assert not again.made_new and again.version.pk == v2.pk
    assert v1.questionnaire.versions.count() == 2
    # the old version can no longer be edited: there is a newer one
    with pytest.raises(AlreadyHandled):
        standards.edit_texts(
            actor=supervisor, version=v1.pk, based_on=v1.edit_version, title=("x", "", ""), intro=("", "", "")
        )


@pytest.mark.req("S-1")
def test_editing_an_unused_version_changes_it_in_place(world, supervisor):
    version = standards.create_questionnaire(
        actor=supervisor, name="专项：电梯服务", estate_kind="residential"
    )
    added = standards.add_question(
        actor=supervisor, version=version, category="repairs", text=("电梯维修及时吗？", "", "")
    )
    standards.add_question(
        actor=supervisor, version=version, category="", kind="text", text=("其他意见", "", "")
    )
    assert not added.made_new and added.version.pk == version.pk
    questions = list(version.questions.order_by("position"))
    assert [q.text_zh_hans for q in questions] == ["电梯维修及时吗？", "其他意见"]
    assert questions[1].ask_reason is False
    standards.move_question(actor=supervisor, question=questions[1].pk, step=-1)
    assert list(version.questions.order_by("position").values_list("text_zh_hans", flat=True)) == [
        "其他意见",
        "电梯维修及时吗？",
    ]
    standards.remove_question(actor=supervisor, question=questions[1].pk)
    assert list(version.questions.values_list("position", "text_zh_hans")) == [(1, "电梯维修及时吗？")]
    assert version.questionnaire.versions.count() == 1


@pytest.mark.req("S-1")
def test_two_people_editing_the_texts_the_second_is_told(world, supervisor):
    version = standards.create_questionnaire(actor=supervisor, name="专项", estate_kind="office")
    seen = version.edit_version
    standards.edit_texts(
        actor=supervisor, version=version, based_on=seen, title=("甲的标题", "", ""), intro=("", "", "")
    )
    with pytest.raises(StaleEdit) as error:
        standards.edit_texts(
            actor=world.users["deputy_gm"],
            version=version,
            based_on=seen,
            title=("乙的标题", "", ""),
            intro=("", "", ""),
        )
    assert error.value.current["title_zh_hans"] == "甲的标题"
    version.refresh_from_db()
    assert version.title_zh_hans == "甲的标题"


@pytest.mark.req("S-1")
def test_scale_levels_and_their_checks(world, supervisor):
    version = standards.create_questionnaire(actor=supervisor, name="三级量表", estate_kind="residential")
    levels = [
        {
            "code": "good",
            "score": 100,
            "satisfied": True,
            "labels": {"zh-hans": "好", "zh-hant": "好", "en": "Good"},
        },
        {"code": "neutral", "score": 60},
        {
            "code": "bad",
            "score": 0,
            "dissatisfied": True,
            "labels": {"zh-hans": "差", "zh-hant": "差", "en": "Bad"},
        },
    ]
    standards.set_scale(actor=supervisor, version=version, based_on=version.edit_version, levels=levels)
    version.refresh_from_db()
    assert [lv["code"] for lv in version.scale] == ["good", "neutral", "bad"]
    assert version.scale[0]["labels"]["en"] == "Good" and "labels" not in version.scale[1]
    bad_inputs = [
        ([{"code": "good", "score": 100, "satisfied": True}], "levels"),
        ([levels[0], {"code": "bad", "score": 101}], "levels-1-score"),
        ([levels[0], {"code": "good", "score": 50}], "levels-1-code"),
        ([levels[0], {"code": "x", "score": 5, "labels": {}}], "levels-1-label_zh_hans"),
        ([{"code": "neutral", "score": 60}, {"code": "satisfied", "score": 80}], "levels"),
        (
            [levels[0], {"code": "odd", "score": 1, "satisfied": True, "dissatisfied": True}],
            "levels-1-dissatisfied",
        ),
    ]
    for bad, field in bad_inputs:
        version.refresh_from_db()
        with pytest.raises(InvalidInput) as error:
            standards.set_scale(actor=supervisor, version=version, based_on=version.edit_version, levels=bad)
        assert error.value.field == field, bad


@pytest.mark.req("S-1")
def test_one_default_per_kind_and_only_the_survey_team_edits(world, supervisor):
    version = standards.create_questionnaire(actor=supervisor, name="住宅新版", estate_kind="residential")
    with pytest.raises(InvalidInput):
        standards.set_default(actor=supervisor, questionnaire=version.questionnaire)  # no question yet
    standards.add_question(actor=supervisor, version=version, category="housing", text=("服务态度", "", ""))
    standards.set_default(actor=world.users["gm"], questionnaire=version.questionnaire)
    assert list(Questionnaire.objects.filter(estate_kind="residential", is_default=True)) == [
        version.questionnaire
    ]
    assert Questionnaire.objects.filter(estate_kind="office", is_default=True).count() == 1
    for persona in ("handler_a", "office_head_a", "auditor"):
        with pytest.raises(NotAllowed):
            standards.add_question(
                actor=world.users[persona], version=version, category="housing", text=("x", "", "")
            )


@pytest.mark.req("S-1")
def test_pages_show_versions_and_the_questionnaire_in_each_language(world, supervisor):
    v1 = _residential().current()
    annual(world, supervisor)
    client = world.client("handler_a")
    page = client.get(reverse("surveys:standard_list")).content.decode()
    assert v1.title_zh_hans in page and "2026年度业户满意度调查" in page
    assert reverse("surveys:standard_edit", args=[v1.pk]) not in page  # a handler only reads
    assert client.get(reverse("surveys:standard_edit", args=[v1.pk])).status_code == 403
    for lang, text in (("zh-hans", v1.title_zh_hans), ("zh-hant", v1.title_zh_hant), ("en", v1.title_en)):
        page = client.get(reverse("surveys:standard_detail", args=[v1.pk]), {"lang": lang}).content.decode()
        assert escape(text) in page
        first = v1.questions.order_by("position").first()
        assert escape(first.text(lang)) in page
    english = client.get(
        reverse("surveys:standard_detail", args=[v1.pk]), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Housing management" in english.content.decode() and "Very satisfied" in english.content.decode()


@pytest.mark.req("S-1")
def test_edit_pages_make_a_new_version_and_say_so(world, supervisor):
    v1 = _residential().current()
    annual(world, supervisor)
    client = world.client("cs_supervisor") if "cs_supervisor" in world.users else None
    if client is None:
        from django.test import Client

        client = Client()
        client.force_login(supervisor)
    page = client.get(reverse("surveys:standard_edit", args=[v1.pk]))
    assert page.status_code == 200 and 'id="used-note"' in page.content.decode()
    data = {
        "based_on_version": v1.edit_version,
        "title_zh_hans": "业户满意度测评表（修订）",
        "title_zh_hant": "業戶滿意度測評表（修訂）",
        "title_en": "Residents' satisfaction questionnaire (revised)",
        "intro_zh_hans": v1.intro_zh_hans,
        "intro_zh_hant": "",
        "intro_en": "",
    }
    response = client.post(reverse("surveys:standard_texts", args=[v1.pk]), data, follow=True)
    v2 = v1.questionnaire.current()
    assert v2.number == 2 and v2.title_zh_hans == "业户满意度测评表（修订）"
    assert response.redirect_chain[-1][0] == reverse("surveys:standard_edit", args=[v2.pk])
    v1.refresh_from_db()
    assert v1.title_zh_hans != v2.title_zh_hans
    # bad input: 422 with the field named, what was typed kept
    bad = client.post(
        reverse("surveys:standard_question_add", args=[v2.pk]),
        {
            "new-kind": "rating",
            "new-category": "",
            "new-text_zh_hans": "没有类别的问题",
            "new-required": "on",
        },
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "没有类别的问题" in body and "category" in body
    assert v2.questions.filter(text_zh_hans="没有类别的问题").count() == 0


@pytest.mark.req("S-1")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_standards_pages_in_chinese_show_no_english(world, supervisor, language):
    from django.conf import settings
    from django.test import Client

    from tests.test_i18n_pages import leftovers

    v1 = _residential().current()
    annual(world, supervisor)
    targets.set_target(actor=supervisor, estate=world.estate_a.pk, category="cleaning", target="88")
    client = Client()
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    found = {}
    for name, args in [
        ("surveys:standard_list", []),
        ("surveys:standard_detail", [v1.pk]),
        ("surveys:standard_edit", [v1.pk]),
        ("surveys:standard_print", [v1.pk]),
        ("surveys:targets", []),
    ]:
        response = client.get(reverse(name, args=args), {"lang": language} if "standard_" in name else {})
        assert response.status_code == 200, name
        if bits := [b for b in leftovers(response.content.decode()) if b != supervisor.username]:
            found[name] = bits
    assert found == {}


def _logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.req("S-1")
def test_two_browsers_save_the_title_the_second_gets_409_with_both_texts(world, supervisor):
    version = standards.create_questionnaire(actor=supervisor, name="专项：停车", estate_kind="residential")
    seen = version.edit_version
    url = reverse("surveys:standard_texts", args=[version.pk])

    def data(title):
        return {"based_on_version": seen, "title_zh_hans": title, "title_zh_hant": "", "title_en": ""}

    first = _logged_in(supervisor).post(url, {**data("停车满意度调查表"), "intro_zh_hans": ""})
    assert first.status_code == 302
    second = world.client("deputy_gm").post(url, {**data("车辆管理满意度调查"), "intro_zh_hans": ""})
    assert second.status_code == 409
    body = second.content.decode()
    assert "停车满意度调查表" in body and "车辆管理满意度调查" in body
    version.refresh_from_db()
    assert version.title_zh_hans == "停车满意度调查表"


@pytest.mark.req("S-1")
def test_the_scale_form_saves_levels_and_refuses_bad_ones(world, supervisor):
    version = standards.create_questionnaire(actor=supervisor, name="三级", estate_kind="office")
    client = _logged_in(supervisor)
    url = reverse("surveys:standard_scale", args=[version.pk])
    form = {
        "based_on_version": version.edit_version,
        "levels-0-code": "satisfied",
        "levels-0-score": "100",
        "levels-0-satisfied": "on",
        "levels-1-code": "ok",
        "levels-1-score": "50",
        "levels-1-label_zh_hans": "尚可",
        "levels-1-label_zh_hant": "尚可",
        "levels-1-label_en": "OK",
        "levels-2-code": "dissatisfied",
        "levels-2-score": "0",
        "levels-2-dissatisfied": "on",
    }
    assert client.post(url, form).status_code == 302
    version.refresh_from_db()
    assert [(lv["code"], lv["score"]) for lv in version.scale] == [
        ("satisfied", 100),
        ("ok", 50),
        ("dissatisfied", 0),
    ]
    assert version.scale[1]["labels"] == {"zh-hans": "尚可", "zh-hant": "尚可", "en": "OK"}
    bad = dict(form, **{"based_on_version": version.edit_version, "levels-1-label_zh_hans": ""})
    response = client.post(url, bad, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert "请填写等级名称（第2级）。" in response.content.decode()
