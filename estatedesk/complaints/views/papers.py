"""Pages of the papers around complaints: work transfer slips (K-8) and work arrangement
notices (K-9). Lists and pages read through the scoped selectors (404 out of scope); every
form posts to a thin view that calls the one ``papers`` function of its step.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.complaints import papers, selectors, workflow
from estatedesk.complaints.chain import slip_chain
from estatedesk.complaints.forms_actions import (
    NoticeForm,
    NoticeReportForm,
    NoticeVerifyForm,
    SignForm,
    SlipResultForm,
)
from estatedesk.complaints.models import Signature, SlipLevel, TransferSlip, WorkNotice
from estatedesk.complaints.views.common import person_name
from estatedesk.core import policy
from estatedesk.core.actors import RequestUser
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.org.acting import name_acting

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet) -> dict[str, Any]:
    """A page of rows, and the query string that keeps the filters on the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page": Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring": params.urlencode(),
    }


# --- Work transfer slips ---------------------------------------------------------------------------


def may_sign(user: RequestUser, slip: TransferSlip) -> bool:
    return selectors.slips_waiting_for(user, TransferSlip.objects.filter(pk=slip.pk)).exists()


def may_record_result(user: RequestUser, slip: TransferSlip) -> bool:
    return (
        slip.status == workflow.DECIDED and policy.role_of(user) in workflow.SLIP.get("record_result").roles
    )


def may_issue_from(user: RequestUser, slip: TransferSlip) -> bool:
    """The leader who decided the slip issues its notice (§7.2.9 b)."""
    staff = policy.staff_of(user)
    if staff is None or slip.status != workflow.DECIDED:
        return False
    return staff.role in workflow.ISSUER_ROLES and papers.decider_of(slip) == staff.pk


def _chain(slip: TransferSlip, signatures: list[Signature]) -> list[dict[str, Any]]:
    """The slip's signing chain for the page: each step with its label and who acted for whom."""
    labels = {"raised": _("Raised by"), **dict(SlipLevel.choices)}
    steps = slip_chain(
        status=slip.status,
        first_signer=slip.first_signer,
        raised_by=slip.raised_by.display_name,
        raised_at=slip.raised_at,
        signatures=signatures,
    )
    return [
        {
            "role": step.role,
            "label": labels[step.role],
            "state": step.state,
            "who": name_acting(step.who, step.acting_for),
            "at": step.at,
            "decision": step.decision,
        }
        for step in steps
    ]


def filtered_slips(request: HttpRequest) -> QuerySet[TransferSlip]:
    """The slips of the list page with its filters, in its order; the Excel export reads the same."""
    params = Params(request.GET)
    slips = selectors.slips_for(request.user).select_related("complaint__estate")
    if params.flag("mine"):
        slips = selectors.slips_waiting_for(request.user, slips)
    status = params.choice("status", dict(workflow.SLIP.states))
    if status:
        slips = slips.filter(status=status)
    return slips.order_by("-raised_at", "-id")


@company_time
def slip_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/slip_list.html",
        {
            **_page(request, filtered_slips(request)),
            "mine": request.GET.get("mine") == "1",
            "status": request.GET.get("status", ""),
            "statuses": workflow.SLIP.states,
        },
    )


def _slip(user: RequestUser, pk: int) -> TransferSlip:
    slip = (
        selectors.slips_for(user)
        .select_related("complaint__estate", "result_by")
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("signer")))
        .filter(pk=pk)
        .first()
    )
    if slip is None:
        raise Http404
    return slip


def render_slip(
    request: HttpRequest,
    slip: TransferSlip,
    *,
    sign_form: SignForm | None = None,
    result_form: SlipResultForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_sign = may_sign(user, slip)
    can_result = may_record_result(user, slip)
    signatures = list(slip.signatures.all())
    for sig in signatures:
        sig.who = name_acting(sig.signer.display_name, sig.acting_for)  # type: ignore[attr-defined]
    level = workflow.SLIP_SIGNER.get(slip.status, "")
    return render(
        request,
        "complaints/slip_detail.html",
        {
            "slip": slip,
            "complainant": person_name(user, slip.complaint.complainant_name),
            "signatures": signatures,
            "chain": _chain(slip, signatures),
            "notices": list(slip.notices.select_related("department")),
            "can_sign": can_sign or sign_form is not None,
            "signing_for": papers.signing_as(user, slip) if can_sign else "",
            "last_signer": slip.status == workflow.AT_GM,
            "may_pass_to_gm": level == "department_head",
            "sign_form": sign_form or SignForm(initial=version_initial(slip), auto_id="id_sign_%s"),
            "can_result": can_result or result_form is not None,
            "result_form": result_form
            or SlipResultForm(initial=version_initial(slip), auto_id="id_result_%s"),
            "can_issue": may_issue_from(user, slip),
            "waiting_role": workflow.SLIP_SIGNER.get(slip.status, ""),
        },
        status=status,
    )


@company_time
def slip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_slip(request, _slip(request.user, pk))


def _load_slip(request: HttpRequest, pk: int) -> TransferSlip:
    return _slip(request.user, pk)


def _slip_page(slip: TransferSlip) -> str:
    return reverse("complaints:slip_detail", args=[slip.pk])


def _sign(request: HttpRequest, slip: TransferSlip, form: SignForm) -> Any:
    decision = form.cleaned_data["decision"]
    signed = papers.sign_slip(
        actor=request.user,
        slip=slip.pk,
        opinion=form.cleaned_data["opinion"],
        decision="escalate" if decision == "escalate_gm" else decision,
        to="gm" if decision == "escalate_gm" else "",
        based_on=form.cleaned_data["based_on_version"],
    )
    if signed.status == workflow.DECIDED:
        return _("Signed and decided.")
    return _("Signed and passed up.")


slip_sign = form_step_view(
    FormStep(
        load=_load_slip,
        form=lambda request, slip, data: SignForm(data, auto_id="id_sign_%s"),
        run=_sign,
        render=lambda request, slip, form, status: render_slip(request, slip, sign_form=form, status=status),
        back=_slip_page,
        name="slip_sign",
    )
)


def _record_result(request: HttpRequest, slip: TransferSlip, form: SlipResultForm) -> Any:
    papers.record_slip_result(
        actor=request.user,
        slip=slip.pk,
        result=form.cleaned_data["result"],
        based_on=form.cleaned_data["based_on_version"],
    )
    return _("Final result recorded. Reply it to the customer on the complaint.")


slip_result = form_step_view(
    FormStep(
        load=_load_slip,
        form=lambda request, slip, data: SlipResultForm(data, auto_id="id_result_%s"),
        run=_record_result,
        render=lambda request, slip, form, status: render_slip(
            request, slip, result_form=form, status=status
        ),
        back=_slip_page,
        name="slip_result",
    )
)


# --- Work arrangement notices --------------------------------------------------------------------------


def overdue_q(now: Any) -> Q:
    return Q(due_at__lt=now) & ~Q(status=workflow.VERIFIED)


def is_overdue(notice: WorkNotice, now: Any) -> bool:
    return notice.due_at < now and notice.status != workflow.VERIFIED


def filtered_notices(request: HttpRequest, now: Any) -> QuerySet[WorkNotice]:
    """The notices of the list page with its filter, in its order; the Excel export reads the same."""
    notices = selectors.notices_for(request.user)
    state = Params(request.GET).choice("state", ("open", "overdue"))
    if state == "open":
        notices = notices.exclude(status=workflow.VERIFIED)
    elif state == "overdue":
        notices = notices.filter(overdue_q(now))
    return notices.order_by("-issued_at", "-id")


@company_time
def notice_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    state = request.GET.get("state", "")
    paged = _page(request, filtered_notices(request, now))
    for notice in paged["page"]:
        notice.overdue = is_overdue(notice, now)
    return render(
        request,
        "complaints/notice_list.html",
        {
            **paged,
            "state": state,
            "can_issue": policy.role_of(request.user) in workflow.ISSUER_ROLES,
        },
    )


def _may_issue(user: RequestUser) -> None:
    if policy.role_of(user) not in workflow.ISSUER_ROLES:
        raise PermissionDenied


def _from_slip(user: RequestUser, slip: TransferSlip) -> dict[str, Any]:
    """A notice from a decided slip, pre-filled with the decision (§7.2.9 b): the deciding
    opinion as the task, the complaint's department (when it is under the user) as department."""
    initial: dict[str, Any] = {"slip": slip.pk, "estate": slip.complaint.estate_id}
    decision = slip.signatures.filter(decision="decide").order_by("-signed_at", "-id").first()
    if decision is not None:
        initial["task"] = decision.opinion
    if selectors.addressable_departments(user).filter(pk=slip.complaint.department_id).exists():
        initial["department"] = slip.complaint.department_id
    return initial


@company_time
def notice_create(request: HttpRequest) -> HttpResponse:
    _may_issue(request.user)
    if request.method != "POST":
        initial: dict[str, Any] = {}
        slip = None
        params = Params(request.GET)
        if params.raw("slip").strip():
            slip_id = params.id("slip")
            slip = selectors.slips_for(request.user).filter(pk=slip_id).first() if slip_id else None
            if slip is None:
                raise Http404
            initial = _from_slip(request.user, slip)
        form = NoticeForm(initial=initial, user=request.user)
        return render(request, "complaints/notice_form.html", {"form": form, "slip": slip})
    form = NoticeForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            notice = papers.issue_notice(
                actor=request.user,
                department=data["department"],
                task=data["task"],
                due_at=data["due_at"],
                slip=data["slip"],
                estate=data["estate"],
            )
        except ServiceError as error:
            put_error(form, error)
            return render(
                request,
                "complaints/notice_form.html",
                {"form": form, "slip": data["slip"]},
                status=error.status,
            )
        messages.success(request, _("Work arrangement notice %(number)s issued.") % {"number": notice.number})
        return redirect("complaints:notice_detail", notice.pk)
    slip = form.cleaned_data.get("slip") if hasattr(form, "cleaned_data") else None
    return render(request, "complaints/notice_form.html", {"form": form, "slip": slip}, status=422)


def _notice(user: RequestUser, pk: int) -> WorkNotice:
    notice = (
        selectors.notices_for(user)
        .select_related("slip", "reported_by", "verified_by", "complaint__estate")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def may_report(user: RequestUser, notice: WorkNotice) -> bool:
    staff = policy.staff_of(user)
    if staff is None or notice.status != workflow.ISSUED:
        return False
    if staff.role not in workflow.NOTICE.get("report").roles:
        return False
    return policy.sees_all(user) or notice.department_id in (policy.department_ids(user) or frozenset())


def may_verify(user: RequestUser, notice: WorkNotice) -> bool:
    staff = policy.staff_of(user)
    if staff is None or notice.status != workflow.REPORTED or staff.role not in workflow.VERIFIER_ROLES:
        return False
    return notice.issued_by_id == staff.pk or staff.role in ("deputy_gm", "gm")


def render_notice(
    request: HttpRequest,
    notice: WorkNotice,
    *,
    report_form: NoticeReportForm | None = None,
    verify_form: NoticeVerifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "complaints/notice_detail.html",
        {
            "notice": notice,
            "overdue": notice.due_at < timezone.now() and notice.status != workflow.VERIFIED,
            "can_report": may_report(user, notice) or report_form is not None,
            "report_form": report_form
            or NoticeReportForm(initial=version_initial(notice), auto_id="id_report_%s"),
            "can_verify": may_verify(user, notice) or verify_form is not None,
            "verify_form": verify_form
            or NoticeVerifyForm(initial=version_initial(notice), auto_id="id_verify_%s"),
        },
        status=status,
    )


@company_time
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_notice(request, _notice(request.user, pk))


def _load_notice(request: HttpRequest, pk: int) -> WorkNotice:
    return _notice(request.user, pk)


def _notice_page(notice: WorkNotice) -> str:
    return reverse("complaints:notice_detail", args=[notice.pk])


def _report(request: HttpRequest, notice: WorkNotice, form: NoticeReportForm) -> Any:
    papers.report_notice(
        actor=request.user,
        notice=notice.pk,
        report=form.cleaned_data["report"],
        based_on=form.cleaned_data["based_on_version"],
    )
    return _("Completion reported; the issuer will verify it.")


notice_report = form_step_view(
    FormStep(
        load=_load_notice,
        form=lambda request, notice, data: NoticeReportForm(data, auto_id="id_report_%s"),
        run=_report,
        render=lambda request, notice, form, status: render_notice(
            request, notice, report_form=form, status=status
        ),
        back=_notice_page,
        name="notice_report",
    )
)


def _verify(request: HttpRequest, notice: WorkNotice, form: NoticeVerifyForm) -> Any:
    accepted = form.cleaned_data["accepted"] == "yes"
    papers.verify_notice(
        actor=request.user,
        notice=notice.pk,
        accepted=accepted,
        verification=form.cleaned_data["verification"],
        based_on=form.cleaned_data["based_on_version"],
    )
    if accepted:
        return _("Verified: the notice is done.")
    return _("Returned to the department: the task is not done.")


notice_verify = form_step_view(
    FormStep(
        load=_load_notice,
        form=lambda request, notice, data: NoticeVerifyForm(data, auto_id="id_verify_%s"),
        run=_verify,
        render=lambda request, notice, form, status: render_notice(
            request, notice, verify_form=form, status=status
        ),
        back=_notice_page,
        name="notice_verify",
    )
)
