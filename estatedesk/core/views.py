from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST

from estatedesk.core import policy, services
from estatedesk.core.models import ApiToken
from estatedesk.core.panels import panels_for
from estatedesk.core.web import too_large


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (handler400), except for a form or body over the size limit: 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception)


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    context = {"panels": panels_for(request.user), "has_role": policy.role_of(request.user) is not None}
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
