"""The administrator's "roster" panel of the home page (SPEC A-1): the staff accounts in
use, the disabled ones, and how the last roster import went, each line a link to its page.
The heading counts the staff accounts in use."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from estatedesk.core import panels
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import company_zone
from estatedesk.org import selectors
from estatedesk.org.models import Customer, ImportJob, ImportStatus


def _line(url: str, text: str, extra: str = "") -> SafeString:
    if extra:
        return format_html(
            '<a class="fw-semibold" href="{}">{}</a> <span class="text-muted">{}</span>', url, text, extra
        )
    return format_html('<a class="fw-semibold" href="{}">{}</a>', url, text)


def _last_import() -> SafeString:
    job = ImportJob.objects.order_by("-created_at", "-id").first()
    if job is None:
        # Customers entered by hand (or the demo's) are a roster too: say so, not "nothing yet".
        on_record = Customer.objects.count()
        if on_record:
            return _line(
                reverse("org:import_start"),
                ngettext(
                    "%(count)d customer on record; no roster imported yet",
                    "%(count)d customers on record; no roster imported yet",
                    on_record,
                )
                % {"count": on_record},
            )
        return _line(reverse("org:import_start"), _("No roster imported yet: import one"))
    when = timezone.localtime(job.finished_at or job.created_at, company_zone()).strftime("%Y-%m-%d %H:%M")
    if job.status == ImportStatus.DONE:
        outcome = _("%(created)d created, %(updated)d updated, %(rejected)d rejected") % {
            "created": job.created_count,
            "updated": job.updated_count,
            "rejected": job.rejected_count,
        }
    else:
        outcome = job.get_status_display()
    return _line(
        reverse("org:import_detail", args=[job.pk]),
        _("Last roster import: %(file)s") % {"file": job.original_name},
        f"{when} · {outcome}",
    )


def roster_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    staff = selectors.staff_for(user)
    active = staff.filter(user__is_active=True).count()
    disabled = staff.filter(user__is_active=False).count()
    listing = reverse("org:staff_list")
    items = [
        _line(
            f"{listing}?active=1",
            ngettext("%(count)d staff account in use", "%(count)d staff accounts in use", active)
            % {"count": active},
        )
    ]
    if disabled:
        items.append(
            _line(
                f"{listing}?active=0",
                ngettext("%(count)d disabled account", "%(count)d disabled accounts", disabled)
                % {"count": disabled},
            )
        )
    items.append(_last_import())
    return panels.Rows(items, active)
