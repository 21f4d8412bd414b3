"""Install the two default evaluation standards (residential, office) in the three languages."""

from django.db import migrations
from django.utils import timezone

from estatedesk.surveys.standard_texts import DEFAULTS

SCALE = [
    {"code": "very_satisfied", "score": 100, "satisfied": True, "dissatisfied": False},
    {"code": "satisfied", "score": 80, "satisfied": True, "dissatisfied": False},
    {"code": "neutral", "score": 60, "satisfied": False, "dissatisfied": False},
    {"code": "dissatisfied", "score": 40, "satisfied": False, "dissatisfied": True},
    {"code": "very_dissatisfied", "score": 20, "satisfied": False, "dissatisfied": True},
]


def install(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Version = apps.get_model("surveys", "QuestionnaireVersion")
    Question = apps.get_model("surveys", "Question")
    for name, kind, title, intro, questions in DEFAULTS:
        if Questionnaire.objects.filter(name=name).exists():
            continue
        questionnaire = Questionnaire.objects.create(name=name, estate_kind=kind, is_default=True)
        version = Version.objects.create(
            questionnaire=questionnaire,
            number=1,
            title_zh_hans=title[0],
            title_zh_hant=title[1],
            title_en=title[2],
            intro_zh_hans=intro[0],
            intro_zh_hant=intro[1],
            intro_en=intro[2],
            scale=SCALE,
            created_at=timezone.now(),
        )
        Question.objects.bulk_create(
            Question(
                version=version,
                position=position,
                category=category,
                kind=kind_,
                required=required,
                ask_reason=kind_ == "rating",
                text_zh_hans=hans,
                text_zh_hant=hant,
                text_en=en,
            )
            for position, (category, kind_, required, hans, hant, en) in enumerate(questions, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
