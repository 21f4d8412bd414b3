"""What a rectification item's page reads (SPEC R-3, R-4, D-3), always through the user's scope
(``selectors.items_for``): the item with everything it names, its photos by round and stage,
its timeline with each event's round.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import pgettext

from estatedesk.core.actors import Actor
from estatedesk.core.timeline import TimelineRow, timeline_rows
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item, ItemEventKind, ItemPhoto, PhotoStage
from estatedesk.rectification.workflow import ITEM


def item_of(user: Actor, pk: int) -> Item:
    """The item, if the user may see it; 404 otherwise, exactly like a missing one."""
    item = (
        selectors.items_for(user)
        .select_related(
            "report",
            "estate",
            "unit__building",
            "finding_department",
            "department",
            "developer",
            "team",
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def photo_of(user: Actor, pk: int) -> ItemPhoto:
    """A photo (or a paper acceptance's scan) of an item the user may see; 404 otherwise."""
    found = ItemPhoto.objects.filter(pk=pk, item__in=selectors.items_for(user)).first()
    if found is None:
        raise Http404
    return found


def round_label(number: int) -> str:
    return pgettext("rectification", "Round %(round)d") % {"round": number}


@dataclass
class StageGroup:
    stage: str
    label: str
    photos: list[ItemPhoto] = field(default_factory=list)


@dataclass
class RoundGroup:
    round: int
    label: str
    stages: list[StageGroup] = field(default_factory=list)


def photo_groups(item: Item) -> list[RoundGroup]:
    """The item's photos, round by round (oldest first), each round by stage (the defect, the
    work done, the objection, the signed sheet)."""
    order = list(PhotoStage.values)
    labels = dict(PhotoStage.choices)
    rounds: dict[int, dict[str, list[ItemPhoto]]] = {}
    for photo in item.photos.order_by("round", "uploaded_at", "pk"):
        rounds.setdefault(photo.round, {}).setdefault(photo.stage, []).append(photo)
    return [
        RoundGroup(
            number,
            round_label(number),
            [
                StageGroup(stage, str(labels.get(stage, stage)), stages[stage])
                for stage in sorted(stages, key=lambda s: order.index(s) if s in order else len(order))
            ],
        )
        for number, stages in sorted(rounds.items())
    ]


def timeline(item: Item) -> list[TimelineRow]:
    """The item's events, oldest first, each labelled with the round it happened in."""
    events = list(item.events.order_by("at", "pk"))
    rounds = {event.pk: event.round for event in events}
    return [
        dataclasses.replace(
            row,
            label=pgettext("rectification", "%(step)s · round %(round)d")
            % {"step": row.label, "round": rounds[row.pk]},
        )
        for row in timeline_rows(events, ITEM, dict(ItemEventKind.choices))
    ]


def signature_type(stored_name: str) -> str:
    """The drawn signature's type, from the extension the upload check gave it."""
    return mimetypes.guess_type(stored_name)[0] or "application/octet-stream"
