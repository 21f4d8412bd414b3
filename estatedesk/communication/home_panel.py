"""The communication app's panel of the home page (SPEC A-1, C-2, C-3).

"notice_actions" — notices that need someone to act now, in the user's estates:

* urgent published notices with households that have neither read them nor been phoned or
  visited, with how many (while the work has not ended; a notice with no end time for a week
  after it went out). Each links to its "to phone or visit" list;
* pest-control notices whose work starts within 24 hours, or has started, with no warning
  sign confirmed on site (§7.1.4). Each links to the notice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.communication import kinds, selectors
from estatedesk.communication.models import Notice
from estatedesk.communication.workflow import NoticeStatus
from estatedesk.core import panels
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import now

SHOWN = 5
SIGN_AHEAD = timedelta(hours=24)
OPEN_ENDED = timedelta(days=7)


def urgent_unreached(user: RequestUser) -> Any:
    """Urgent published notices, still running, with households neither read nor contacted."""
    at = now()
    return (
        selectors.notices_for(user)
        .filter(status=NoticeStatus.PUBLISHED, urgent=True)
        .filter(Q(ends_at__gte=at) | Q(ends_at__isnull=True, published_at__gte=at - OPEN_ENDED))
        .annotate(
            to_contact=Count(
                "recipients",
                filter=Q(recipients__read_at__isnull=True, recipients__contacted_at__isnull=True),
            )
        )
        .filter(to_contact__gt=0)
        .order_by("starts_at", "pk")
    )


def signs_missing(user: RequestUser) -> Any:
    """Pest-control notices starting within 24 h (or started, not over) with no sign confirmed."""
    at = now()
    return (
        selectors.notices_for(user)
        .filter(
            kind__in=list(kinds.SIGN_REQUIRED),
            status__in=(NoticeStatus.SCHEDULED, NoticeStatus.PUBLISHED),
            sign_placed_at__isnull=True,
            starts_at__lte=at + SIGN_AHEAD,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=at))
        .order_by("starts_at", "pk")
    )


def _unreached_row(notice: Notice) -> SafeString:
    return format_html(
        '<a class="fw-semibold" href="{}?show=to_contact">{} {}</a> <span class="text-danger">{}</span>',
        reverse("communication:notice_recipients", args=[notice.pk]),
        notice.number,
        notice.title,
        _("%(count)d households not reached: phone or visit") % {"count": notice.to_contact},  # type: ignore[attr-defined]
    )


def _sign_row(notice: Notice) -> SafeString:
    assert notice.starts_at is not None
    return format_html(
        '<a class="fw-semibold" href="{}">{} {}</a> <span class="text-danger">{}</span>',
        reverse("communication:notice_detail", args=[notice.pk]),
        notice.number,
        notice.title,
        _("Work starts %(when)s: confirm the warning sign on site")
        % {"when": date_format(localtime(notice.starts_at), "DATETIME_FORMAT")},
    )


def notice_actions_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    unreached = urgent_unreached(user)
    signs = signs_missing(user)
    count = unreached.count() + signs.count()
    rows = [_unreached_row(n) for n in unreached[:SHOWN]]
    rows += [_sign_row(n) for n in signs[: max(SHOWN - len(rows), 0)]]
    return panels.Rows(rows, count, reverse("communication:notice_list"))


def register_panels() -> None:
    panels.register(
        "notice_actions",
        title=gettext_lazy("Notices needing action"),
        empty=gettext_lazy("No notice needs action now."),
        fill=notice_actions_panel,
    )
