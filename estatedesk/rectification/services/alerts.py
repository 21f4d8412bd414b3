"""Who is told what about a rectification item (SPEC R-3, R-4, A-4, §7.5.5).

In-app messages to staff (``notifications.tell``), worded in the company's language:
the department or team that must fix it, the developer's customer service when an item is
escalated or reported done, the property customer service of the estate when the developer
accepted the work or the resident objected, and the department that found an item when it is
accepted. Each key is per item, round and step: a step repeated by a retry tells once.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.recipients import people_of
from estatedesk.notifications.services import tell
from estatedesk.org.models import Department, DepartmentKind
from estatedesk.rectification.models import Item
from estatedesk.rectification.workflow import PROPERTY_ROLES

FIXER_ROLES = ("handler", "department_head")


def item_link(item: Item) -> str:
    return reverse("rectification:item_detail", args=[item.pk])


def _tell(users: list, item: Item, step: str, subject: str, body: str) -> None:
    if users:
        tell(
            users, key=f"rect:{item.pk}:{item.round}:{step}", subject=subject, body=body, link=item_link(item)
        )


def _names(item: Item) -> dict[str, object]:
    return {"number": item.number, "where": item.location, "round": item.round}


def customer_service_of(item: Item) -> list:
    """The estate's management office: whoever decides and tells the resident."""
    offices = Department.objects.filter(estate_id=item.estate_id, kind=DepartmentKind.MANAGEMENT_OFFICE)
    users: list = []
    for office in offices:
        users += people_of(office, PROPERTY_ROLES)
    return users


def developer_people(item: Item) -> list:
    users: list = []
    if item.developer_id is None:
        return users
    for department in Department.objects.filter(
        developer_id=item.developer_id, kind=DepartmentKind.DEVELOPER_CS
    ):
        users += people_of(department, ("developer_cs",))
    return users


def tell_department(item: Item, department_id: int) -> None:
    with in_company_language():
        _tell(
            people_of(department_id, FIXER_ROLES),
            item,
            "fix",
            _("Rectification %(number)s for your department") % _names(item),
            _("%(number)s (%(where)s) is yours to fix by %(due)s.") % {**_names(item), "due": item.due_date},
        )


def tell_developer(item: Item) -> None:
    with in_company_language():
        _tell(
            developer_people(item),
            item,
            "escalated",
            _("Rectification %(number)s escalated to you") % _names(item),
            _("%(number)s (%(where)s, round %(round)s) needs a measure, a date and a team.") % _names(item),
        )


def tell_team(item: Item) -> None:
    with in_company_language():
        _tell(
            people_of(item.team_id, ("rectification",)),
            item,
            f"team{item.team_id}:{item.due_date}",
            _("Rectification %(number)s for your team") % _names(item),
            _("%(number)s (%(where)s) is to be done by %(due)s.") % {**_names(item), "due": item.due_date},
        )


def tell_developer_done(item: Item) -> None:
    with in_company_language():
        _tell(
            developer_people(item),
            item,
            f"done{item.completed_at:%Y%m%d%H%M%S}" if item.completed_at else "done",
            _("Rectification %(number)s reported done") % _names(item),
            _("%(number)s (%(where)s) is reported done: please inspect it.") % _names(item),
        )


def tell_team_sent_back(item: Item, reason: str) -> None:
    with in_company_language():
        _tell(
            people_of(item.team_id, ("rectification",)),
            item,
            f"back{item.inspected_at:%Y%m%d%H%M%S}" if item.inspected_at else "back",
            _("Rectification %(number)s sent back") % _names(item),
            _("%(number)s was not accepted at inspection: %(reason)s") % {**_names(item), "reason": reason},
        )


def tell_ready(item: Item) -> None:
    """The work passed (the developer's inspection, or our own fix): the resident is to be told."""
    with in_company_language():
        _tell(
            customer_service_of(item),
            item,
            "ready",
            _("Rectification %(number)s ready for the resident") % _names(item),
            _("%(number)s (%(where)s) is rectified: ask the resident to inspect it.") % _names(item),
        )


def tell_objected(item: Item) -> None:
    """The resident objected: round N+1 starts with whoever decides the item's route."""
    users = (
        developer_people(item)
        if item.developer_id and item.status == "dev_review"
        else customer_service_of(item)
    )
    with in_company_language():
        _tell(
            users,
            item,
            "objected",
            _("Rectification %(number)s: round %(round)s") % _names(item),
            _("The resident did not accept %(number)s (%(where)s): %(objection)s")
            % {**_names(item), "objection": item.objection},
        )


def tell_finding_department(item: Item) -> None:
    """§7.5.5: the department that found the item hears the result."""
    if item.finding_department_id is None:
        return
    with in_company_language():
        _tell(
            people_of(item.finding_department_id, FIXER_ROLES),
            item,
            "result",
            _("Rectification %(number)s accepted") % _names(item),
            _("%(number)s (%(where)s), which your department found, is rectified and accepted.")
            % _names(item),
        )
