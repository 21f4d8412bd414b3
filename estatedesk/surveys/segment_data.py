"""The counts behind customer segments (SPEC S-10), from the database; ``segments`` does the
arithmetic. A few grouped queries per survey or set of consultations, whatever its size:

* customer type: a survey's answers grouped by the returned questionnaire's customer type (the
  household's at the time); a consultation's by the consulted household's;
* building: the answers grouped by building (with the building's and estate's names);
* complained: for a survey, a household complained or grieved in the period when the key
  sample drew it for that reason (``Household.reasons`` holds "complained" / "grieved"). The
  reasons are a JSON list, and "contains" on JSON is not the same on SQLite and PostgreSQL, so
  the key households' reasons (a few hundred rows at most) are read once and mapped in Python;
  their answers are grouped per household, everyone else's counted in one sum. A
  consultation's households carry ``complained`` as a column (set when proposed).

``estate_ids`` narrows everything to the estates the user may see (None: all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from fractions import Fraction

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from estatedesk.core.sorting import natural_key
from estatedesk.org.models import Building, CustomerKind
from estatedesk.surveys.consultation_results import company_targets
from estatedesk.surveys.figures import Tally
from estatedesk.surveys.models import Answer, Consultation, ConsultationAnswer, Household, KeyReason, Survey
from estatedesk.surveys.results import targets
from estatedesk.surveys.segments import BUILDING, COMPLAINED, CUSTOMER_TYPE, Segments, segments

__all__ = ["COMPLAINT_REASONS", "consultation_segments", "survey_segments"]

COMPLAINT_REASONS = frozenset({KeyReason.COMPLAINED.value, KeyReason.GRIEVED.value})
YES, NO = "yes", "no"

_TALLY = {
    "valid": Count("pk"),
    "satisfied": Count("pk", filter=Q(satisfied=True)),
    "score_sum": Sum("score"),
}


def _grouped(rows: QuerySet[Answer] | QuerySet[ConsultationAnswer], field: str) -> dict[str, Tally]:
    out: dict[str, Tally] = defaultdict(Tally)
    for value, valid, satisfied, score_sum in rows.values_list(field).annotate(**_TALLY).order_by():
        out["" if value is None else str(value)] += Tally(valid, satisfied, int(score_sum or 0))
    return dict(out)


def _total(rows: QuerySet[Answer] | QuerySet[ConsultationAnswer]) -> Tally:
    found = rows.aggregate(**_TALLY)
    return Tally(found["valid"] or 0, found["satisfied"] or 0, int(found["score_sum"] or 0))


def _kind_labels() -> dict[str, str]:
    return {**{k: str(label) for k, label in CustomerKind.choices}, "": _("Not recorded")}


def _building_labels(ids: Collection[str]) -> dict[str, str]:
    rows = Building.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "name", "estate__name")
    found = list(rows)
    several = len({estate for _pk, _name, estate in found}) > 1
    return {str(pk): f"{estate} · {name}" if several else name for pk, name, estate in found}


def _building_order(labels: dict[str, str]) -> list[str]:
    return sorted(labels, key=lambda v: natural_key(labels[v]))


def _complained_labels() -> dict[str, str]:
    return {YES: _("Complained in the period"), NO: _("Did not complain")}


def _assemble(
    by_kind: dict[str, Tally], by_building: dict[str, Tally], by_complaint: dict[str, Tally], target: Fraction
) -> Segments:
    buildings = _building_labels(by_building)
    return Segments(
        customer_type=segments(
            CUSTOMER_TYPE, by_kind, _kind_labels(), target, order=[*CustomerKind.values, ""]
        ),
        building=segments(BUILDING, by_building, buildings, target, order=_building_order(buildings)),
        # Both groups always: "no answer from anyone who complained" is itself worth seeing.
        complained=segments(
            COMPLAINED, by_complaint, _complained_labels(), target, order=[YES, NO], always=[YES, NO]
        ),
    )


def survey_segments(survey: Survey, estate_ids: Collection[int] | None = None) -> Segments:
    """The survey's segments, over the valid answers of the estates given."""
    answers = Answer.objects.filter(survey=survey, score__isnull=False)
    households = Household.objects.filter(survey=survey, second_stage=True)
    if estate_ids is not None:
        answers = answers.filter(estate__in=estate_ids)
        households = households.filter(estate__in=estate_ids)
    complained = {
        pk
        for pk, reasons in households.values_list("pk", "reasons")
        if COMPLAINT_REASONS & set(reasons or ())
    }
    key_answers = _grouped(answers.filter(response__second_stage=True), "response__household_id")
    yes = sum((t for h, t in key_answers.items() if int(h) in complained), Tally())
    no = _total(answers.filter(response__second_stage=False)) + sum(
        (t for h, t in key_answers.items() if int(h) not in complained), Tally()
    )
    return _assemble(
        _grouped(answers, "response__customer_kind"),
        _grouped(answers, "building_id"),
        {YES: yes, NO: no},
        targets(survey).default,
    )


def consultation_segments(
    consultations: QuerySet[Consultation], estate_ids: Collection[int] | None = None
) -> Segments:
    """The segments of one consultation or several pooled (a month, a half year, a year)."""
    answers = ConsultationAnswer.objects.filter(
        consultation__in=consultations.values("pk"), score__isnull=False
    )
    if estate_ids is not None:
        answers = answers.filter(estate__in=estate_ids)
    return _assemble(
        _grouped(answers, "household__customer_kind"),
        _grouped(answers, "building_id"),
        {
            YES: _total(answers.filter(household__complained=True)),
            NO: _total(answers.filter(household__complained=False)),
        },
        company_targets().default,
    )
