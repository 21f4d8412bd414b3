"""What a resident does on their complaint through its private status link (SPEC W-1, K-10).

The portal found the complaint by its token; these services are the only way the resident
changes it: add information (with photos), chase (催办) and rate the reply. Each is atomic,
locks the complaint, writes a timeline event the staff see and tells the people handling it.
The actor is always ``RESIDENT``: a staff account does these things through the staff pages.
Decision 0016 says why a dissatisfied rating reopens the complaint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.complaints import events, uploads, workflow
from estatedesk.complaints.actions import apply_deadline, complaint_link
from estatedesk.complaints.events import ComplaintEvent
from estatedesk.complaints.models import AWAITING_REPLY, Complaint, Event, RatingScore, ResidentRating
from estatedesk.complaints.resident_messages import tell_resident
from estatedesk.core.actors import Actor, PortalResident
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.workflow import check_source, lock
from estatedesk.notifications.recipients import people_of, people_with_role
from estatedesk.notifications.services import tell

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TEXT_LIMIT = 2000
COMMENT_LIMIT = 1000


class ChaseTooSoon(InvalidInput):
    """A chase within the interval: ``opens_at`` is when the resident may chase again."""

    def __init__(self, message: Any, *, opens_at: datetime) -> None:
        super().__init__(message)
        self.opens_at = opens_at


@dataclass(frozen=True)
class ChaseRate:
    """How often one complaint may be chased: ``times`` within ``within`` (PORTAL_RATE_CHASE)."""

    times: int
    within: timedelta


def _resident(actor: Actor) -> None:
    if not isinstance(actor, PortalResident):
        raise NotAllowed(_("Only the resident, through the complaint's private link, can do this."))


def _locked(complaint: Complaint | int) -> Complaint:
    pk = complaint if isinstance(complaint, int) else complaint.pk
    return lock(Complaint.objects.select_related("estate", "department", "handler__user"), pk)


def _handlers(c: Complaint) -> list[User]:
    """Who hears from the resident: the handler; without one, the handling department's head,
    else its handlers, else the customer-service supervisor."""
    if c.handler is not None and c.handler.user.is_active:
        return [c.handler.user]
    return (
        people_of(c.department, ("department_head",))
        or people_of(c.department, ("handler",))
        or people_with_role("cs_supervisor")
    )


def _local(when: datetime) -> str:
    return timezone.localtime(when, company_zone()).strftime("%Y-%m-%d %H:%M")


# --- Adding information ---------------------------------------------------------------------------


@transaction.atomic
def add_information(
    *, actor: Actor, complaint: Complaint | int, text: str, photos: Iterable[Any] = ()
) -> Complaint:
    """More words (and photos) from the resident on an open complaint; the handler is told.

    Photos are checked as at intake (``uploads.store``); callers wrap the call in
    ``uploads.discard_on_failure()``."""
    _resident(actor)
    c = _locked(complaint)
    if not c.is_open:
        raise InvalidInput(
            _("%(number)s is closed, so information can no longer be added here. Please call us.")
            % {"number": c.number},
            field="text",
        )
    words = text.strip()
    if not words:
        raise InvalidInput(_("Write what you want to add."), field="text")
    if len(words) > TEXT_LIMIT:
        raise InvalidInput(_("Write at most %(count)d characters.") % {"count": TEXT_LIMIT}, field="text")
    stored = [uploads.store(complaint=c, upload=upload, actor=actor) for upload in photos]
    event = events.resident_added(c, actor, text=words, photos=[a.pk for a in stored])
    with in_company_language():
        tell(
            _handlers(c),
            key=f"{c.number}:resident_info:{event.pk}",
            subject=_("%(number)s: the resident added information") % {"number": c.number},
            body=words[:300],
            link=complaint_link(c),
        )
    return c


# --- Chasing ----------------------------------------------------------------------------------------


def additions(c: Complaint) -> list[Event]:
    """What the resident added through the status page, oldest first."""
    return list(c.events.filter(action=ComplaintEvent.RESIDENT_INFO).order_by("at", "id"))


def added_photo_ids(c: Complaint) -> set[int]:
    """The files the resident sent with added information (the staff's own files are not theirs)."""
    ids: set[int] = set()
    for event in additions(c):
        ids.update(i for i in event.data.get("photos", []) if isinstance(i, int))
    return ids


def current_rating(c: Complaint) -> ResidentRating | None:
    """The resident's rating of the reply standing now, if they gave one."""
    if c.replied_at is None:
        return None
    return c.resident_ratings.filter(reply_round=c.reopen_count).first()


def chase_opens_at(c: Complaint, rate: ChaseRate, at: datetime | None = None) -> datetime | None:
    """When the resident may chase again, or None when they may now (the timeline counts)."""
    current = at or now()
    recent = list(
        c.events.filter(action=ComplaintEvent.RESIDENT_CHASE, at__gt=current - rate.within)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(recent) < rate.times:
        return None
    return recent[len(recent) - rate.times] + rate.within


def can_chase(c: Complaint) -> bool:
    """Only a matter still waiting for its reply is chased; an answered one is rated instead."""
    return c.status in AWAITING_REPLY


@transaction.atomic
def chase(*, actor: Actor, complaint: Complaint | int, rate: ChaseRate) -> Complaint:
    """催办: the resident asks us to hurry. At most ``rate.times`` within ``rate.within`` per
    complaint (else ``ChaseTooSoon`` with the time it opens again); reaches the handler, or the
    department head when nobody is assigned, and is kept on the timeline."""
    _resident(actor)
    c = _locked(complaint)
    if not c.is_open:
        raise InvalidInput(_("%(number)s is closed and cannot be chased.") % {"number": c.number})
    if not can_chase(c):
        raise InvalidInput(
            _("%(number)s has been answered. If the answer does not help, rate it below.")
            % {"number": c.number}
        )
    opens_at = chase_opens_at(c, rate)
    if opens_at is not None:
        raise ChaseTooSoon(
            _("You have already chased this. You can chase again after %(time)s.")
            % {"time": _local(opens_at)},
            opens_at=opens_at,
        )
    told = _handlers(c)
    names = [u.staff.display_name if hasattr(u, "staff") else u.get_username() for u in told]
    with in_company_language():  # the timeline is read by staff, whatever the resident's language
        event = events.resident_chased(c, actor, told=names)
        due = _("reply due %(time)s") % {"time": _local(c.reply_due)} if c.reply_due else ""
        tell(
            told,
            key=f"{c.number}:resident_chase:{event.pk}",
            subject=_("%(number)s: the resident asks us to hurry") % {"number": c.number},
            body=" · ".join(part for part in (due, c.description[:200]) if part),
            link=complaint_link(c),
        )
    return c


# --- Rating the reply -------------------------------------------------------------------------------


def can_rate(c: Complaint) -> bool:
    """A reply exists now and has not been rated yet."""
    return (
        c.replied_at is not None
        and bool(c.reply)
        and not c.resident_ratings.filter(reply_round=c.reopen_count).exists()
    )


def dissatisfied_reopens(c: Complaint) -> bool:
    """Whether a dissatisfied rating would reopen the complaint now (else it asks for a follow-up)."""
    reopen = workflow.COMPLAINT.get("resident_dissatisfied")
    return reopen.allows(c.status) and reopen.applies_to(c.kind)


@transaction.atomic
def rate(*, actor: Actor, complaint: Complaint | int, score: str, comment: str = "") -> ResidentRating:
    """The resident's rating of the reply, once per reply (decision 0016).

    Dissatisfied with a reply to a complaint or grievance that is waiting for its visit: the
    complaint is reopened for further measures, as a dissatisfied follow-up visit reopens it
    (§7.2.6, K-10), with a new reply deadline. Dissatisfied after it was closed (or with an
    enquiry's answer): the handler and the department head are told to follow it up."""
    _resident(actor)
    if score not in RatingScore.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or dissatisfied."), field="score")
    words = comment.strip()
    if len(words) > COMMENT_LIMIT:
        raise InvalidInput(
            _("Write at most %(count)d characters.") % {"count": COMMENT_LIMIT}, field="comment"
        )
    c = _locked(complaint)
    if c.replied_at is None or not c.reply:
        raise InvalidInput(_("There is no reply to rate yet."), field="score")
    rating = ResidentRating(
        complaint=c,
        reply_round=c.reopen_count,
        replied_at=c.replied_at,
        score=score,
        comment=words,
        rated_at=now(),
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise InvalidInput(_("You have already rated this reply. Thank you.")) from None
    with in_company_language():
        events.resident_rated(c, actor, rating=rating)
    if score != RatingScore.DISSATISFIED:
        return rating
    if dissatisfied_reopens(c):
        _reopen(c, actor, workflow.COMPLAINT.get("resident_dissatisfied"), rating)
    _tell_dissatisfied(c, rating)
    return rating


def _reopen(c: Complaint, actor: Actor, transition: workflow.Transition, rating: ResidentRating) -> None:
    check_source(workflow.COMPLAINT, transition, c.status, c.number)
    before = c.status
    c.reopen_count += 1
    c.reopened_at = rating.rated_at
    c.replied_at = None
    c.status = transition.result(before)
    apply_deadline(c)
    c.save()
    rating.reopened = True
    rating.save(update_fields=["reopened"])
    events.resident_reopened(c, actor, from_status=before, rating=rating)
    tell_resident(c)


def _tell_dissatisfied(c: Complaint, rating: ResidentRating) -> None:
    people = {u.pk: u for u in _handlers(c) + people_of(c.department, ("department_head",))}
    with in_company_language():
        subject = (
            _("%(number)s reopened: the resident is dissatisfied with the reply")
            if rating.reopened
            else _("%(number)s: the resident is dissatisfied with the reply, please follow up")
        ) % {"number": c.number}
        tell(
            people.values(),
            key=f"{c.number}:resident_rating:{rating.pk}",
            subject=subject,
            body=rating.comment[:300] or str(rating.get_score_display()),
            link=complaint_link(c),
        )
