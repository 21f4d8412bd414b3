"""The timeline of a survey: its event kinds, and one function per kind.

Only the survey's services call these, inside the transaction of the step they record.
Answers are not events (a survey gets thousands): the households' table says who answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields

if TYPE_CHECKING:
    from estatedesk.surveys.models import Consultation, ConsultationEvent, Survey, SurveyEvent


class SurveyEventKind(models.TextChoices):
    CREATED = "created", _("Survey prepared")
    EDITED = "edited", _("Survey edited")
    DRAWN = "drawn", _("Sample drawn")
    OPENED = "opened", _("Survey opened, links sent")
    REMINDED = "reminded", _("Reminders sent")
    CLOSED = "closed", _("Survey closed")
    CANCELLED = "cancelled", _("Survey cancelled")


def _write(
    survey: Survey,
    actor: Actor,
    kind: SurveyEventKind,
    *,
    from_status: str,
    note: str = "",
    data: dict[str, object] | None = None,
) -> SurveyEvent:
    return survey.events.create(
        kind=kind,
        from_status=from_status,
        to_status=survey.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )


def created(survey: Survey, actor: Actor) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.CREATED, from_status="", note=survey.title)


def edited(survey: Survey, actor: Actor, *, fields: list[str]) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.EDITED, from_status=survey.status, data={"fields": fields})


def drawn(survey: Survey, actor: Actor, *, from_status: str) -> SurveyEvent:
    return _write(
        survey,
        actor,
        SurveyEventKind.DRAWN,
        from_status=from_status,
        data={
            "seed": survey.seed,
            "frame": survey.frame_size,
            "vacant": survey.vacant_count,
            "second_stage": survey.second_stage_count,
            "random": survey.random_count,
        },
    )


def opened(survey: Survey, actor: Actor, *, from_status: str, sms: int) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.OPENED, from_status=from_status, data={"sms": sms})


def reminded(survey: Survey, actor: Actor, *, sms: int) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.REMINDED, from_status=survey.status, data={"sms": sms})


def closed(survey: Survey, actor: Actor, *, from_status: str) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.CLOSED, from_status=from_status)


def cancelled(survey: Survey, actor: Actor, *, from_status: str, reason: str) -> SurveyEvent:
    return _write(survey, actor, SurveyEventKind.CANCELLED, from_status=from_status, note=reason)


# ---------------------------------------------------------------------------------------------
# The monthly consultation's timeline (SPEC S-4). Answers are not events: the households'
# table says who answered, when, and who typed it in.
# ---------------------------------------------------------------------------------------------


class ConsultationEventKind(models.TextChoices):
    PLANNED = "planned", _("Consultation planned, sample proposed")
    EDITED = "edited", _("Consultation edited")
    SWAPPED = "swapped", _("Household swapped")
    STARTED = "started", _("Consultation started")
    FINISHED = "finished", _("Consultation finished")
    CANCELLED = "cancelled", _("Consultation cancelled")


def _consultation(
    consultation: Consultation,
    actor: Actor,
    kind: ConsultationEventKind,
    *,
    from_status: str,
    note: str = "",
    data: dict[str, object] | None = None,
) -> ConsultationEvent:
    return consultation.events.create(
        kind=kind,
        from_status=from_status,
        to_status=consultation.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )


def consultation_planned(consultation: Consultation, actor: Actor) -> ConsultationEvent:
    return _consultation(
        consultation,
        actor,
        ConsultationEventKind.PLANNED,
        from_status="",
        data={
            "seed": consultation.seed,
            "occupied": consultation.occupied_count,
            "fresh": consultation.fresh_count,
            "proposed": consultation.proposed_count,
        },
    )


def consultation_edited(consultation: Consultation, actor: Actor, *, fields: list[str]) -> ConsultationEvent:
    return _consultation(
        consultation,
        actor,
        ConsultationEventKind.EDITED,
        from_status=consultation.status,
        data={"fields": fields},
    )


def consultation_swapped(
    consultation: Consultation, actor: Actor, *, out_unit: int, in_unit: int, reason: str
) -> ConsultationEvent:
    return _consultation(
        consultation,
        actor,
        ConsultationEventKind.SWAPPED,
        from_status=consultation.status,
        note=reason,
        data={"out_unit": out_unit, "in_unit": in_unit},
    )


def consultation_started(consultation: Consultation, actor: Actor, *, from_status: str) -> ConsultationEvent:
    return _consultation(consultation, actor, ConsultationEventKind.STARTED, from_status=from_status)


def consultation_finished(consultation: Consultation, actor: Actor, *, from_status: str) -> ConsultationEvent:
    return _consultation(consultation, actor, ConsultationEventKind.FINISHED, from_status=from_status)


def consultation_cancelled(
    consultation: Consultation, actor: Actor, *, from_status: str, reason: str
) -> ConsultationEvent:
    return _consultation(
        consultation, actor, ConsultationEventKind.CANCELLED, from_status=from_status, note=reason
    )
