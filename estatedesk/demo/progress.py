"""The demo history's progress record (``models.HistoryLoad``): written by the loader as each
month of the year is replayed, read by the home page's notice while the load is not done."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import RequestUser
from estatedesk.demo.models import HistoryLoad, LoadPhase


def queued(months_total: int) -> None:
    """The load is handed to the worker: the home page says so from now on."""
    HistoryLoad.objects.update_or_create(
        pk=1, defaults={"phase": LoadPhase.COMPLAINTS, "months_done": 0, "months_total": months_total}
    )


def months_done(done: int, total: int) -> None:
    HistoryLoad.objects.update_or_create(
        pk=1, defaults={"phase": LoadPhase.COMPLAINTS, "months_done": done, "months_total": total}
    )


def writing_reports() -> None:
    HistoryLoad.objects.filter(pk=1).update(phase=LoadPhase.REPORTS)


def finished() -> None:
    HistoryLoad.objects.filter(pk=1).update(phase=LoadPhase.DONE)


def home_notice(user: RequestUser) -> SafeString | None:
    """For staff, while the demo's year is still loading: how far it has come."""
    if not policy.is_staff_member(user):
        return None
    load = HistoryLoad.objects.filter(pk=1).exclude(phase=LoadPhase.DONE).first()
    if load is None:
        return None
    if load.phase == LoadPhase.REPORTS:
        text = _(
            "Demo data loading: all %(total)d months of complaints are in; writing the monthly reports and corrective actions."
        ) % {"total": load.months_total}
    else:
        text = _(
            "Demo data loading: %(done)d of %(total)d months loaded. The lists, queues and reports fill in as it goes."
        ) % {"done": load.months_done, "total": load.months_total}
    return format_html(
        '<i class="bi bi-hourglass-split" aria-hidden="true"></i> {} '
        '<progress class="align-middle ms-1" max="{}" value="{}">{}</progress>',
        text,
        load.months_total + 1,  # the reports are the last step
        load.months_done + (load.phase == LoadPhase.REPORTS),
        f"{load.months_done}/{load.months_total}",
    )
