"""Who sees which rectification report and item (SPEC P-1, R-3).

* The property company's staff see their estates' reports and items; the customer-service
  supervisor and those who see the whole company see all of them.
* The developer's customer service sees only the items escalated to its developer (the
  developer of one of its departments), and the reports that hold them — never another
  developer's, never an item the property company keeps.
* A rectification team member sees only the items assigned to the team.
* Residents see their unit's items only through its private link (``items_of_unit``).

Out of scope is "not found" (404), exactly like a missing record.
"""

from __future__ import annotations

from django.db.models import QuerySet

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.org.models import Department, DepartmentKind, Estate, Unit
from estatedesk.rectification.models import Item, Report, UnitLink
from estatedesk.rectification.workflow import ItemStatus

DEVELOPER_SIDE = frozenset({"developer_cs", "rectification"})


def side_of(user: Actor) -> str:
    """ "property", "developer", "team" or "" (not staff)."""
    role = policy.role_of(user)
    if role is None:
        return ""
    if role == "developer_cs":
        return "developer"
    if role == "rectification":
        return "team"
    return "property"


def sees_whole_company(user: Actor) -> bool:
    return policy.sees_all(user) or policy.role_of(user) == "cs_supervisor"


def developer_ids(user: Actor) -> frozenset[int]:
    """The developers whose customer service the user works in."""
    own = policy.own_department_ids(user)
    return frozenset(
        Department.objects.filter(pk__in=own, developer__isnull=False).values_list("developer_id", flat=True)
    )


def team_ids(user: Actor) -> frozenset[int]:
    own = policy.own_department_ids(user)
    return frozenset(
        Department.objects.filter(pk__in=own, kind=DepartmentKind.RECTIFICATION_TEAM).values_list(
            "pk", flat=True
        )
    )


def items_for(user: Actor) -> QuerySet[Item]:
    side = side_of(user)
    items = Item.objects.all()
    if side == "developer":
        return items.filter(developer_id__in=developer_ids(user))
    if side == "team":
        return items.filter(team_id__in=team_ids(user))
    if side == "property":
        if sees_whole_company(user):
            return items
        return items.filter(estate_id__in=policy.estate_ids(user) or frozenset())
    return items.none()


def reports_for(user: Actor) -> QuerySet[Report]:
    side = side_of(user)
    reports = Report.objects.all()
    if side == "property":
        if sees_whole_company(user):
            return reports
        return reports.filter(estate_id__in=policy.estate_ids(user) or frozenset())
    if side in ("developer", "team"):
        return reports.filter(pk__in=items_for(user).values("report_id"))
    return reports.none()


def estates_for(user: Actor) -> QuerySet[Estate]:
    """Estates the user may open reports in (the property company's staff)."""
    if side_of(user) != "property":
        return Estate.objects.none()
    estates = Estate.objects.filter(active=True).order_by("code")
    if sees_whole_company(user):
        return estates
    return estates.filter(pk__in=policy.estate_ids(user) or frozenset())


def fixing_departments(estate: Estate | int) -> QuerySet[Department]:
    """Our departments that can fix an item of the estate: company-wide ones and its office."""
    estate_id = estate if isinstance(estate, int) else estate.pk
    return (
        Department.objects.filter(active=True, developer__isnull=True)
        .exclude(kind__in=[DepartmentKind.DEVELOPER_CS, DepartmentKind.RECTIFICATION_TEAM])
        .filter(estate__isnull=True)
        | Department.objects.filter(active=True, developer__isnull=True, estate_id=estate_id)
    ).order_by("kind", "name")


def teams_of(developer_id: int | None) -> QuerySet[Department]:
    """The developer's rectification teams."""
    if developer_id is None:
        return Department.objects.none()
    return Department.objects.filter(
        active=True, kind=DepartmentKind.RECTIFICATION_TEAM, developer_id=developer_id
    ).order_by("name")


def items_of_unit(unit: Unit | int) -> QuerySet[Item]:
    """The items a resident sees through the unit's link: not cancelled ones."""
    return Item.objects.filter(unit=unit).exclude(status=ItemStatus.CANCELLED)


def link_of(token: str) -> UnitLink | None:
    if not token or len(token) > 64:
        return None
    return UnitLink.objects.select_related("unit__estate", "unit__building").filter(token=token).first()
