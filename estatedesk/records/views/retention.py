"""The retention table (SPEC D-1): every record type, its keeper, period and basis.

Administrators and auditors read it; administrators change a type's period (and say why) on
its edit page, through ``records.retention.set_months``. The period is a versioned text
(decision 0011): two administrators editing it at once get a 409 with both texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.errors import ServiceError, StaleEdit
from estatedesk.core.versioning import show_stale
from estatedesk.core.web import company_time, hidden_errors_on_top, put_error
from estatedesk.records import retention
from estatedesk.records.forms import RetentionForm
from estatedesk.records.models import RetentionRule
from estatedesk.records.views.access import require_admin, who


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    note: str  # what the type includes (declared by its app)
    owner: str
    basis: str
    months: int
    years: int | None  # when the period is whole years
    default_months: int
    changed: bool
    changed_by: str
    changed_at: datetime | None
    reason: str  # the administrator's note on the change
    cutoff: datetime


def _row(each: retention.RuleRow) -> Row:
    kind, rule = each.record_type, each.rule
    return Row(
        key=kind.key,
        label=str(kind.label),
        note=str(kind.note),
        owner=str(kind.owner),
        basis=str(kind.basis),
        months=each.months,
        years=each.months // 12 if each.months % 12 == 0 else None,
        default_months=kind.default_months,
        changed=rule is not None,
        changed_by=who(rule.updated_by) if rule is not None else "",
        changed_at=rule.updated_at if rule is not None else None,
        reason=rule.note if rule is not None else "",
        cutoff=each.cutoff,
    )


def _rows() -> list[Row]:
    return [_row(each) for each in retention.rule_table()]


@company_time
def table(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "records/retention.html",
        {"rows": _rows(), "can_edit": policy.is_admin(request.user)},
    )


def _render_edit(request: HttpRequest, row: Row, form: RetentionForm, status: int) -> HttpResponse:
    return render(request, "records/retention_edit.html", {"row": row, "form": form}, status=status)


@company_time
def edit(request: HttpRequest, key: str) -> HttpResponse:
    require_admin(request)
    row = next((each for each in _rows() if each.key == key), None)
    if row is None:
        raise Http404
    rule = RetentionRule.objects.filter(record_type=key).first()
    if request.method != "POST":
        initial = {
            "months": row.months,
            "note": row.reason,
            "based_on_version": rule.edit_version if rule is not None else 0,
        }
        return _render_edit(request, row, RetentionForm(initial=initial), 200)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        hidden_errors_on_top(form)
        return _render_edit(request, row, form, 422)
    try:
        retention.set_months(
            actor=request.user,
            key=key,
            months=form.cleaned_data["months"],
            note=form.cleaned_data["note"],
            based_on=form.cleaned_data["based_on_version"],
        )
    except ServiceError as error:
        put_error(form, error)
        if isinstance(error, StaleEdit):
            show_stale(form, error)
        fresh = next((each for each in _rows() if each.key == key), row)
        return _render_edit(request, fresh, form, error.status)
    messages.success(
        request,
        _("The retention period of “%(type)s” is saved: %(months)s months.")
        % {"type": row.label, "months": form.cleaned_data["months"]},
    )
    return redirect(reverse("records:retention"))
