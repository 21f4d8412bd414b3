"""Request and response shapes of the surveys API (``estatedesk.surveys.api.surveys``).

Rates and scores leave as numbers with one decimal (``92.5`` means 92.5 %), the way the
sheets print them (``figures.one_decimal``); a figure with no valid answer is ``null``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints, TypeAdapter, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from estatedesk.core.api import (
    NO_NUL,
    VERSION_DESCRIPTION,
    ApiError,
    BodyId,
    Id,
    Input,
    JsonInt,
    QueryDay,
    invalid,
    omissible,
    text,
)
from estatedesk.core.params import MAX_ID
from estatedesk.core.versioning import MAX_VERSION
from estatedesk.surveys.models import ResponseChannel, SurveyKind, SurveyStatus


def _json_number(value: Any) -> Any:
    # Strict bodies (decision 0004): "50" and true are not numbers.
    if isinstance(value, bool | str):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


Share = Annotated[float, BeforeValidator(_json_number), Field(gt=0, le=100)]
Title = Annotated[str, text(200, required=True)]
LongText = Annotated[str, text(5000)]
Words = Annotated[str, text(2000)]
LevelCode = Annotated[str, text(30)]
# A question id as an object key ("12"); anything else is reported as a question not asked.
QuestionKey = Annotated[str, StringConstraints(max_length=20)]
Seed = Annotated[str, text(64)]
# The personal link's token (``models.new_token``): URL-safe base64.
Token = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
MAX_ANSWERS = 300
MAX_IDS = 2000

ANSWERS_DESCRIPTION = (
    'The answers by question id with the level code, e.g. {"12": "satisfied", "13": '
    '"very_dissatisfied"}; or a list [{"question": 12, "level": "satisfied", "reason": …, '
    '"text": …}]. A question given twice is refused (in the object form too). A free-text '
    "question takes its words in `texts` (or `text`) and an empty level."
)


# --- Surveys -----------------------------------------------------------------------------------


class SurveyFilters(Schema):
    status: SurveyStatus | None = None
    kind: SurveyKind | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class EstateRef(Schema):
    id: int
    name: str
    template: int = Field(description="The questionnaire version asked in this estate.")


class EstateSample(Schema):
    estate: int
    name: str
    frame: int = Field(description="Occupied households in the frame.")
    share_size: int = Field(description="Households the share asks for (rounded up).")
    sample_size: int
    second_stage: int = Field(description="Key households (complained, grieved, dissatisfied).")
    random: int
    vacant: int = Field(description="Vacant units, left out of the frame.")


class SampleOut(Schema):
    frame: int
    sample_size: int
    second_stage: int
    random: int
    vacant: int
    seed: str = Field(description="Drawing again with this seed over the same frame gives the same sample.")
    drawn_at: datetime
    drawn_by: str
    estates: list[EstateSample] = Field(description="Per estate, only the estates you may see.")


class SurveyItem(Schema):
    id: int
    number: str = Field(description="e.g. SV-2026-000001")
    kind: SurveyKind
    title: str
    year: int
    status: SurveyStatus
    status_label: str
    share: float = Field(description="The sample share in percent.")
    closes_on: date | None
    estates: list[EstateRef] = Field(description="The survey's estates you may see.")


class SurveyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SurveyItem]


class SurveyOut(SurveyItem):
    template: int = Field(description="The questionnaire version asked in residential estates.")
    office_template: int | None = Field(description="The one asked in office buildings, if another.")
    improvements: str
    return_threshold: float
    return_step: float
    return_penalty: float
    target: float
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    reminder_gap_days: int
    max_reminders: int
    sample: SampleOut | None = Field(description="The drawn sample's figures; null before the draw.")
    version: int = Field(description="The version of the survey's texts; send it back with an edit.")


class SurveyIn(Input):
    kind: SurveyKind
    title: Title
    estates: list[BodyId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Estate ids. An annual survey left without covers every active estate.",
    )
    share: Share | None = Field(
        None, description="Percent of each estate's households; default the company's."
    )
    template: BodyId | None = Field(
        None,
        description="A questionnaire version id; default the residential default standard's current one.",
    )
    office_template: BodyId | None = Field(
        None, description="The version asked in office buildings; default the office default standard's."
    )
    closes_on: QueryDay | None = Field(None, description="YYYY-MM-DD, the last day answers are accepted.")
    improvements: LongText = Field("", description="Shown to residents before the first question (S-9).")
    buildings: list[BodyId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Special-purpose surveys only: narrow the frame.",
    )
    units: list[BodyId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Special-purpose surveys only: these households.",
    )


class SurveyPatch(Input):
    """Leave a field out to keep it. The share only before the draw."""

    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
    title: Title | None = omissible()
    improvements: LongText | None = omissible()
    closes_on: QueryDay | None = omissible("YYYY-MM-DD, not in the past.")
    share: Share | None = omissible()
    reminder_gap_days: Annotated[JsonInt, Field(ge=1, le=60)] | None = omissible()
    max_reminders: Annotated[JsonInt, Field(ge=0, le=10)] | None = omissible()


class RemindedOut(Schema):
    reminded: int = Field(description="Households reminded by SMS now.")


class DrawIn(Input):
    seed: Seed = Field("", description="Any text up to 64 characters; left out, a random one is recorded.")


class CancelIn(Input):
    reason: Annotated[str, text(2000, required=True)]


# --- The sample --------------------------------------------------------------------------------


class SampleFilters(Schema):
    estate: Id | None = None
    building: Id | None = None
    answered: bool | None = None
    second_stage: bool | None = None


class HouseholdOut(Schema):
    unit: int
    label: str = Field(description="Building and number, e.g. '3栋-1201'.")
    estate: int
    building: int
    second_stage: bool
    reasons: list[str] = Field(description="Why a key household: complained, grieved, dissatisfied_visit …")
    reason_labels: list[str]
    answered: bool
    channel: ResponseChannel | None = Field(description="How it was returned, once answered.")


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HouseholdOut]


# --- Answers -----------------------------------------------------------------------------------


class AnswerItem(Input):
    question: BodyId
    level: LevelCode = ""
    reason: Words = Field("", description="Why dissatisfied (kept only with a dissatisfied level).")
    text: Words = Field("", description="The words of a free-text question.")


_STRING = {"type": "string", "pattern": NO_NUL}
# Either form, documented as such; validated by ``parse_answers`` so that a problem is reported
# at ["body", "answers", "12"], not under the name of a union member pydantic would add.
ANSWERS_SCHEMA = {
    "description": ANSWERS_DESCRIPTION,
    "anyOf": [
        {
            "type": "object",
            "maxProperties": MAX_ANSWERS,
            "propertyNames": {"maxLength": 20},
            "additionalProperties": {**_STRING, "maxLength": 30},
        },
        {
            "type": "array",
            "maxItems": MAX_ANSWERS,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["question"],
                "properties": {
                    "question": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    "level": {**_STRING, "maxLength": 30},
                    "reason": {**_STRING, "maxLength": 2000},
                    "text": {**_STRING, "maxLength": 2000},
                },
            },
        },
    ],
}
AnswersIn = Annotated[Any, WithJsonSchema(ANSWERS_SCHEMA)]
_BY_ID: TypeAdapter[dict[str, str]] = TypeAdapter(
    Annotated[dict[QuestionKey, LevelCode], Field(max_length=MAX_ANSWERS)]
)
_LISTED: TypeAdapter[list[AnswerItem]] = TypeAdapter(
    Annotated[list[AnswerItem], Field(max_length=MAX_ANSWERS)]
)


def parse_answers(value: Any) -> dict[str, str] | list[AnswerItem]:
    """``answers`` in either form, or a 422 at the place inside it that is wrong."""
    if isinstance(value, dict):
        adapter: TypeAdapter[Any] = _BY_ID
    elif isinstance(value, list):
        adapter = _LISTED
    else:
        raise invalid("answers", _("Give the answers as an object by question id, or as a list."))
    try:
        return adapter.validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ApiError(
            422,
            "invalid",
            _("Some of the data sent is not valid."),
            [{"loc": ["body", "answers", *e["loc"]], "msg": e["msg"]} for e in exc.errors()],
        ) from exc


ByQuestion = Annotated[dict[QuestionKey, Words], Field(max_length=MAX_ANSWERS)]


class PaperIn(Input):
    unit: BodyId = Field(description="The unit id of a sampled household of your estates.")
    answers: AnswersIn
    reasons: ByQuestion = Field(
        default_factory=dict, description="Reasons for dissatisfaction by question id."
    )
    texts: ByQuestion = Field(default_factory=dict, description="Free-text answers by question id.")


class OnlineIn(Input):
    token: Token = Field(description="The household's personal token, from its link or QR code.")
    survey: BodyId | None = Field(
        None, description="Optionally the survey id: a token of another survey is then refused."
    )
    answers: AnswersIn
    reasons: ByQuestion = Field(default_factory=dict)
    texts: ByQuestion = Field(default_factory=dict)


class ResponseOut(Schema):
    survey: int
    unit: int
    label: str
    channel: ResponseChannel
    submitted_at: datetime
    answers: int = Field(description="Questions answered.")


class ThanksOut(Schema):
    detail: str = Field(description="A thank-you in the request's language.")
    submitted_at: datetime


# --- Results -----------------------------------------------------------------------------------

RATE = "Percent, one decimal; null without valid answers."


class Figures(Schema):
    distributed: int
    returned: int
    return_rate: float | None = Field(description="Returned ÷ distributed, percent, one decimal.")
    valid: int = Field(description="Valid answers (ratings on the scale) behind the rate.")
    satisfied: int
    satisfaction_raw: float | None = Field(description=RATE)
    shortfall: float = Field(description="Points of return rate below the threshold.")
    penalty_points: float = Field(description="Points taken off: per full step short.")
    satisfaction_adjusted: float | None = Field(description="Raw minus the penalty: the rate that counts.")
    penalty_reason: str = Field(description="The return-rate rule applied, in words.")
    ci_low: float | None = Field(description="95 % Wilson interval of the raw rate, percent.")
    ci_high: float | None
    mean_score: float | None = Field(description="Mean score, one decimal.")
    target: float
    below_target: bool


class CategoryFigures(Figures):
    category: str
    label: str


class EstateFigures(Figures):
    estate: int
    name: str


class QuestionFigures(Figures):
    question: int
    number: int = Field(description="As printed on the questionnaire.")
    text: str
    category: str
    template: int


class ResultsOut(Figures):
    survey: int
    number: str
    categories: list[CategoryFigures]
    estates: list[EstateFigures] = Field(description="Only the estates you may see.")
    questions: list[QuestionFigures]
