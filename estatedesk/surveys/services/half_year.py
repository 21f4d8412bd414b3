"""Every write of the half-year statistics (SPEC S-5, procedure §7.3.3): compute (or refresh)
an office's half year, edit the director's conclusions (two people may: decision 0011), and
the director's sign-off, after which the figures are the ones kept.

Who: the office's own staff and the customer-service team compute and write conclusions
(the roles that run consultations); the office director signs — a department head of that
management office — or the deputy GM or the GM in the director's place. The statistics keep
their own history (``simple_history``); they have no timeline.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock
from estatedesk.org.models import Department, DepartmentKind
from estatedesk.surveys import half_year, half_year_data
from estatedesk.surveys.models import HalfYearLine, HalfYearStatistics
from estatedesk.surveys.review_selectors import half_years_for
from estatedesk.surveys.selectors import sees_whole_survey
from estatedesk.surveys.workflow import CONSULTATION_ROLES

__all__ = [
    "COMPUTE_ROLES",
    "SIGN_ROLES",
    "compute_half_year",
    "edit_conclusions",
    "may_sign",
    "offices_for",
    "sign_off",
]

COMPUTE_ROLES = CONSULTATION_ROLES
SIGN_ROLES = frozenset({"department_head", "deputy_gm", "gm"})
MAX_CONCLUSIONS = 8000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _offices(actor: Actor) -> QuerySet[Department]:
    offices = Department.objects.filter(
        kind=DepartmentKind.MANAGEMENT_OFFICE, active=True, estate__isnull=False
    ).select_related("estate")
    if policy.staff_of(actor) is None:
        return offices.none()
    if not sees_whole_survey(actor):
        offices = offices.filter(estate__in=policy.estate_ids(actor) or frozenset())
    return offices


def offices_for(actor: Actor) -> list[Department]:
    """The management offices (with an estate) whose half years the actor may compute."""
    return list(_offices(actor).order_by("estate__code", "name"))


def _role(actor: Actor, roles: frozenset[str], message: str) -> None:
    staff = policy.staff_of(actor)
    if staff is None or staff.role not in roles:
        raise NotAllowed(message)


def may_sign(actor: Actor, statistics: HalfYearStatistics) -> bool:
    """The office director (a department head of that office), or the deputy GM or GM."""
    staff = policy.staff_of(actor)
    if staff is None or staff.role not in SIGN_ROLES:
        return False
    if staff.role != "department_head":
        return True
    return staff.departments.filter(pk=statistics.office_id).exists()


def _period(year: object, half: object) -> tuple[int, int]:
    try:
        y, h = int(str(year)), int(str(half))
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose a year and a half year."), field="year") from None
    if h not in (1, 2):
        raise InvalidInput(_("Choose the first or the second half of the year."), field="half")
    if not FIRST_YEAR <= y <= LAST_YEAR or half_year.half_months(y, h)[0] > company_today():
        raise InvalidInput(_("This half year has not begun yet."), field="year")
    return y, h


def _office(actor: Actor, office: Department | int) -> Department:
    pk = office.pk if isinstance(office, Department) else office
    found = _offices(actor).filter(pk=pk).first()
    if found is None:
        raise InvalidInput(_("Choose a management office of yours."), field="office")
    return found


def _write_lines(statistics: HalfYearStatistics, fresh: list[half_year.LineSpec]) -> None:
    existing = [
        (line.pk, (line.kind, line.category, line.reason_code), line.n_actions > 0)
        for line in statistics.lines.annotate(n_actions=Count("improvement_actions"))
    ]
    update, delete, add = half_year.lines_to_keep(existing, fresh)
    HalfYearLine.objects.filter(pk__in=delete).delete()
    position = {line.key: i for i, line in enumerate(fresh)}
    for pk, spec in update.items():
        HalfYearLine.objects.filter(pk=pk).update(
            summary=spec.summary, households=spec.households, position=position[spec.key]
        )
    HalfYearLine.objects.bulk_create(
        HalfYearLine(
            statistics=statistics,
            position=position[spec.key],
            kind=spec.kind,
            category=spec.category,
            reason_code=spec.reason_code,
            summary=spec.summary,
            households=spec.households,
        )
        for spec in add
    )


@transaction.atomic
def compute_half_year(
    *, actor: Actor, office: Department | int, year: object, half: object
) -> HalfYearStatistics:
    """Compute an office's half year, or compute it again while it is not signed off. Lines
    found again keep their id (an action opened from one still points at it); a line no longer
    found goes, unless an action was opened from it."""
    _role(
        actor,
        COMPUTE_ROLES,
        _("The management office and the customer-service team compute the half-year statistics."),
    )
    y, h = _period(year, half)
    dept = _office(actor, office)
    estate_id = dept.estate_id
    assert estate_id is not None  # offices_for keeps offices with an estate
    statistics = HalfYearStatistics.objects.filter(office=dept, year=y, half=h).first()
    if statistics is None:
        try:
            with transaction.atomic():
                statistics = HalfYearStatistics.objects.create(
                    office=dept, estate_id=estate_id, year=y, half=h
                )
        except IntegrityError:  # someone else created it at the same moment
            statistics = HalfYearStatistics.objects.get(office=dept, year=y, half=h)
    statistics = lock(HalfYearStatistics.objects.all(), statistics.pk)
    if statistics.signed:
        raise AlreadyHandled(
            _("These half-year statistics are already signed off: their figures are kept as signed.")
        )
    with in_company_language():
        language = get_language() or ""
        inputs = half_year_data.inputs_for(estate_id, y, h, language)
        figures, lines = half_year.compute(inputs)
    statistics.figures = figures
    statistics.computed_at = now()
    statistics.estate_id = estate_id
    stamp(statistics, actor)
    statistics.save(update_fields=["figures", "computed_at", "estate"])
    _write_lines(statistics, lines)
    return statistics


def _locked(actor: Actor, statistics: HalfYearStatistics | int) -> HalfYearStatistics:
    pk = statistics.pk if isinstance(statistics, HalfYearStatistics) else statistics
    return lock(half_years_for(actor), pk)


@transaction.atomic
def edit_conclusions(
    *, actor: Actor, statistics: HalfYearStatistics | int, text: str, based_on: int | None
) -> HalfYearStatistics:
    """The director's conclusions; ``based_on`` is the edit version they were written on."""
    locked = _locked(actor, statistics)
    _role(
        actor, COMPUTE_ROLES, _("The management office and the customer-service team write the conclusions.")
    )
    if locked.signed:
        raise AlreadyHandled(
            _("These half-year statistics are already signed off: they can no longer be changed.")
        )
    text = (text or "").strip()
    if len(text) > MAX_CONCLUSIONS:
        raise InvalidInput(
            _("Keep the conclusions under %(n)s characters.") % {"n": MAX_CONCLUSIONS}, field="conclusions"
        )
    take_edit(locked, based_on, current={"conclusions": locked.conclusions}, fields=["conclusions"])
    locked.conclusions = text
    stamp(locked, actor)
    locked.save(update_fields=["conclusions", EDIT_VERSION])
    return locked


@transaction.atomic
def sign_off(*, actor: Actor, statistics: HalfYearStatistics | int) -> HalfYearStatistics:
    """The office director signs the half year off: from then on its figures are kept as signed."""
    locked = _locked(actor, statistics)
    if not may_sign(actor, locked):
        raise NotAllowed(
            _(
                "The director of the management office signs off its half-year statistics (or the deputy GM or GM)."
            )
        )
    if locked.signed:
        raise AlreadyHandled(_("Already signed off by %(name)s.") % {"name": locked.signed_by_name or "—"})
    if locked.computed_at is None:
        raise InvalidInput(_("Compute the statistics before signing them off."))
    _first, last = half_year.half_months(locked.year, locked.half)
    if company_today() < date(last.year + (last.month == 12), last.month % 12 + 1, 1):
        raise InvalidInput(_("The half year is not over yet: sign it off once it has ended."))
    locked.signed_at = now()
    locked.signed_by = user_of(actor)
    locked.signed_by_name = name_of(actor)
    stamp(locked, actor)
    locked.save(update_fields=["signed_at", "signed_by", "signed_by_name"])
    return locked
