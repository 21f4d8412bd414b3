"""The privacy notice residents read on the portal (PIPL; SPEC D-3, W-1): every version for
staff to read, and a new version published by the customer-service supervisor, the general
manager or an administrator.

Publishing is a ``core.web`` form step on the version the text was edited from: a form that
does not validate comes back 422 with everything typed; an edit of a version that is no
longer the newest comes back 409 with the colleague's newer text next to one's own, and
publishing again from there replaces it knowingly.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.org import selectors, services
from estatedesk.org.forms import PrivacyNoticeForm
from estatedesk.org.models import PrivacyNotice


def current(request: HttpRequest) -> HttpResponse:
    """The version residents are shown now (written from the default text the first time)."""
    return redirect("org:privacy_notice_detail", pk=services.current_privacy_notice().pk)


def _load(request: HttpRequest, pk: int) -> PrivacyNotice:
    return get_object_or_404(selectors.privacy_notices(), pk=pk)


def _page(
    request: HttpRequest, notice: PrivacyNotice, form: PrivacyNoticeForm | None, status: int
) -> HttpResponse:
    versions = list(selectors.privacy_notices())
    newest = versions[0]
    conflict = status == 409
    if conflict and form is not None:
        # The colleague's text is now on the page next to one's own: publishing again from
        # here is a decision taken knowingly, so the form is based on the newest version.
        data = dict(form.data.items())
        data["based_on_version"] = str(newest.version)
        form.data = data
    context: dict[str, Any] = {
        "notice": notice,
        "newest": newest,
        "versions": versions,
        "form": form,
        "conflict": conflict,
        "next_version": newest.version + 1,
    }
    return render(request, "org/privacy_notice.html", context, status=status)


@company_time
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version as residents read it; the newest with the form to publish the next one."""
    notice = _load(request, pk)
    form = None
    if (
        policy.can_edit_privacy_notice(request.user)
        and not selectors.privacy_notices().filter(version__gt=notice.version).exists()
    ):
        form = PrivacyNoticeForm(
            initial={
                "based_on_version": notice.version,
                "text_zh_hans": notice.text_zh_hans,
                "text_zh_hant": notice.text_zh_hant,
                "text_en": notice.text_en,
            }
        )
    return _page(request, notice, form, 200)


def _form(request: HttpRequest, notice: PrivacyNotice, data: Any) -> PrivacyNoticeForm:
    return PrivacyNoticeForm(data)


def _publish(request: HttpRequest, notice: PrivacyNotice, form: PrivacyNoticeForm) -> str:
    data = form.cleaned_data
    published = services.publish_privacy_notice(
        actor=request.user,
        based_on_version=data["based_on_version"],
        text_zh_hans=data["text_zh_hans"],
        text_zh_hant=data["text_zh_hant"],
        text_en=data["text_en"],
    )
    return _("Version %(version)d of the privacy notice is published: residents read it from now on.") % {
        "version": published.version
    }


def _back(notice: PrivacyNotice) -> str:
    return reverse("org:privacy_notice")


publish = form_step_view(FormStep(_load, _form, _publish, _page, _back, name="privacy_notice_publish"))
