"""The demo's half-year statistics (SPEC S-5, I-1; procedure §7.3.3): for every management
office, the last complete half year before the present (and the one before it, when its
consultations were loaded), computed and signed off by the office's head, with a few words of
conclusion; and, where a category is below target, one corrective action opened from its line
with a step. Run after the consultations are loaded; running it again changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction

from estatedesk.core.clock import clock_at, company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import ActionKind, Source
from estatedesk.org.models import Department, DepartmentKind, Role, Staff
from estatedesk.surveys.consultation_results import counted
from estatedesk.surveys.half_year import half_months
from estatedesk.surveys.models import HalfYearLine, HalfYearStatistics, LineKind
from estatedesk.surveys.services import half_year as services

log = logging.getLogger("estatedesk.demo")

CONCLUSIONS = "本半年度业主意见征询已按月进行。低于目标的类别已列入整改，由管理处跟进，下半年复查。"


def _halves(present: datetime) -> tuple[tuple[int, int], tuple[int, int]]:
    """The last complete half year before ``present``, and the one before it."""
    local = present.astimezone(company_zone())
    last = (local.year, 1) if local.month > 6 else (local.year - 1, 2)
    before = (last[0], 1) if last[1] == 2 else (last[0] - 1, 2)
    return last, before


def _end(year: int, half: int) -> datetime:
    """The first moment after the half year, in the company's zone."""
    first = date(year + (half == 2), 7 if half == 1 else 1, 1)
    return datetime.combine(first, time.min, company_zone())


def _head(office: Department) -> Staff | None:
    return (
        Staff.objects.filter(role=Role.DEPARTMENT_HEAD, departments=office, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )


def _has_data(office: Department, year: int, half: int) -> bool:
    first, last = half_months(year, half)
    return counted().filter(estate=office.estate_id, month__gte=first, month__lte=last).exists()


def _sign(office: Department, signer: Staff, year: int, half: int, present: datetime) -> bool:
    """Compute, conclude and sign one half year (10 days after it ended, but never after the
    present); False when it was signed already."""
    if HalfYearStatistics.objects.filter(
        office=office, year=year, half=half, signed_at__isnull=False
    ).exists():
        return False
    when = min(_end(year, half) + timedelta(days=10, hours=10), present - timedelta(hours=1))
    with clock_at(when), transaction.atomic():
        stats = services.compute_half_year(actor=signer.user, office=office, year=year, half=half)
        if not stats.conclusions:
            services.edit_conclusions(actor=signer.user, statistics=stats, text=CONCLUSIONS, based_on=None)
        services.sign_off(actor=signer.user, statistics=stats)
    return True


def _action(office: Department, signer: Staff, year: int, half: int, present: datetime) -> bool:
    """One corrective action from the office's first line below target, if none was opened."""
    line = (
        HalfYearLine.objects.filter(
            statistics__office=office,
            statistics__year=year,
            statistics__half=half,
            kind=LineKind.BELOW_TARGET,
        )
        .select_related("statistics")
        .order_by("position", "pk")
        .first()
    )
    if line is None or line.improvement_actions.exists():
        return False
    signed = line.statistics.signed_at or present
    when = min(signed + timedelta(hours=2), present - timedelta(minutes=30))
    with clock_at(when), transaction.atomic():
        action = improvement.open_action(
            actor=signer.user,
            kind=ActionKind.CORRECTIVE,
            source=Source.HALF_YEAR_STATISTICS,
            title=f"{line.get_category_display()}满意率低于目标整改"[:200],
            problem=line.summary,
            source_half_year_line=line,
        )
        improvement.add_step(
            actor=signer.user,
            action=action,
            description="分析业主反映的原因，制定整改计划并在下月业主意见征询中复查。",
            owner=signer,
            due_date=(when + timedelta(days=30)).astimezone(company_zone()).date(),
        )
    return True


def load_half_years(present: datetime) -> int:
    """Returns the number of half years signed off now (0 when everything was there already)."""
    last, before = _halves(present)
    deputy = Staff.objects.filter(role=Role.DEPUTY_GM, user__is_active=True).select_related("user").first()
    offices = Department.objects.filter(
        kind=DepartmentKind.MANAGEMENT_OFFICE, active=True, estate__isnull=False
    ).order_by("pk")
    signed = actions = 0
    for office in offices:
        signer = _head(office) or deputy
        if signer is None:
            continue
        try:
            if _has_data(office, *before):
                signed += _sign(office, signer, *before, present)
            signed += _sign(office, signer, *last, present)
            actions += _action(office, signer, *last, present)
        except ServiceError:
            # An office whose head does not cover its estate: the deputy GM signs instead.
            if deputy is None or signer == deputy:
                log.warning("demo half-year statistics of %s not signed", office.name, exc_info=True)
                continue
            signed += _sign(office, deputy, *last, present)
            actions += _action(office, deputy, *last, present)
    log.info("demo half-year statistics: %d signed off, %d actions opened", signed, actions)
    return signed
