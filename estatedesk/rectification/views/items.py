"""A rectification item's page (SPEC R-3, R-4): everything about it, its steps, its photos,
the resident's signature.

Every view looks the item up through the user's scope first (``item_reads.item_of``), so an
item, photo or signature of another estate, another developer or another team is a 404
whatever the method. Each step posts to ``item_step`` with its name and runs through
``core.web.form_step_view``: a form that does not validate, or a service that refuses, shows
this page again with that step's form open, everything typed kept and the message on its field
(422; 403, 409 as the service says); success goes back to the page with a message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from estatedesk.core import policy, uploads
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.rectification import display, item_reads
from estatedesk.rectification.forms_items import FILES_NOT_KEPT, StepForm
from estatedesk.rectification.models import Item
from estatedesk.rectification.views.item_steps import STEPS, may_take, offered
from estatedesk.rectification.workflow import ITEM


def _blank(name: str, item: Item) -> StepForm:
    form_class = STEPS[name].form
    initial: dict[str, Any] = {}
    if name == "edit":
        initial = {
            "location": item.location,
            "description": item.description,
            "category": item.category,
            "based_on_version": item.edit_version,
        }
    elif name == "replan":
        initial = {"measure": item.measure, "due_date": item.due_date, "team": item.team_id}
    return form_class(initial=initial, item=item, auto_id=f"id_{name}_%s")


def _steps(request: HttpRequest, item: Item, failed: dict[str, Any]) -> list[dict[str, Any]]:
    names = offered(request.user, item)
    if failed and failed["name"] not in names:
        names.append(failed["name"])  # refused, or moved on meanwhile: the form stays, with its message
    steps = []
    for name in names:
        step = STEPS[name]
        form = failed["form"] if failed.get("name") == name else _blank(name, item)
        steps.append(
            {
                "name": name,
                "title": step.title,
                "button": step.button,
                "note": step.note,
                "form": form,
                "multipart": step.multipart,
                "files_lost": FILES_NOT_KEPT if form.files_lost() else "",
                "url": reverse("rectification:item_step", args=[item.pk, name]),
            }
        )
    return steps


def render_item(
    request: HttpRequest, item: Item, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    full_names = policy.can_see_contact_names(request.user)
    context = {
        "item": item,
        "status_label": ITEM.label_of(item.status),
        "round_label": item_reads.round_label(item.round),
        "due_state": display.due_of(item).value,
        "signer": display.signer(item, full=full_names),
        "show_signature": bool(item.signature) and full_names,
        "photo_groups": item_reads.photo_groups(item),
        "timeline": item_reads.timeline(item),
        "steps": _steps(request, item, failed or {}),
        "open_step": (failed or {}).get("name", ""),
    }
    return render(request, "rectification/item/detail.html", context, status=status)


@require_GET
@company_time
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_item(request, item_reads.item_of(request.user, pk))


def _step_view(name: str) -> Any:
    step = STEPS[name]

    def load(request: HttpRequest, pk: int) -> Item:
        return item_reads.item_of(request.user, pk)

    def build(request: HttpRequest, item: Item, data: Any) -> StepForm:
        # Someone whose side or role may never take this step: refused before anything is read.
        if not may_take(request.user, name):
            raise PermissionDenied
        return step.form(data, request.FILES, item=item, auto_id=f"id_{name}_%s")

    def show(request: HttpRequest, item: Item, form: StepForm, status: int) -> HttpResponse:
        return render_item(request, item, failed={"name": name, "form": form}, status=status)

    def back(item: Item) -> str:
        return reverse("rectification:item_detail", args=[item.pk])

    return form_step_view(
        FormStep(load=load, form=build, run=step.run, render=show, back=back, name=f"item_{name}")
    )


STEP_VIEWS = {name: _step_view(name) for name in STEPS}


def item_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step on the item, by name; a name that is no step is not found."""
    view = STEP_VIEWS.get(step)
    if view is None:
        raise Http404
    return view(request, pk)


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo (or a paper acceptance's scan) of an item in the user's scope."""
    found = item_reads.photo_of(request.user, pk)
    extension = found.file.rsplit(".", 1)[-1]
    return uploads.file_response(
        found.file, content_type=found.content_type, label=found.name or f"photo-{found.pk}.{extension}"
    )


@require_GET
def item_signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The resident's drawn signature: only to those who may see residents' names (D-3)."""
    item = item_reads.item_of(request.user, pk)
    if not policy.can_see_contact_names(request.user):
        raise PermissionDenied
    if not item.signature:
        raise Http404
    return uploads.file_response(
        item.signature,
        content_type=item_reads.signature_type(item.signature),
        label=f"{item.number}-signature.{item.signature.rsplit('.', 1)[-1]}",
    )
