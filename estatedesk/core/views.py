from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from estatedesk.core import health as core_health
from estatedesk.core import policy, services
from estatedesk.core.exportlog import filters_text, list_label
from estatedesk.core.models import ApiToken, ExportRecord
from estatedesk.core.panels import notices_for, panels_for


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For an uptime monitor: the database, the worker and the outbox; 503 when one fails."""
    report = core_health.report()
    return JsonResponse(report.as_json(), status=200 if report.ok else 503)


@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """For a load balancer: this web server answers and reaches its database (a dead worker
    is no reason to stop sending it visitors)."""
    database = core_health.check_database()
    return JsonResponse({"status": database.status}, status=503 if database.failed else 200)


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "panels": panels_for(request.user),
        "notices": notices_for(request.user),
        "has_role": policy.role_of(request.user) is not None,
    }
    return render(request, "core/home.html", context)


def profile(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0)
    return render(
        request,
        "core/profile.html",
        {"tokens": tokens, "new_token": request.session.pop("new_api_token", None)},
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Give the token a name, so you can tell it apart later."))
        return redirect("profile")
    _token, raw = services.create_api_token(user=request.user, name=name)
    # Shown once on the next page, then gone: only its hash is stored.
    request.session["new_api_token"] = raw
    messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    return redirect("profile")


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if services.revoke_api_token(user=request.user, token_id=pk):
        messages.success(request, _("Token revoked."))
    else:
        messages.info(request, _("That token was already revoked."))
    return redirect("profile")


EXPORT_LOG_PAGE = 50


def export_log(request: HttpRequest) -> HttpResponse:
    """Every export, newest first, for those who see the whole company (SPEC D-3, P-2)."""
    if not policy.sees_all(request.user):
        raise PermissionDenied
    page = Paginator(ExportRecord.objects.order_by("-at", "-id"), EXPORT_LOG_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(record, list_label(record.list_name), filters_text(record.filters)) for record in page]
    return render(request, "core/export_log.html", {"page": page, "rows": rows, "querystring": ""})
