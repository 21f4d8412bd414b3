"""The in-app inbox (SPEC A-4): a user's own messages, newest first; reading one follows its link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from estatedesk.notifications.selectors import inbox_of

PAGE_SIZE = 25


def local_path(link: str) -> str:
    """``link`` if it is a path on this site, else "": a message never sends anyone elsewhere."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    if any(ord(ch) < 32 for ch in link):
        return ""
    return link if url_has_allowed_host_and_scheme(link, allowed_hosts=None) else ""


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    messages = inbox_of(request.user)
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "querystring": "",
            "unread": messages.filter(read_at__isnull=True).exists(),
        },
    )


@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    # Looked up first, so someone else's message is a 404 whatever the method.
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if message.read_at is None:
        inbox_of(request.user).filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(local_path(message.link) or "messages:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("messages:inbox")
