"""The administrators' page of communication channels (SPEC C-1): list in order, add, edit the
names and uses in three languages, move up or down, switch off or on, delete while unused.

Every URL here is for administrators only (``core.policy.URL_RULES``); the services check the
role again. Each form posts to a thin view that calls the one ``channel_services`` function of
its step; refused steps show the page again with the reason and the error's status. Mirrors the
complaint categories' pages (``complaints.views.categories``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core.audit import history_rows
from estatedesk.core.errors import ServiceError
from estatedesk.core.web import FormStep, form_step_view, put_error
from estatedesk.org import channel_services
from estatedesk.org.channel_forms import ChannelCreateForm, ChannelEditForm
from estatedesk.org.channels import uses_of
from estatedesk.org.models import Channel


def _load(request: HttpRequest, pk: int) -> Channel:
    channel = Channel.objects.filter(pk=pk).first()
    if channel is None:
        raise Http404
    return channel


def _list_url(_channel: Any = None) -> str:
    return reverse("org:channel_list")


def _render_list(request: HttpRequest, form: forms.BaseForm | None = None, status: int = 200) -> HttpResponse:
    rows = list(Channel.objects.order_by("order", "code"))
    return render(
        request,
        "org/channels.html",
        {"rows": rows, "errors": form.non_field_errors() if form is not None else []},
        status=status,
    )


def channel_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def channel_create(request: HttpRequest) -> HttpResponse:
    form = ChannelCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                channel = channel_services.add_channel(
                    actor=request.user, code=form.cleaned_data["code"], **form.values()
                )
            except ServiceError as error:
                put_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Channel “%(name)s” added.") % {"name": channel})
                return redirect(_list_url())
    return render(request, "org/channel_form.html", {"form": form, "channel": None}, status=status)


def _render_edit(request: HttpRequest, channel: Channel, form: forms.BaseForm, status: int) -> HttpResponse:
    return render(
        request,
        "org/channel_form.html",
        {
            "form": form,
            "channel": channel,
            "used": uses_of(channel.code),
            "history": history_rows(channel),
        },
        status=status,
    )


def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _load(request, pk)
    return _render_edit(request, channel, ChannelEditForm(channel=channel), 200)


def _rename(request: HttpRequest, channel: Channel, form: ChannelEditForm) -> str:
    saved = channel_services.edit_channel(
        actor=request.user,
        channel=channel.pk,
        based_on=form.cleaned_data["based_on_version"],
        **form.values(),
    )
    return _("Channel “%(name)s” saved.") % {"name": saved}


channel_rename = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, channel, data: ChannelEditForm(data, channel=channel),
        run=_rename,
        render=_render_edit,
        back=_list_url,
        name="channel_rename",
    )
)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


def _move(request: HttpRequest, channel: Channel, form: MoveForm) -> None:
    step = -1 if form.cleaned_data["direction"] == "up" else 1
    channel_services.move_channel(actor=request.user, channel=channel.pk, step=step)


channel_move = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, channel, data: MoveForm(data),
        run=_move,
        render=lambda request, channel, form, status: _render_list(request, form, status),
        back=_list_url,
        name="channel_move",
    )
)


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


def _set_active(request: HttpRequest, channel: Channel, form: ActiveForm) -> str:
    active = form.cleaned_data["active"]
    saved = channel_services.set_channel_active(actor=request.user, channel=channel.pk, active=active)
    if active:
        return _("Channel “%(name)s” is offered again.") % {"name": saved}
    return _(
        "Channel “%(name)s” is switched off: no longer offered, still shown on the records that used it."
    ) % {"name": saved}


channel_active = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, channel, data: ActiveForm(data),
        run=_set_active,
        render=lambda request, channel, form, status: _render_list(request, form, status),
        back=_list_url,
        name="channel_active",
    )
)


def _delete(request: HttpRequest, channel: Channel, form: forms.Form) -> str:
    name = str(channel)
    channel_services.delete_channel(actor=request.user, channel=channel.pk)
    return _("Channel “%(name)s” deleted.") % {"name": name}


def _with_errors(shown: ChannelEditForm, refused: forms.BaseForm) -> ChannelEditForm:
    """The edit form as it was, with the delete step's refusal on top of the page."""
    shown.refusal = list(refused.non_field_errors())  # type: ignore[attr-defined]
    return shown


channel_delete = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, channel, data: forms.Form(data),
        run=_delete,
        render=lambda request, channel, form, status: _render_edit(
            request, channel, _with_errors(ChannelEditForm(channel=channel), form), status
        ),
        back=_list_url,
        name="channel_delete",
    )
)
