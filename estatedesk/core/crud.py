"""Generic, permission-scoped list / detail / edit pages for register-like records.

An app describes a register (its scoped queryset, columns, search and form) once; the
views here do the paging, 404-for-out-of-scope, history and the form round-trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from estatedesk.core.audit import history_rows
from estatedesk.core.params import Params
from estatedesk.core.xlsx import workbook_response

PAGE_SIZE = 50


@dataclass
class Column:
    label: Any
    value: Callable[[Any, Any], Any]  # (obj, request) -> display value
    link: bool = False


@dataclass
class Filter:
    key: str
    label: Any
    apply: Callable[[QuerySet, str], QuerySet]
    choices: Callable[[Any], list[tuple[str, Any]]]  # user -> [(value, label)]


@dataclass
class Register:
    name: str  # url prefix, e.g. "org:unit"
    model: type[models.Model]
    title: Any
    queryset: Callable[[Any], QuerySet]  # user -> scoped queryset
    columns: list[Column]
    detail: list[Column]
    form_class: type[forms.BaseForm] | None = None
    search: Callable[[QuerySet, str], QuerySet] | None = None
    search_placeholder: Any = ""
    filters: list[Filter] = field(default_factory=list)
    can_create: Callable[[Any], bool] = lambda user: False
    can_edit: Callable[[Any, Any], bool] = lambda user, obj: False
    save: Callable[..., Any] | None = None  # (actor, form, request) -> saved instance
    export: bool = False  # an Excel export of the list at "<name>_export" (SPEC A-3)
    extra_detail: Callable[[HttpRequest, Any], dict[str, Any]] | None = None
    # The page title of one record; records that name a person mask it for auditors (D-3).
    label: Callable[[Any, HttpRequest], str] | None = None

    def url(self, action: str, *args: Any) -> str:
        return reverse(f"{self.name}_{action}", args=args)


def get_scoped(register: Register, request: HttpRequest, pk: int) -> Any:
    # Out of scope and missing are the same answer: 404.
    try:
        return register.queryset(request.user).get(pk=pk)
    except register.model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise Http404 from exc


def filter_choices(flt: Filter, request: HttpRequest) -> list[tuple[str, Any]]:
    """A filter's choices, looked up once per request (the filter check and the form both need them)."""
    memo: dict[int, list[tuple[str, Any]]] = request.__dict__.setdefault("_crud_filter_choices", {})
    if id(flt) not in memo:
        memo[id(flt)] = flt.choices(request.user)
    return memo[id(flt)]


def filtered(register: Register, request: HttpRequest) -> QuerySet:
    """The register's rows for the request's search and filters, read through ``core.params``:
    the search is cleaned text, a filter value must be one of its choices."""
    params = Params(request.GET)
    queryset = register.queryset(request.user)
    q = params.text("q")
    if q and register.search:
        queryset = register.search(queryset, q)
    for flt in register.filters:
        value = params.choice(flt.key, (v for v, _label in filter_choices(flt, request)))
        if value:
            queryset = flt.apply(queryset, value)
    return queryset


class ListPage(View):
    register: Register = cast(Register, None)  # set by as_view(register=…)
    template_name = "crud/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        reg = self.register
        params = Params(request.GET)
        paginator = Paginator(filtered(reg, request), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = [(obj, [c.value(obj, request) for c in reg.columns]) for obj in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "register": reg,
                "page": page,
                "rows": rows,
                "q": params.text("q"),
                "has_search": reg.search is not None,
                "filters": [(flt, filter_choices(flt, request), params.text(flt.key)) for flt in reg.filters],
                "querystring": query.urlencode(),
                "create_url": reg.url("create") if reg.can_create(request.user) else "",
                "export_url": reg.url("export") if reg.export else "",
                **self.extra_context(request),
            },
        )

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}


EMPTY = "—"  # what a list cell shows for "no value"


def export_cell(value: Any) -> Any:
    """A list cell as a spreadsheet value: the list's "—" becomes an empty cell, amounts stay
    numbers, dates are ISO text (2026-03-01) whatever the language; anything else is text."""
    if value is None or (isinstance(value, str) and value == EMPTY):
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_rows(register: Register, request: HttpRequest) -> Iterator[list[Any]]:
    """The rows of the list page, every page of them: the same scope, search and filters, and
    each cell rendered by the list's own column (so masking is exactly the page's)."""
    for obj in filtered(register, request).iterator(chunk_size=2000):
        yield [export_cell(c.value(obj, request)) for c in register.columns]


class ExportPage(View):
    register: Register = cast(Register, None)  # set by as_view(register=…)

    def get(self, request: HttpRequest) -> HttpResponse:
        reg = self.register
        headers = [capfirst(str(c.label)) for c in reg.columns]
        return workbook_response(
            request, f"{reg.name.split(':')[-1]}s", headers, export_rows(reg, request), sheet=reg.title
        )


def render_detail(
    reg: Register, request: HttpRequest, obj: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """The record's page; ``extra`` adds what one answer shows only once (a revealed number)."""
    context = {
        "register": reg,
        "object": obj,
        "object_label": reg.label(obj, request) if reg.label else str(obj),
        "fields": [(c.label, c.value(obj, request)) for c in reg.detail],
        "history": history_rows(obj),
        "edit_url": reg.url("edit", obj.pk) if reg.form_class and reg.can_edit(request.user, obj) else "",
    }
    if reg.extra_detail:
        context.update(reg.extra_detail(request, obj))
    context.update(extra or {})
    return render(request, "crud/detail.html", context)


class DetailPage(View):
    register: Register = cast(Register, None)  # set by as_view(register=…)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_detail(self.register, request, get_scoped(self.register, request, pk))


class EditPage(View):
    """Create (pk None) or edit. A rejected form comes back with everything typed still in it."""

    register: Register = cast(Register, None)  # set by as_view(register=…)

    def _object(self, request: HttpRequest, pk: int | None) -> Any:
        reg = self.register
        if pk is None:
            if not reg.can_create(request.user):
                raise PermissionDenied
            return None
        obj = get_scoped(reg, request, pk)
        if not reg.can_edit(request.user, obj):
            raise PermissionDenied
        return obj

    def _form(self, request: HttpRequest, obj: Any, data: Any = None) -> Any:
        form_class: Any = self.register.form_class
        return form_class(data=data, files=request.FILES or None, instance=obj, user=request.user)

    def _render(self, request: HttpRequest, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        return render(
            request, "crud/form.html", {"register": self.register, "form": form, "object": obj}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(request, pk)
        return self._render(request, self._form(request, obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(request, pk)
        form = self._form(request, obj, request.POST)
        if form.is_valid():
            try:
                assert self.register.save is not None
                saved = self.register.save(actor=request.user, form=form, request=request)
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not make this change."))
            else:
                messages.success(request, _("Saved."))
                return redirect(self.register.url("detail", saved.pk))
        return self._render(request, form, obj, status=422)


def page_views(register: Register) -> dict[str, Callable[..., Any]]:
    views = {
        "list": ListPage.as_view(register=register),
        "detail": DetailPage.as_view(register=register),
        "create": EditPage.as_view(register=register),
        "edit": EditPage.as_view(register=register),
    }
    if register.export:
        views["export"] = ExportPage.as_view(register=register)
    return views
