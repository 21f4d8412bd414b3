"""The administrator's list of reason codes (SPEC S-9): list, add, edit, retire (untick
"active": a code in use by past analyses is never deleted). Everyone but the administrator
gets 403 — the list is configuration, not a record of any estate.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.crud import Column, Register, page_views
from estatedesk.surveys.forms_analysis import ReasonCodeForm
from estatedesk.surveys.models import ReasonCode


def _codes(user: Actor) -> QuerySet[ReasonCode]:
    if not policy.is_admin(user):
        raise PermissionDenied
    return ReasonCode.objects.order_by("position", "code")


def _admin(user: Actor, obj: Any = None) -> bool:
    return policy.is_admin(user)


@transaction.atomic
def save_reason_code(*, actor: Actor, form: Any, request: HttpRequest) -> ReasonCode:
    """The one write of a reason code (the form validated it; simple_history keeps who and when)."""
    if not policy.is_admin(actor):
        raise PermissionDenied
    code: ReasonCode = form.save(commit=False)
    code.keywords = "\n".join(w.strip() for w in code.keywords.splitlines() if w.strip())
    code.save()
    return code


def _label(obj: ReasonCode, request: HttpRequest) -> str:
    return obj.label()


def _keywords(obj: ReasonCode, request: HttpRequest) -> str:
    return "、".join(obj.keywords.splitlines()) or "—"


REASON_CODES = Register(
    name="surveys:reason_code",
    model=ReasonCode,
    title=gettext_lazy("Reason codes"),
    queryset=_codes,
    columns=[
        Column(gettext_lazy("position"), lambda o, r: o.position),
        Column(gettext_lazy("code"), lambda o, r: o.code, link=True),
        Column(gettext_lazy("label"), _label),
        Column(gettext_lazy("keywords"), _keywords),
        Column(gettext_lazy("active"), lambda o, r: _("Yes") if o.active else _("No")),
    ],
    detail=[
        Column(gettext_lazy("code"), lambda o, r: o.code),
        Column(gettext_lazy("label (Simplified Chinese)"), lambda o, r: o.label_zh_hans),
        Column(gettext_lazy("label (Traditional Chinese)"), lambda o, r: o.label_zh_hant or "—"),
        Column(gettext_lazy("label (English)"), lambda o, r: o.label_en or "—"),
        Column(gettext_lazy("keywords"), _keywords),
        Column(gettext_lazy("category"), lambda o, r: o.get_category_display() or "—"),
        Column(gettext_lazy("position"), lambda o, r: o.position),
        Column(gettext_lazy("active"), lambda o, r: _("Yes") if o.active else _("No")),
    ],
    form_class=ReasonCodeForm,
    search=lambda qs, q: qs.filter(code__icontains=q) | qs.filter(keywords__icontains=q),
    can_create=_admin,
    can_edit=_admin,
    save=save_reason_code,
)

VIEWS = page_views(REASON_CODES)
