"""The monthly consultations at a glance (SPEC S-4): the flags of the last months in words and
the year's coverage per estate, for the user's estates. The consultation list page and the
API's ``/consultations/flags`` show these; the figures are ``consultation_results``' grouped
queries and the rules ``consultation_flags``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.org.models import Estate
from estatedesk.surveys import consultation_flags, wording
from estatedesk.surveys.consultation_results import consultation_facts, coverage
from estatedesk.surveys.selectors import sees_whole_survey

__all__ = [
    "CoverageRow",
    "FlagRow",
    "add_months",
    "coverage_rows",
    "flag_rows",
    "flag_text",
    "recent_flags",
    "scope_estates",
]

# The flags cover this month and the five before it: half a year, the period the office
# director reviews (§7.3.3), so a missed month is still in view when the statistics are drawn.
FLAG_MONTHS = 6


def scope_estates(user: Actor) -> list[int] | None:
    """The estates whose consultations the user sees (None: all)."""
    if sees_whole_survey(user):
        return None
    return sorted(policy.estate_ids(user) or ())


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class FlagRow:
    kind: str
    estate: str
    month: date
    text: str
    consultation: int | None


def flag_text(flag: consultation_flags.Flag) -> str:
    """What a flag says, without its month (the list shows the month beside it; the dashboard
    and the monthly report put it in front, ``consultation_summary.flag_text``)."""
    if flag.kind == consultation_flags.MISSING:
        return _("no consultation held (at least %(needed)d households to consult)") % {"needed": flag.needed}
    if flag.kind == consultation_flags.UNDER_SHARE:
        return _("%(reached)d households consulted, fewer than the %(needed)d needed (5%%)") % {
            "reached": flag.reached,
            "needed": flag.needed,
        }
    return _("questionnaire %(number)s returned by %(rate)s of the households asked (under 50%%)") % {
        "number": flag.number,
        "rate": wording.percent_text(flag.rate),
    }


def recent_flags(user: Actor, today: date, months: int = FLAG_MONTHS) -> list[consultation_flags.Flag]:
    """The flags of the user's estates in the last ``months`` months (this one included)."""
    this_month = today.replace(day=1)
    facts = consultation_facts(scope_estates(user), add_months(this_month, 1 - months), this_month)
    return consultation_flags.flags(facts, today)


def flag_rows(user: Actor, today: date, months: int = FLAG_MONTHS) -> list[FlagRow]:
    """The flags of the last ``months`` months (this one included), newest first, in words."""
    names = dict(Estate.objects.values_list("pk", "name"))
    found = recent_flags(user, today, months)
    found.sort(key=lambda f: (f.month, names.get(f.estate, "")), reverse=True)
    return [FlagRow(f.kind, names.get(f.estate, ""), f.month, flag_text(f), f.consultation) for f in found]


@dataclass(frozen=True)
class CoverageRow:
    estate: str
    consulted: int
    occupied: int
    rate_text: str


def coverage_rows(user: Actor, year: int) -> list[CoverageRow]:
    found = coverage(year, scope_estates(user))
    estates = Estate.objects.filter(pk__in=found, active=True).order_by("code")
    return [
        CoverageRow(
            e.name, found[e.pk].consulted, found[e.pk].occupied, wording.percent_text(found[e.pk].rate)
        )
        for e in estates
    ]
