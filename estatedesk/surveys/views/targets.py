"""The quality targets page (SPEC S-2's below-target marks): the company's default, and the
targets set for a category, an estate, or a category in an estate."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.errors import ServiceError
from estatedesk.core.models import CompanySettings
from estatedesk.core.web import company_time, put_error
from estatedesk.surveys import standards
from estatedesk.surveys import targets as target_services
from estatedesk.surveys.forms_standards import RemoveTargetForm, TargetForm
from estatedesk.surveys.models import Category, SatisfactionTarget


def _render_targets(
    request: HttpRequest, form: forms.BaseForm | None = None, status: int = 200
) -> HttpResponse:
    categories = dict(Category.choices)
    rows = [
        {
            "pk": row.pk,
            "estate": row.estate.name if row.estate else "",
            "category": categories.get(row.category, row.category) if row.category else "",
            "target": row.target,
        }
        for row in SatisfactionTarget.objects.select_related("estate").order_by("estate__code", "category")
    ]
    return render(
        request,
        "surveys/standards/targets.html",
        {
            "company_target": CompanySettings.load().satisfaction_target,
            "rows": rows,
            "form": form or TargetForm(),
            "may_edit": standards.may_edit(request.user),
            "is_admin": policy.is_admin(request.user),
        },
        status=status,
    )


@company_time
def targets(request: HttpRequest) -> HttpResponse:
    return _render_targets(request)


@company_time
def target_set(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("surveys:targets")
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _render_targets(request, form, 422)
    data = form.cleaned_data
    try:
        target_services.set_target(
            actor=request.user,
            estate=data["estate"].pk if data["estate"] else None,
            category=data["category"],
            target=data["target"],
        )
    except ServiceError as error:
        put_error(form, error)
        return _render_targets(request, form, error.status)
    messages.success(request, _("Target saved."))
    return redirect("surveys:targets")


@company_time
def target_remove(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("surveys:targets")
    form = RemoveTargetForm(request.POST)
    if not form.is_valid():
        return _render_targets(request, None, 422)
    try:
        target_services.remove_target(actor=request.user, target=form.cleaned_data["target"])
    except ServiceError as error:
        messages.error(request, str(error.message))
        return _render_targets(request, None, error.status)
    messages.success(request, _("Target removed: the more general one applies again."))
    return redirect("surveys:targets")
