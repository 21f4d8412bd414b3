"""The complaint page (SPEC K-4 … K-10, K-18, C-7, P-2): everything recorded, the full
timeline, and one form for each step the user may take now, whose fields come when the step
is opened (``?step=<name>``, decision 0061).

Each step posts to its own thin view (``complaints:act_<step>``): parse the form, call the
one service of that step, and either go back to the page with a message or show the page
again with the service's error next to the field and everything typed still there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints import batch, papers, selectors, services, uploads, workflow
from estatedesk.complaints import forms_actions as f
from estatedesk.complaints.models import Complaint, Kind, Signature
from estatedesk.complaints.views import step_panels
from estatedesk.complaints.views.common import DUE_LABELS, person_name
from estatedesk.complaints.views.timeline import timeline_rows
from estatedesk.core import policy
from estatedesk.core.actors import RequestUser
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.errors import InvalidInput
from estatedesk.core.web import FormStep, company_of, company_time, form_step_view
from estatedesk.records.services import log_personal_data_access

# --- The steps -----------------------------------------------------------------------------------


def _take(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    batch.take(actor=user, complaint=c.pk)


def _assess(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.assess(
        actor=user, complaint=c.pk, cause=d["cause"], serious=d["serious"], urgent=d["urgent"], note=d["note"]
    )


def _request(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.change_request(actor=user, complaint=c.pk, requested_reply_at=d["requested_reply_at"])


def _assign(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.assign(actor=user, complaint=c.pk, department=d["department"], handler=d["handler"])


def _refer(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.refer(
        actor=user,
        complaint=c.pk,
        party=d["party"],
        developer=d["developer"],
        referred_at=d["referred_at"],
        note=d["note"],
    )


def _referral_result(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.record_referral_result(actor=user, complaint=c.pk, result=d["result"], at=d["at"])


def _handle(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.handle(
        actor=user,
        complaint=c.pk,
        cause_analysis=d["cause_analysis"],
        measures=d["measures"],
        result=d["result"],
        based_on=d["based_on_version"],
    )


def _reply(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.reply(
        actor=user, complaint=c.pk, content=d["content"], manner=d["manner"], replied_at=d["replied_at"]
    )


def _visit(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.visit(
        actor=user,
        complaint=c.pk,
        method=d["method"],
        opinion=d["opinion"],
        satisfaction=d["satisfaction"],
        visited_at=d["visited_at"],
        visitor=d["visitor"],
    )


def _close(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.close(actor=user, complaint=c.pk, note=d["note"])


def _close_superior(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.close_by_superior(actor=user, complaint=c.pk, reason=d["reason"])


def _link(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    if d["unlink"]:
        services.link(actor=user, complaint=c.pk, lead=None)
        return
    lead = selectors.complaints_for(user).filter(number=d["lead"]).values_list("pk", flat=True).first()
    if lead is None:
        raise InvalidInput(_("No such complaint, or not yours to see."), field="lead")
    services.link(actor=user, complaint=c.pk, lead=lead)


def _analyse(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    services.analyse(actor=user, complaint=c.pk, analysis=d["analysis"], based_on=d["based_on_version"])


def _slip(user: RequestUser, c: Complaint, d: dict[str, Any]) -> None:
    papers.raise_slip(
        actor=user,
        complaint=c.pk,
        matter=d["matter"],
        handler_opinion=d["handler_opinion"],
        first_signer=d["first_signer"],
    )


@dataclass(frozen=True)
class Step:
    name: str  # the URL is complaints:act_<name>
    label: Any
    form: type[f.StepForm]
    transitions: frozenset[str]  # the workflow steps that make this form available
    run: Callable[[RequestUser, Complaint, dict[str, Any]], None]
    done: Any
    button: Any = gettext_lazy("Save")
    style: str = "primary"


STEPS: tuple[Step, ...] = (
    Step(
        "take",
        gettext_lazy("Take it"),
        f.TakeForm,
        frozenset({"assign"}),
        _take,
        gettext_lazy("Taken: you are its handler now."),
        gettext_lazy("Take it"),
    ),
    Step(
        "assess",
        gettext_lazy("Assess cause and urgency"),
        f.AssessForm,
        frozenset({"assess", "reassess"}),
        _assess,
        gettext_lazy("Assessment saved; the reply deadline follows it."),
    ),
    Step(
        "handle",
        gettext_lazy("Cause, measures and result"),
        f.HandleForm,
        frozenset({"handle"}),
        _handle,
        gettext_lazy("Saved."),
    ),
    Step(
        "reply",
        gettext_lazy("Reply to the customer"),
        f.ReplyForm,
        frozenset({"reply"}),
        _reply,
        gettext_lazy("Reply recorded."),
        gettext_lazy("Record the reply"),
    ),
    Step(
        "visit",
        gettext_lazy("Follow-up visit"),
        f.VisitForm,
        frozenset({"visit_satisfied", "visit_dissatisfied"}),
        _visit,
        gettext_lazy("Visit recorded."),
        gettext_lazy("Record the visit"),
    ),
    Step(
        "refer",
        gettext_lazy("Refer to developer or outside party"),
        f.ReferForm,
        frozenset({"refer"}),
        _refer,
        gettext_lazy("Referral recorded."),
        gettext_lazy("Refer"),
    ),
    Step(
        "referral_result",
        gettext_lazy("Record the party's result"),
        f.ReferralResultForm,
        frozenset({"referral_result"}),
        _referral_result,
        gettext_lazy("The party's result is recorded."),
    ),
    Step(
        "request",
        gettext_lazy("Change the requested reply time"),
        f.RequestForm,
        frozenset({"change_request"}),
        _request,
        gettext_lazy("Requested reply time changed; the deadline follows it."),
    ),
    Step(
        "assign",
        gettext_lazy("Forward to a department"),
        f.AssignForm,
        frozenset({"assign"}),
        _assign,
        gettext_lazy("Forwarded."),
        gettext_lazy("Forward"),
    ),
    Step(
        "link",
        gettext_lazy("Handle together with a lead complaint"),
        f.LinkForm,
        frozenset({"link"}),
        _link,
        gettext_lazy("Link saved."),
        gettext_lazy("Link"),
    ),
    Step(
        "slip",
        gettext_lazy("Raise a work transfer slip"),
        f.SlipForm,
        frozenset({"raise_slip"}),
        _slip,
        gettext_lazy("Work transfer slip raised; it waits for the signer you chose."),
        gettext_lazy("Raise the slip"),
    ),
    Step(
        "analyse",
        gettext_lazy("Department head's analysis"),
        f.AnalyseForm,
        frozenset({"analyse"}),
        _analyse,
        gettext_lazy("Analysis saved."),
    ),
    Step(
        "close",
        gettext_lazy("Close"),
        f.CloseForm,
        frozenset({"close"}),
        _close,
        gettext_lazy("Closed."),
        gettext_lazy("Close"),
        "secondary",
    ),
    Step(
        "close_superior",
        gettext_lazy("Close with a superior's reason"),
        f.CloseSuperiorForm,
        frozenset({"close_by_superior"}),
        _close_superior,
        gettext_lazy("Closed with your reason."),
        gettext_lazy("Close"),
        "danger",
    ),
)


@dataclass(frozen=True)
class Papers:
    """What the page has already read that decides two steps: whether a slip is still open
    and whether the complaint leads others. ``None`` asks the database."""

    open_slip: bool | None = None
    leads_others: bool | None = None


def available_steps(user: RequestUser, complaint: Complaint, papers: Papers = Papers()) -> list[Step]:  # noqa: B008 - frozen
    """The forms this user gets on this complaint now; read-only roles get none."""
    names = {t.name for t in services.staff_can(user, complaint)}
    steps = [s for s in STEPS if s.transitions & names]
    if any(s.name == "take" for s in steps) and not batch.may_take(*batch.staff_departments(user), complaint):
        steps = [s for s in steps if s.name != "take"]
    if complaint.kind == Kind.COMPLAINT and complaint.valid:
        # A valid complaint closes only through a satisfied visit (K-10).
        steps = [s for s in steps if s.name != "close"]
    if any(s.name == "slip" for s in steps):
        open_slip = papers.open_slip
        if open_slip is None:
            open_slip = complaint.slips.exclude(status=workflow.DONE).exists()
        if open_slip:
            steps = [s for s in steps if s.name != "slip"]
    if complaint.lead_id is None and any(s.name == "link" for s in steps):
        leads = papers.leads_others
        if leads is None:
            leads = complaint.duplicates.exists()
        if leads:
            steps = [s for s in steps if s.name != "link"]  # a lead is not itself linked
    return steps


@dataclass
class Panel:
    """One step on the page. A panel that is not ``open`` shows its title, and its fields only
    when someone opens it (``lazy``): they are fetched then (htmx, ``?step=<name>``), so a page
    view does not build every step's form with its select options (decision 0061). Hidden
    fields (the version a text is based on) are always in the page, taken when it was opened."""

    step: Step
    label: Any
    form: f.StepForm | None
    open: bool = False
    stale: bool = False  # the step is no longer available; the form is kept so nothing typed is lost
    lazy: bool = False
    # A lazy panel's markup before and after its CSRF token, written in Python (``step_panels``).
    head: Any = ""
    tail: Any = ""


def _label(step: Step, complaint: Complaint) -> Any:
    if step.name == "assess" and complaint.assessed_at:
        return workflow.COMPLAINT.get("reassess").label
    return step.label


def step_form(step: Step, complaint: Complaint, user: RequestUser, data: Any = None) -> f.StepForm:
    return step.form(data, complaint=complaint, user=user, auto_id=f"id_{step.name}_%s")


def _has_hidden_fields(step: Step) -> bool:
    return any(field.widget.is_hidden for field in step.form.base_fields.values())


# --- The page ----------------------------------------------------------------------------------------


def _panels(
    user: RequestUser,
    complaint: Complaint,
    failed: tuple[Step, f.StepForm] | None,
    papers: Papers,
    opened: str = "",
) -> list[Panel]:
    """The steps offered now. The failed step's form (kept as typed) and the step asked for
    with ``?step=`` are shown open; ``take`` has no fields; every other step is ``lazy``, with
    its form made only when it has hidden fields to carry."""
    panels = []
    for step in available_steps(user, complaint, papers):
        label = _label(step, complaint)
        if failed is not None and failed[0] is step:
            panels.append(Panel(step, label, failed[1], open=True))
        elif step.name == "take" or (failed is None and step.name == opened):
            panels.append(Panel(step, label, step_form(step, complaint, user), open=step.name == opened))
        else:
            form = step_form(step, complaint, user) if _has_hidden_fields(step) else None
            panels.append(Panel(step, label, form, lazy=True))
    if failed is not None and all(p.step is not failed[0] for p in panels):
        failed_step, form = failed
        panels.insert(0, Panel(failed_step, _label(failed_step, complaint), form, open=True, stale=True))
    return panels


def step_fields(request: HttpRequest, complaint: Complaint, name: str) -> HttpResponse:
    """A lazy panel's visible fields and its button, when it is opened (htmx). A step that is
    no longer offered to this user says so instead; the scoped look-up has already answered
    404 for a complaint out of scope."""
    step = next((s for s in available_steps(request.user, complaint) if s.name == name), None)
    context: dict[str, Any] = {"complaint": complaint, "step": step}
    if step is not None:
        context["form"] = step_form(step, complaint, request.user)
    response = render(request, "complaints/_step_fields.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def detail_context(
    request: HttpRequest,
    complaint: Complaint,
    failed: tuple[Step, f.StepForm] | None = None,
    opened: str = "",
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    due = selectors.due_state_of(complaint, now, selectors.soon_windows(company_of(request)))

    # Each list is read only when the complaint's own statement says it has rows (decision
    # 0061); a complaint read without those flags reads them all.
    def has(name: str) -> bool:
        return bool(getattr(complaint, name, True))

    # A lead's duplicates: the partial index complaint_lead finds them (decision 0058).
    duplicates = (
        list(
            complaint.duplicates.select_related("unit__building")
            .annotate(visit_count=Count("visits"))
            .order_by("received_at", "id")
        )
        if has("has_duplicates")
        else []
    )
    for dup in duplicates:
        dup.shown_name = person_name(user, dup.complainant_name)  # type: ignore[attr-defined]
    slips = (
        list(
            complaint.slips.select_related("raised_by").prefetch_related(
                Prefetch("signatures", queryset=Signature.objects.select_related("signer"))
            )
        )
        if has("has_slips")
        else []
    )
    papers = Papers(
        open_slip=any(slip.status != workflow.DONE for slip in slips), leads_others=bool(duplicates)
    )
    lead = complaint.lead
    detail_url = _back(complaint)
    panels = _panels(user, complaint, failed, papers, opened)
    show_form = step_panels.show_form_words()
    for panel in panels:
        if panel.lazy:
            written = step_panels.closed_panel(
                panel.step.name, panel.label, panel.form, complaint, detail_url, show_form
            )
            if written is not None:
                panel.head, panel.tail = written
    return {
        "complaint": complaint,
        "due_state": str(due),
        "due_label": DUE_LABELS[due],
        "complainant": person_name(user, complaint.complainant_name),
        "can_reveal": bool(complaint.contact_phone) and policy.can_reveal_contact(user),
        "attachments": list(complaint.attachments.all()) if has("has_attachments") else [],
        "can_attach": uploads.can_attach(user, complaint),
        "visits": list(complaint.visits.select_related("visitor")) if has("has_visits") else [],
        "lead": lead,
        "lead_name": person_name(user, lead.complainant_name) if lead else "",
        "duplicates": duplicates,
        "slips": slips,
        "notices": (
            list(complaint.notices.select_related("department", "issued_by")) if has("has_notices") else []
        ),
        "timeline": timeline_rows(complaint),
        "panels": panels,
        "detail_url": detail_url,
        "now": now,
    }


def render_detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    failed: tuple[Step, f.StepForm] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
    opened: str = "",
) -> HttpResponse:
    context = detail_context(request, complaint, failed, opened)
    context.update(extra or {})
    response = render(request, "complaints/detail.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a panel's fields to htmx
    return response


@company_time
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The page; ``?step=<name>`` opens that step's form (a link that works without a script),
    and asked by htmx answers only that step's fields."""
    complaint = selectors.get_complaint_page(request.user, pk)
    opened = request.GET.get("step", "")
    if opened and getattr(request, "htmx", False):
        return step_fields(request, complaint, opened)
    return render_detail(request, complaint, opened=opened)


def _load(request: HttpRequest, pk: int) -> Complaint:
    return selectors.get_complaint_page(request.user, pk)


def _back(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def action_view(step: Step) -> Callable[..., HttpResponse]:
    """The page's form of one step as a ``core.web`` form step (422 with everything kept)."""

    def form(request: HttpRequest, complaint: Complaint, data: Any) -> f.StepForm:
        return step_form(step, complaint, request.user, data)

    def run(request: HttpRequest, complaint: Complaint, form: f.StepForm) -> Any:
        step.run(request.user, complaint, form.cleaned_data)
        return step.done

    def show(request: HttpRequest, complaint: Complaint, form: f.StepForm, status: int) -> HttpResponse:
        return render_detail(request, complaint, failed=(step, form), status=status)

    return form_step_view(FormStep(_load, form, run, show, _back, name=f"act_{step.name}"))


@company_time
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the complainant's full phone number and logs who asked (SPEC D-3).

    The number is rendered into this response only, never put into the session's messages.
    """
    complaint = selectors.get_complaint(request.user, pk)
    if request.method != "POST":
        return redirect("complaints:detail", pk)
    if not policy.can_reveal_contact(request.user) or not complaint.contact_phone:
        raise PermissionDenied
    log_personal_data_access(
        user=request.user,
        subject=complaint,
        field="contact_phone",
        reason=request.POST.get("reason", ""),
        ip_address=client_ip(request),
    )
    if getattr(request, "htmx", False):
        return HttpResponse(
            format_html('<span class="font-monospace" id="phone-value">{}</span>', complaint.contact_phone)
        )
    return render_detail(request, complaint, extra={"revealed_phone": complaint.contact_phone})
