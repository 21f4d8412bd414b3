"""Drawing a survey's sample (SPEC S-7, §7.3.6a–b; decision 0018): the frame of occupied
households, the key households the other apps and the last survey name, the pure draw
(``sampling``), and the households written with their personal links' tokens.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice
from json import dumps

from django.db import connection, transaction
from django.utils.translation import gettext as _

from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput
from estatedesk.core.models import CompanySettings
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.key_households import key_households
from estatedesk.org.models import Occupancy, Unit
from estatedesk.surveys import events, sampling, selectors
from estatedesk.surveys.models import (
    Household,
    KeyReason,
    Survey,
    SurveyEstate,
    SurveyKind,
    SurveyStatus,
    new_token,
)
from estatedesk.surveys.workflow import SURVEY

__all__ = ["draw_sample", "key_since"]

# The occupying customer of a unit: the one who lives or works there before the owner.
OCCUPANT_ORDER = {"tenant": 0, "office_tenant": 0, "owner": 1}
OCCUPANT_CHUNK = 10_000


def _occupants(unit_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Unit id → (customer id, customer type) of its occupying customer: a tenant before the
    owner, then the earliest recorded."""
    best: dict[int, tuple[tuple[int, int], int, str]] = {}
    ids = list(unit_ids)
    # In chunks: SQLite's default limit (since 3.32) is 32,766 parameters in a query, and
    # a large company's sample is far more units than that (bench/survey_draw.py: 150,000).
    for start in range(0, len(ids), OCCUPANT_CHUNK):
        rows = Occupancy.objects.filter(unit__in=ids[start : start + OCCUPANT_CHUNK]).values_list(
            "unit_id", "customer_id", "relation", "pk"
        )
        for unit_id, customer_id, relation, pk in rows.iterator():
            rank = (OCCUPANT_ORDER.get(relation, 2), pk)
            if unit_id not in best or rank < best[unit_id][0]:
                best[unit_id] = (rank, customer_id, relation)
    return {unit_id: (customer_id, relation) for unit_id, (_rank, customer_id, relation) in best.items()}


def key_since(survey: Survey, company: CompanySettings) -> datetime:
    """Where the key sample counts from: the opening of the last annual survey before this one,
    or, with none, ``survey_key_lookback_days`` back (§7.3.6b: 上次调查中……或平时有投诉)."""
    last = (
        Survey.objects.filter(kind=SurveyKind.ANNUAL, opened_at__isnull=False)
        .exclude(pk=survey.pk)
        .exclude(status=SurveyStatus.CANCELLED)
        .order_by("-opened_at")
        .first()
    )
    if last is not None and last.opened_at is not None:
        return last.opened_at
    return now() - timedelta(days=company.survey_key_lookback_days)


@transaction.atomic
def draw_sample(*, actor: Actor, survey: Survey | int, seed: str | None = None) -> Survey:
    """Draw the sample once (S-7): per estate the share of its occupied households, rounded up,
    every key household in it, the random part from the rest; record who, when, the seed and
    what it found. The same seed over the same frame gives the same sample."""
    transition = SURVEY.get("draw")
    require(actor, transition)
    survey = lock(selectors.surveys_for(actor), survey.pk if isinstance(survey, Survey) else survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > 64:
        raise InvalidInput(_("A seed is at most 64 characters."), field="seed")
    company = CompanySettings.load()
    rows = selectors.survey_estates(survey)
    estate_ids = [row.estate_id for row in rows]
    units = Unit.objects.filter(estate__in=estate_ids)
    if survey.kind == SurveyKind.SPECIAL:
        if survey.buildings.exists():
            units = units.filter(building__in=survey.buildings.all())
        if survey.units.exists():
            units = units.filter(pk__in=survey.units.all())
    frames: dict[int, list[int]] = {e: [] for e in estate_ids}
    vacant: dict[int, int] = defaultdict(int)
    place: dict[int, tuple[int, int]] = {}
    for unit_id, estate_id, building_id, occupied in units.values_list(
        "pk", "estate_id", "building_id", "occupied"
    ).iterator():
        if occupied:
            frames[estate_id].append(unit_id)
            place[unit_id] = (estate_id, building_id)
        else:
            vacant[estate_id] += 1
    since = key_since(survey, company)
    keys = key_households(since, estate_ids)
    for unit_id in selectors.dissatisfied_last_time(survey, estate_ids):
        reasons = keys.setdefault(unit_id, [])
        if KeyReason.DISSATISFIED_SURVEY not in reasons:
            reasons.append(KeyReason.DISSATISFIED_SURVEY)
    draws = sampling.draw(frames, frozenset(keys), sampling.share_of(survey.share), seed)
    drawn_units = [u for d in draws for u in d.sample]
    occupants = _occupants(drawn_units)
    key_units = {u for d in draws for u in d.key}
    no_one: tuple[int | None, str] = (None, "")
    _insert_households(
        survey.pk,
        (
            (
                place[unit_id][0],
                place[unit_id][1],
                unit_id,
                occupants.get(unit_id, no_one)[0],
                occupants.get(unit_id, no_one)[1],
                unit_id in key_units,
                keys.get(unit_id, []) if unit_id in key_units else [],
            )
            for unit_id in drawn_units
        ),
    )
    by_estate = {d.estate_id: d for d in draws}
    for row in rows:
        d = by_estate[row.estate_id]
        row.frame_size, row.vacant_count, row.target_size = d.frame_size, vacant[row.estate_id], d.target_size
        row.second_stage_count, row.random_count = len(d.key), len(d.drawn)
    SurveyEstate.objects.bulk_update(
        rows, ["frame_size", "vacant_count", "target_size", "second_stage_count", "random_count"]
    )
    from_status = survey.status
    survey.status = transition.result(survey.status)
    survey.seed = seed
    survey.drawn_at = now()
    survey.drawn_by = user_of(actor)
    survey.drawn_by_name = name_of(actor)
    survey.key_since = since
    survey.frame_size = sum(d.frame_size for d in draws)
    survey.vacant_count = sum(vacant.values())
    survey.second_stage_count = sum(len(d.key) for d in draws)
    survey.random_count = sum(len(d.drawn) for d in draws)
    stamp(survey, actor)
    survey.save()
    events.drawn(survey, actor, from_status=from_status)
    return survey


HOUSEHOLD_BATCH = 2000


def _insert_households(
    survey_id: int, rows: Iterable[tuple[int, int, int, int | None, str, bool, list[str]]]
) -> None:
    """The drawn households (estate, building, unit, customer, customer type, key household,
    reasons), each with a fresh token, written plainly. ``bulk_create`` spent 85 % of a
    150,000-household draw building model instances and preparing their fields one by one
    (bench/survey_draw.py, docs/benchmarks.md). SQLite takes a one-row INSERT by
    ``executemany`` (a loop inside the driver); PostgreSQL a COPY (2.7 times faster there than
    INSERTs of 2,000 rows, and ``executemany`` would be a round trip per row)."""
    fields = {f.name: str(f.column) for f in Household._meta.concrete_fields}
    names = [
        "survey", "estate", "building", "unit", "customer", "customer_kind", "second_stage",
        "reasons", "token", "reminders_sent", "draft",
    ]  # fmt: skip
    # Names from the model, values as parameters (or COPY data).
    table = connection.ops.quote_name(Household._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[n]) for n in names)
    values = (
        (
            survey_id,
            estate_id,
            building_id,
            unit_id,
            customer_id,
            kind,
            key,
            dumps(reasons),
            new_token(),
            0,
            "{}",
        )
        for estate_id, building_id, unit_id, customer_id, kind, key, reasons in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        while batch := list(islice(values, HOUSEHOLD_BATCH)):
            cursor.executemany(insert, batch)
