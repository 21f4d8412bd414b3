"""What a survey's analysis shows (SPEC S-9, §7.3.7): the dissatisfaction reasons coded with the
administrator's reason codes and ordered as a Pareto chart, each code with the reasons' own
words; and the draft of the improvements text shown to residents at the start of the next survey.

Reads only. The reasons a user is shown are those of the estates they may see (residents'
own words are not company-wide figures); whoever sees the whole survey sees them all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from estatedesk.core.i18n import in_company_language
from estatedesk.core.pareto import pareto
from estatedesk.surveys import coding
from estatedesk.surveys.models import Answer, ReasonCode, Suggestion, SuggestionStatus, Survey, SurveyStatus

__all__ = ["ParetoBar", "active_codes", "draft_improvements", "previous_survey", "reason_pareto"]

# The words listed under one code on the page; the count is always the whole count.
MAX_WORDS = 200


@dataclass
class ParetoBar:
    code: str
    label: str
    count: int
    cumulative_share: float
    vital: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def cumulative_text(self) -> str:
        return f"{self.cumulative_share * 100:.1f}%"


def active_codes() -> tuple[list[coding.Code], dict[str, ReasonCode]]:
    rows = list(ReasonCode.objects.filter(active=True).order_by("position", "code"))
    return coding.codes_from((r.code, r.keywords, r.category) for r in rows), {r.code: r for r in rows}


def reason_pareto(survey: Survey, estate_ids: Collection[int] | None = None) -> list[ParetoBar]:
    """The reasons given for dissatisfaction, coded, as Pareto bars ("other" last)."""
    answers = Answer.objects.filter(survey=survey).exclude(reason="")
    if estate_ids is not None:
        answers = answers.filter(estate__in=estate_ids)
    codes, by_code = active_codes()
    words: dict[str, list[str]] = {}
    for category, reason in answers.order_by("pk").values_list("category", "reason").iterator():
        code = coding.code_of(reason, codes, category)
        if code is not None:
            words.setdefault(code, []).append(reason.strip())
    rows = pareto({code: len(found) for code, found in words.items()}, last=coding.OTHER)
    bars = []
    for row in rows:
        record = by_code.get(row.key)
        label = record.label() if record else str(_("Other"))
        bars.append(
            ParetoBar(row.key, label, row.count, row.cumulative_share, row.vital, words[row.key][:MAX_WORDS])
        )
    return bars


def _status_text(suggestion: Suggestion) -> str:
    action = getattr(suggestion, "improvement_action", None)
    # The action's states (improvement.workflow): the work is done once it awaits
    # verification or is closed as effective.
    if action is not None and action.status in ("verifying", "closed"):
        return str(_("done"))
    return str(_("under way"))


def draft_improvements(previous_survey: Survey) -> str:
    """What was done after ``previous_survey``, in the company language, for the deputy GM to
    edit: one line per accepted suggestion (title, the responsible department, done or under
    way). Declined and undecided suggestions are not in it."""
    accepted = (
        Suggestion.objects.filter(survey=previous_survey, status=SuggestionStatus.ACCEPTED)
        .select_related("department", "improvement_action")
        .order_by("pk")
    )
    with in_company_language():
        lines = [
            str(
                _("After the survey %(title)s we made these improvements:") % {"title": previous_survey.title}
            )
        ]
        for n, suggestion in enumerate(accepted, start=1):
            department = suggestion.department.name if suggestion.department else ""
            lines.append(
                str(
                    _("%(n)d. %(title)s (%(department)s): %(status)s.")
                    % {
                        "n": n,
                        "title": suggestion.title,
                        "department": department,
                        "status": _status_text(suggestion),
                    }
                )
            )
        if len(lines) == 1:
            return ""
        lines.append(str(_("Thank you for your opinions; please tell us how we are doing.")))
    return "\n".join(lines)


def previous_survey(survey: Survey, among: QuerySet[Survey] | None = None) -> Survey | None:
    """The last closed survey of the same kind before ``survey``: the one whose decisions the
    residents are told about at the start of this one (§7.3.7)."""
    rows = (among if among is not None else Survey.objects.all()).filter(
        kind=survey.kind, status=SurveyStatus.CLOSED, year__lte=survey.year
    )
    return rows.exclude(pk=survey.pk).order_by("-year", "-closed_at", "-pk").first()
