"""The page of one monthly consultation (SPEC S-4): the plan and its steps, the proposal's
record, the sample (who was proposed, who was asked, who was swapped for whom and why, who
answered how), the figures by topic with their interval and, for a questionnaire, the
return-rate rule in words; the households' other opinions and dissatisfaction reasons.

Each step posts to its own URL (``core.web.form_step_view``): the consultation is looked up in
the user's scope first (404 outside it), the step's one service is called, and a refusal shows
the page again with the message next to its field and everything typed kept (409 for notes
someone else saved meanwhile).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.org.models import Unit
from estatedesk.surveys import wording
from estatedesk.surveys.consultation_results import consultation_results, rule_of
from estatedesk.surveys.events import ConsultationEventKind
from estatedesk.surveys.forms_consultations import (
    ConsultationCancelForm,
    ConsultationConfirmForm,
    NotesForm,
    SwapForm,
)
from estatedesk.surveys.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationMethod,
    ConsultationStatus,
    ConsultedHousehold,
    level_label,
)
from estatedesk.surveys.report import category_label, category_order, line_of
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.services import consultations as service
from estatedesk.surveys.views.common import shown_name
from estatedesk.surveys.workflow import CONSULTATION

STEPS = ("swap", "start", "finish", "cancel")


def consultation_or_404(user: Actor, pk: int) -> Consultation:
    found = consultations_for(user).select_related("estate", "office").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may(user: Actor, name: str, consultation: Consultation) -> bool:
    transition = CONSULTATION.get(name)
    return transition.allows(consultation.status) and policy.role_of(user) in transition.roles


def unit_labels(unit_ids: list[int]) -> dict[int, str]:
    return {u.pk: u.label for u in Unit.objects.filter(pk__in=unit_ids).select_related("building")}


def swap_choices(consultation: Consultation) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    asked = list(
        ConsultedHousehold.objects.filter(consultation=consultation, asked=True)
        .select_related("unit__building")
        .order_by("building__name", "unit__floor", "unit__number")
    )
    candidates = service.swap_candidates(consultation)
    labels = unit_labels(candidates)
    return [(h.unit_id, h.unit.label) for h in asked], [(u, labels.get(u, str(u))) for u in candidates]


def _forms(user: Actor, consultation: Consultation, failed: dict[str, Any], swapping: bool) -> dict[str, Any]:
    asked, candidates = swap_choices(consultation) if swapping else ([], [])
    return {
        "swap": failed.get("swap")
        or SwapForm(user=user, asked=asked, candidates=candidates, auto_id="id_swap_%s"),
        "start": failed.get("start") or ConsultationConfirmForm(user=user, auto_id="id_start_%s"),
        "finish": failed.get("finish") or ConsultationConfirmForm(user=user, auto_id="id_finish_%s"),
        "cancel": failed.get("cancel") or ConsultationCancelForm(user=user, auto_id="id_cancel_%s"),
        "notes": failed.get("notes")
        or NotesForm(
            initial={"notes": consultation.notes, **version_initial(consultation)},
            user=user,
            auto_id="id_notes_%s",
        ),
    }


def sample_rows(user: Actor, consultation: Consultation) -> list[ConsultedHousehold]:
    rows = list(
        ConsultedHousehold.objects.filter(consultation=consultation)
        .select_related("unit", "building", "customer", "replaced_by__unit__building")
        .order_by("-asked", "building__name", "unit__floor", "unit__number", "pk")
    )
    for h in rows:
        h.shown_name = shown_name(user, h.customer.name if h.customer else "")  # type: ignore[attr-defined]
        h.channel_label = channel_label(h.channel)  # type: ignore[attr-defined]
    return rows


def channel_label(channel: str) -> str:
    if not channel:
        return ""
    if channel == "online":
        return _("Online")
    if channel == "paper":
        return _("Paper questionnaire")
    return str(dict(ConsultationMethod.choices).get(channel, channel))


def figures_context(consultation: Consultation) -> dict[str, Any]:
    results = consultation_results(consultation)
    rows = [
        line_of(category_label(code), fig, category=code)
        for code, fig in sorted(results.by_category.items(), key=lambda kv: category_order(kv[0]))
    ]
    overall = line_of(_("All topics"), results.overall)
    questionnaire = consultation.is_questionnaire
    return {
        "figure_rows": rows,
        "overall": overall,
        "questionnaire": questionnaire,
        "penalty_text": wording.penalty_reason(results.overall) if questionnaire else "",
        "rule_text": wording.rule_text(rule_of(consultation)) if questionnaire else "",
    }


def opinions(consultation: Consultation) -> dict[str, Any]:
    """The reasons of the dissatisfied ratings by topic, and the households' other opinions."""
    reasons = list(
        ConsultationAnswer.objects.filter(consultation=consultation, dissatisfied=True)
        .select_related("household__unit__building")
        .order_by("category", "household__building__name", "pk")
    )
    levels = {str(x["code"]): x for x in consultation.scale}
    reason_rows = [
        {
            "topic": category_label(a.category),
            "unit": a.household.unit.label,
            "level": level_label(levels[a.level]) if a.level in levels else a.level,
            "reason": a.reason,
        }
        for a in reasons
    ]
    remarks = [
        {"unit": h.unit.label, "text": h.remarks}
        for h in ConsultedHousehold.objects.filter(consultation=consultation, asked=True)
        .exclude(remarks="")
        .select_related("unit__building")
        .order_by("building__name", "unit__floor", "unit__number")
    ]
    return {"reasons": reason_rows, "remarks": remarks}


def render_detail(
    request: HttpRequest,
    consultation: Consultation,
    *,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Actor = request.user
    failed = failed or {}
    steps = {name: may(user, name, consultation) for name in STEPS}
    households = sample_rows(user, consultation)
    asked = [h for h in households if h.asked]
    # The phone page where answers are typed in, and the questionnaire's QR slips.
    may_record = (
        consultation.status == ConsultationStatus.RUNNING
        and policy.role_of(user) in CONSULTATION.get("record").roles
    )
    has_slips = consultation.is_questionnaire and consultation.status in (
        ConsultationStatus.PLANNED,
        ConsultationStatus.RUNNING,
    )
    context: dict[str, Any] = {
        "consultation": consultation,
        "steps": steps,
        "labels": {t.name: t.label for t in CONSULTATION.transitions},
        "any_step": any(steps.values()) or may_record or has_slips,
        "forms": _forms(user, consultation, failed, steps["swap"]),
        "open_step": next(iter(failed), ""),
        "can_edit_notes": policy.role_of(user) in CONSULTATION.get("plan").roles,
        "may_record": may_record,
        "has_slips": has_slips,
        "households": households,
        "asked_count": len(asked),
        "answered_count": sum(1 for h in asked if h.answered_at),
        "swapped_count": sum(1 for h in households if not h.asked),
        "staff": list(consultation.staff.order_by("display_name").values_list("display_name", flat=True)),
        "topics": consultation.topic_labels(),
        "proposal_rule": _(
            "At least 5 % of the occupied households, rounded up; those not consulted this year first."
        ),
        "shown_steps": consultation.status != ConsultationStatus.PLANNED,
        "timeline": timeline_rows(
            consultation.events.order_by("at", "pk"), CONSULTATION, dict(ConsultationEventKind.choices)
        ),
        **figures_context(consultation),
        **opinions(consultation),
    }
    return render(request, "surveys/consultations/detail.html", context, status=status)


@company_time
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, consultation_or_404(request.user, pk))


def _load(request: HttpRequest, pk: int) -> Consultation:
    return consultation_or_404(request.user, pk)


def _back(consultation: Consultation) -> str:
    return reverse("surveys:consultation_detail", args=[consultation.pk])


def _step(name: str, build_form: Any, run: Any) -> Any:
    def build(request: HttpRequest, consultation: Consultation, data: Any) -> Any:
        return build_form(request, consultation, data)

    def show(request: HttpRequest, consultation: Consultation, form: Any, status: int) -> HttpResponse:
        return render_detail(request, consultation, failed={name: form}, status=status)

    return form_step_view(
        FormStep(load=_load, form=build, run=run, render=show, back=_back, name=f"consultation_{name}")
    )


def _swap_form(request: HttpRequest, consultation: Consultation, data: Any) -> SwapForm:
    asked, candidates = swap_choices(consultation)
    return SwapForm(data, user=request.user, asked=asked, candidates=candidates, auto_id="id_swap_%s")


def _run_swap(request: HttpRequest, consultation: Consultation, form: SwapForm) -> str:
    data = form.cleaned_data
    arriving = service.swap_household(
        actor=request.user,
        consultation=consultation.pk,
        out_unit=data["out_unit"],
        in_unit=data["in_unit"],
        reason=data["reason"] or "",
    )
    labels = unit_labels([data["out_unit"], arriving.unit_id])
    return _("%(out)s swapped for %(in)s.") % {
        "out": labels.get(data["out_unit"], ""),
        "in": labels.get(arriving.unit_id, ""),
    }


def _run_start(request: HttpRequest, consultation: Consultation, form: Any) -> str:
    service.start_consultation(actor=request.user, consultation=consultation.pk)
    return _("The consultation has started: the households' answers may be recorded.")


def _run_finish(request: HttpRequest, consultation: Consultation, form: Any) -> str:
    service.finish_consultation(actor=request.user, consultation=consultation.pk)
    return _("The consultation is finished.")


def _run_cancel(request: HttpRequest, consultation: Consultation, form: ConsultationCancelForm) -> str:
    service.cancel_consultation(
        actor=request.user, consultation=consultation.pk, reason=form.cleaned_data["reason"]
    )
    return _("The consultation is cancelled.")


def _run_notes(request: HttpRequest, consultation: Consultation, form: NotesForm) -> str:
    service.edit_notes(
        actor=request.user,
        consultation=consultation.pk,
        notes=form.cleaned_data["notes"] or "",
        based_on=form.cleaned_data["based_on_version"],
    )
    return _("Notes saved.")


def _simple(form_class: type, name: str) -> Any:
    def build(request: HttpRequest, consultation: Consultation, data: Any) -> Any:
        return form_class(data, user=request.user, auto_id=f"id_{name}_%s")

    return build


consultation_swap = _step("swap", _swap_form, _run_swap)
consultation_start = _step("start", _simple(ConsultationConfirmForm, "start"), _run_start)
consultation_finish = _step("finish", _simple(ConsultationConfirmForm, "finish"), _run_finish)
consultation_cancel = _step("cancel", _simple(ConsultationCancelForm, "cancel"), _run_cancel)
consultation_notes = _step("notes", _simple(NotesForm, "notes"), _run_notes)
