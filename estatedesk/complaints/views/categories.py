"""The administrators' page of complaint categories (SPEC K-3): list in order, add, rename in
three languages, move up or down, deactivate or reactivate, delete while unused.

Every URL here is for administrators only (``core.policy.URL_RULES``); the services check the
role again. Each form posts to a thin view that calls the one ``categories`` function of its
step; refused steps show the page again with the reason and the error's status.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.complaints import categories, selectors
from estatedesk.complaints.forms_categories import CategoryCreateForm, CategoryRenameForm
from estatedesk.complaints.models import Category
from estatedesk.core.audit import history_rows
from estatedesk.core.errors import ServiceError
from estatedesk.core.web import FormStep, form_step_view, put_error


def _load(request: HttpRequest, pk: int) -> Category:
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        raise Http404
    return category


def _list_url(_category: Any = None) -> str:
    return reverse("complaints:category_list")


def _render_list(request: HttpRequest, form: forms.BaseForm | None = None, status: int = 200) -> HttpResponse:
    rows = list(selectors.categories_with_use())
    return render(
        request,
        "complaints/categories.html",
        {"rows": rows, "errors": form.non_field_errors() if form is not None else [], "last": len(rows) - 1},
        status=status,
    )


def category_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                category = categories.add_category(
                    actor=request.user, code=form.cleaned_data["code"], **form.names()
                )
            except ServiceError as error:
                put_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Category “%(name)s” added.") % {"name": category})
                return redirect(_list_url())
    return render(request, "complaints/category_form.html", {"form": form, "category": None}, status=status)


def _render_edit(request: HttpRequest, category: Category, form: forms.BaseForm, status: int) -> HttpResponse:
    return render(
        request,
        "complaints/category_form.html",
        {
            "form": form,
            "category": category,
            "used": categories.used_by(category),
            "history": history_rows(category),
        },
        status=status,
    )


def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = _load(request, pk)
    return _render_edit(request, category, CategoryRenameForm(category=category), 200)


def _rename(request: HttpRequest, category: Category, form: CategoryRenameForm) -> str:
    saved = categories.rename_category(
        actor=request.user,
        category=category.pk,
        based_on=form.cleaned_data["based_on_version"],
        **form.names(),
    )
    return _("Category “%(name)s” saved.") % {"name": saved}


category_rename = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, category, data: CategoryRenameForm(data, category=category),
        run=_rename,
        render=_render_edit,
        back=_list_url,
        name="category_rename",
    )
)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


def _move(request: HttpRequest, category: Category, form: MoveForm) -> None:
    step = -1 if form.cleaned_data["direction"] == "up" else 1
    categories.move_category(actor=request.user, category=category.pk, step=step)


category_move = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, category, data: MoveForm(data),
        run=_move,
        render=lambda request, category, form, status: _render_list(request, form, status),
        back=_list_url,
        name="category_move",
    )
)


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


def _set_active(request: HttpRequest, category: Category, form: ActiveForm) -> str:
    active = form.cleaned_data["active"]
    saved = categories.set_category_active(actor=request.user, category=category.pk, active=active)
    if active:
        return _("Category “%(name)s” is offered again for new complaints.") % {"name": saved}
    return _(
        "Category “%(name)s” is deactivated: no longer offered for new complaints, still shown on old ones."
    ) % {"name": saved}


category_active = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, category, data: ActiveForm(data),
        run=_set_active,
        render=lambda request, category, form, status: _render_list(request, form, status),
        back=_list_url,
        name="category_active",
    )
)


def _delete(request: HttpRequest, category: Category, form: forms.Form) -> str:
    name = str(category)
    categories.delete_category(actor=request.user, category=category.pk)
    return _("Category “%(name)s” deleted.") % {"name": name}


category_delete = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, category, data: forms.Form(data),
        run=_delete,
        render=lambda request, category, form, status: _render_edit(
            request, category, _with_errors(CategoryRenameForm(category=category), form), status
        ),
        back=_list_url,
        name="category_delete",
    )
)


def _with_errors(shown: CategoryRenameForm, refused: forms.BaseForm) -> CategoryRenameForm:
    """The rename form as it was, with the delete step's refusal on top of the page."""
    shown.refusal = list(refused.non_field_errors())  # type: ignore[attr-defined]
    return shown
