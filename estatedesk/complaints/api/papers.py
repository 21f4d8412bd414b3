"""Work transfer slips (K-8) and work arrangement notices (K-9) over the API (SPEC A-2, P-1).

Addressed by their readable numbers (``CQ-2026-000012``, ``AP-2026-000007``). Reads come
from ``selectors.slips_for`` / ``notices_for``, so papers outside the user's scope are 404s;
every write is one call of ``papers``. A slip is raised from its complaint
(``POST /api/complaints/{number}/slip``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.complaints import papers, selectors
from estatedesk.complaints.api.output import (
    Viewer,
    notice_detail,
    notice_item,
    service_errors,
    slip_detail,
    slip_item,
)
from estatedesk.complaints.api.schemas import (
    NoticeFilters,
    NoticeIn,
    NoticeOut,
    NoticePage,
    Number,
    ReportIn,
    SignIn,
    SlipFilters,
    SlipOut,
    SlipPage,
    SlipResultIn,
    VerifyIn,
)
from estatedesk.complaints.models import TransferSlip, WorkNotice
from estatedesk.core.actors import Actor
from estatedesk.core.api import READ_ERRORS, WRITE_ERRORS, Paging, current_user, invalid, paginate, responses
from estatedesk.org import selectors as org

router = Router()


def _slips(user: Actor) -> QuerySet[TransferSlip]:
    return selectors.slips_for(user).select_related("complaint__estate", "result_by")


def _notices(user: Actor) -> QuerySet[WorkNotice]:
    return selectors.notices_for(user).select_related("slip", "reported_by", "verified_by")


def _one(queryset: QuerySet[Any], number: str) -> Any:
    found = queryset.filter(number=number).first()
    if found is None:
        raise Http404
    return found


# --- Work transfer slips -------------------------------------------------------------------


@router.get("/slips", response=responses(200, SlipPage, *READ_ERRORS), tags=["slips"])
def list_slips(request: HttpRequest, filters: Query[SlipFilters], paging: Query[Paging]) -> Any:
    """Work transfer slips of your scope, newest first."""
    user = current_user(request)
    queryset = _slips(user)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.estate is not None:
        queryset = queryset.filter(complaint__estate_id=filters.estate)
    if filters.complaint is not None:
        queryset = queryset.filter(complaint__number=filters.complaint)
    viewer = Viewer.of(user)
    page = paginate(queryset, paging)
    page["items"] = [slip_item(s, viewer) for s in page["items"]]
    return page


@router.get("/slips/{number}", response=responses(200, SlipOut, *READ_ERRORS, 404), tags=["slips"])
def get_slip(request: HttpRequest, number: Number) -> Any:
    """A slip with every signature, its result and the notices issued from it."""
    user = current_user(request)
    return slip_detail(_one(_slips(user), number), Viewer.of(user))


@router.post("/slips/{number}/sign", response=responses(200, SlipOut, *WRITE_ERRORS, 404), tags=["slips"])
def sign_slip(request: HttpRequest, number: Number, payload: SignIn) -> Any:
    """The current signer's opinion: decide, or pass the slip up (head → deputy GM or GM; deputy GM → GM)."""
    user = current_user(request)
    slip = _one(_slips(user), number)
    with service_errors(payload):
        papers.sign_slip(
            actor=user,
            slip=slip.pk,
            opinion=payload.opinion,
            decision=payload.decision,
            to=payload.to or "",
            based_on=payload.version,
        )
    return slip_detail(_one(_slips(user), number), Viewer.of(user))


@router.post("/slips/{number}/result", response=responses(200, SlipOut, *WRITE_ERRORS, 404), tags=["slips"])
def record_slip_result(request: HttpRequest, number: Number, payload: SlipResultIn) -> Any:
    """The final result written on a decided slip; reply it to the customer on the complaint."""
    user = current_user(request)
    slip = _one(_slips(user), number)
    with service_errors(payload):
        papers.record_slip_result(actor=user, slip=slip.pk, result=payload.result, based_on=payload.version)
    return slip_detail(_one(_slips(user), number), Viewer.of(user))


# --- Work arrangement notices --------------------------------------------------------------


@router.get("/notices", response=responses(200, NoticePage, *READ_ERRORS), tags=["notices"])
def list_notices(request: HttpRequest, filters: Query[NoticeFilters], paging: Query[Paging]) -> Any:
    """Work arrangement notices of your estates and departments, and those you issued; newest first."""
    user = current_user(request)
    queryset = _notices(user)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.origin is not None:
        queryset = queryset.filter(origin=filters.origin)
    if filters.department is not None:
        queryset = queryset.filter(department_id=filters.department)
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    viewer = Viewer.of(user)
    page = paginate(queryset, paging)
    page["items"] = [notice_item(n, viewer) for n in page["items"]]
    return page


@router.post("/notices", response=responses(201, NoticeOut, *WRITE_ERRORS), tags=["notices"])
def issue_notice(request: HttpRequest, payload: NoticeIn) -> Any:
    """Issue a notice to a department: on your own initiative, or from a decided slip (K-9)."""
    user = current_user(request)
    department = org.departments_for(user).filter(pk=payload.department).first()
    if department is None:
        raise invalid("department", _("There is no such department."))
    slip = None
    if payload.slip is not None:
        slip = selectors.slips_for(user).filter(number=payload.slip).first()
        if slip is None:
            raise invalid("slip", _("There is no such work transfer slip."))
    estate = None
    if payload.estate is not None:
        estate = org.estates_for(user).filter(pk=payload.estate).first()
        if estate is None:
            raise invalid("estate", _("There is no such estate."))
    with service_errors(payload):
        notice = papers.issue_notice(
            actor=user,
            department=department,
            task=payload.task,
            due_at=payload.due_at,
            slip=slip,
            estate=estate,
        )
    return Status(201, notice_detail(_notices(user).get(pk=notice.pk), Viewer.of(user)))


@router.get("/notices/{number}", response=responses(200, NoticeOut, *READ_ERRORS, 404), tags=["notices"])
def get_notice(request: HttpRequest, number: Number) -> Any:
    user = current_user(request)
    return notice_detail(_one(_notices(user), number), Viewer.of(user))


@router.post(
    "/notices/{number}/report", response=responses(200, NoticeOut, *WRITE_ERRORS, 404), tags=["notices"]
)
def report_notice(request: HttpRequest, number: Number, payload: ReportIn) -> Any:
    """The responsible department reports the task done."""
    user = current_user(request)
    notice = _one(_notices(user), number)
    with service_errors(payload):
        papers.report_notice(actor=user, notice=notice.pk, report=payload.report, based_on=payload.version)
    return notice_detail(_one(_notices(user), number), Viewer.of(user))


@router.post(
    "/notices/{number}/verify", response=responses(200, NoticeOut, *WRITE_ERRORS, 404), tags=["notices"]
)
def verify_notice(request: HttpRequest, number: Number, payload: VerifyIn) -> Any:
    """The issuer checks the work: accepted closes the notice, not accepted returns it."""
    user = current_user(request)
    notice = _one(_notices(user), number)
    with service_errors(payload):
        papers.verify_notice(
            actor=user,
            notice=notice.pk,
            accepted=payload.accepted,
            verification=payload.verification,
            based_on=payload.version,
        )
    return notice_detail(_one(_notices(user), number), Viewer.of(user))
