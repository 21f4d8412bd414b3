"""Every write of an owners' forum (座谈会, SPEC S-6, procedure §7.3.4).

The company invites owners or the owners' committee at year end, hears their opinions of the
service, answers them and follows them up. Who organises (decision 0026): the customer-service
supervisor, the deputy GM and the GM for any estate they see; a department head for the
estates of the management office they belong to (the office director often holds the forum of
his own estates). Everyone who sees the forum may read it; a follow-up's owner may finish it.

Every write locks the forum row first (``core.workflow.lock`` on the reader's scope, so out of
scope is "not found"): two people recording opinions at once get consecutive positions, and a
follow-up is finished once. The forum's details and an opinion's answer are texts two people
may edit (``edit_version``, decision 0011). There is no timeline: the change history
(simple_history) keeps who changed what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock
from estatedesk.org.models import CommitteeMember, Department, DepartmentKind, Estate, Staff, Unit
from estatedesk.surveys.models import (
    Category,
    Forum,
    ForumFollowUp,
    ForumOpinion,
    ForumParticipant,
    ParticipantKind,
)
from estatedesk.surveys.review_selectors import forums_for
from estatedesk.surveys.selectors import sees_whole_survey

__all__ = [
    "ORGANISER_ROLES",
    "add_follow_up",
    "add_participant",
    "answer_opinion",
    "colleagues",
    "create_forum",
    "edit_forum",
    "finish_follow_up",
    "may_finish",
    "may_organise",
    "organised_estates",
    "record_opinion",
    "remove_participant",
]

# Who organises any forum of the estates they see; department heads only those of their offices.
ORGANISER_ROLES = frozenset({"cs_supervisor", "deputy_gm", "gm"})
OFFICE_ROLES = frozenset({"department_head"})
MAX_TEXT = 4000
MAX_LINE = 200
OPINION_CATEGORIES = tuple(c for c in Category.values if c != Category.OVERALL)


def organised_estates(actor: Actor) -> frozenset[int] | None:
    """The estates whose forums ``actor`` may organise: None for every estate they see (the
    leadership); an empty set for those who may not organise."""
    staff = policy.staff_of(actor)
    if staff is None:
        return frozenset()
    if staff.role in ORGANISER_ROLES:
        return None  # they see every estate's forums (``review_selectors``)
    if staff.role in OFFICE_ROLES:
        offices = Department.objects.filter(
            staff=staff, kind=DepartmentKind.MANAGEMENT_OFFICE, estate__isnull=False, active=True
        )
        return frozenset(offices.values_list("estate_id", flat=True))
    return frozenset()


def _forum_estates(forum: Forum) -> set[int]:
    return set(Forum.estates.through.objects.filter(forum=forum).values_list("estate_id", flat=True))


def may_organise(actor: Actor, forum: Forum | None = None) -> bool:
    """Whether ``actor`` organises ``forum`` (or, without one, may create a forum at all)."""
    estates = organised_estates(actor)
    if estates is None:
        return True
    if not estates:
        return False
    return forum is None or bool(_forum_estates(forum) & estates)


def _organiser(actor: Actor, forum: Forum | None) -> None:
    if not may_organise(actor, forum):
        raise NotAllowed(
            _(
                "The customer-service supervisor, the leadership and the heads of the estate's "
                "management office organise owners' forums."
            )
        )


def may_finish(actor: Actor, forum: Forum, follow_up: ForumFollowUp) -> bool:
    staff = policy.staff_of(actor)
    return staff is not None and (staff.pk == follow_up.owner_id or may_organise(actor, forum))


def colleagues(actor: Actor) -> QuerySet[Staff]:
    """Who may chair a forum or own a follow-up: any colleague for those who see every
    estate's forums, else the colleagues the actor sees (``policy.scope_staff``)."""
    rows = Staff.objects.filter(user__is_active=True).exclude(role__in=("admin", "auditor"))
    if sees_whole_survey(actor):
        return rows
    return policy.scope_staff(actor, rows)


def _locked(actor: Actor, forum: Forum | int) -> Forum:
    return lock(forums_for(actor), forum.pk if isinstance(forum, Forum) else forum)


def _line(value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_LINE) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("Enter the %(what)s.") % {"what": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("Write at most %(limit)d characters.") % {"limit": limit},
            field=field,
        )
    return text


def _chair(actor: Actor, chaired_by: Staff | int | None) -> Staff | None:
    if chaired_by is None:
        return None
    pk = chaired_by.pk if isinstance(chaired_by, Staff) else chaired_by
    found = colleagues(actor).filter(pk=pk).first()
    if found is None:
        raise InvalidInput(_("Choose a colleague to chair the forum."), field="chaired_by")
    return found


def _details(
    actor: Actor, *, title: str, held_on: date, place: str, chaired_by: Staff | int | None
) -> tuple[str, str, Staff | None]:
    if not isinstance(held_on, date):
        raise InvalidInput(_("Enter the date of the forum."), field="held_on")
    return (
        _line(title, "title", _("title")),
        _line(place, "place", pgettext("forum", "place")),
        _chair(actor, chaired_by),
    )


@transaction.atomic
def create_forum(
    *,
    actor: Actor,
    title: str,
    estates: Iterable[Estate | int],
    held_on: date,
    place: str,
    chaired_by: Staff | int | None = None,
    summary: str = "",
) -> Forum:
    """A forum of one or more estates the actor organises; its number is FO-<year>-…."""
    _organiser(actor, None)
    allowed = organised_estates(actor)
    wanted = {e.pk if isinstance(e, Estate) else int(e) for e in estates}
    if not wanted:
        raise InvalidInput(_("Choose the estates whose owners are invited."), field="estates")
    found = Estate.objects.filter(pk__in=wanted, active=True)
    if allowed is not None:
        found = found.filter(pk__in=allowed)
    chosen = list(found)
    if len(chosen) != len(wanted):
        raise InvalidInput(_("Choose estates whose forums you organise."), field="estates")
    title, place, chair = _details(actor, title=title, held_on=held_on, place=place, chaired_by=chaired_by)
    at = now()
    forum = Forum(
        number=next_number("FO", at),
        title=title,
        year=held_on.year,
        held_on=held_on,
        place=place,
        chaired_by=chair,
        summary=_line(summary, "summary", _("summary"), required=False, limit=20000),
        created_at=at,
        created_by=user_of(actor),
    )
    stamp(forum, actor)
    forum.save()
    forum.estates.set(chosen)
    return forum


@transaction.atomic
def edit_forum(
    *,
    actor: Actor,
    forum: Forum | int,
    based_on: int | None,
    title: str,
    held_on: date,
    place: str,
    chaired_by: Staff | int | None,
    summary: str,
) -> Forum:
    """The details and the summary of the meeting; a save based on an older version is a 409."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    title, place, chair = _details(actor, title=title, held_on=held_on, place=place, chaired_by=chaired_by)
    summary = _line(summary, "summary", _("summary"), required=False, limit=20000)
    take_edit(
        record,
        based_on,
        current={"title": record.title, "place": record.place, "summary": record.summary},
        fields=["title", "held_on", "place", "chaired_by_id", "summary"],
    )
    record.title, record.held_on, record.year, record.place = title, held_on, held_on.year, place
    record.chaired_by, record.summary = chair, summary
    stamp(record, actor)
    record.save(update_fields=["title", "held_on", "year", "place", "chaired_by", "summary", EDIT_VERSION])
    return record


def _occupant(unit: Unit) -> object:
    occupancies = sorted(
        unit.occupancies.select_related("customer"), key=lambda o: (o.relation != "owner", o.pk)
    )
    return occupancies[0].customer if occupancies else None


@transaction.atomic
def add_participant(
    *,
    actor: Actor,
    forum: Forum | int,
    kind: str,
    unit: Unit | int | None = None,
    committee_member: CommitteeMember | int | None = None,
    staff: Staff | int | None = None,
    name: str = "",
) -> ForumParticipant:
    """An owner by unit (the occupant, owners first, is linked), a committee member of one of
    the forum's estates, a colleague, or someone else by name."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    estates = _forum_estates(record)
    row = ForumParticipant(forum=record, kind=kind)
    existing = ForumParticipant.objects.filter(forum=record)
    if kind == ParticipantKind.OWNER:
        pk = unit.pk if isinstance(unit, Unit) else unit
        found = (
            Unit.objects.filter(pk=pk, estate__in=estates).select_related("building").first() if pk else None
        )
        if found is None:
            raise InvalidInput(_("Choose a unit of the forum's estates."), field="unit")
        if existing.filter(kind=kind, unit=found).exists():
            raise InvalidInput(_("This unit is already among the participants."), field="unit")
        row.unit = found
        row.customer = _occupant(found)  # type: ignore[assignment]
    elif kind == ParticipantKind.COMMITTEE:
        pk = committee_member.pk if isinstance(committee_member, CommitteeMember) else committee_member
        member = CommitteeMember.objects.filter(pk=pk, estate__in=estates).first() if pk else None
        if member is None:
            raise InvalidInput(
                _("Choose a member of the owners' committee of the forum's estates."),
                field="committee_member",
            )
        if existing.filter(committee_member=member).exists():
            raise InvalidInput(_("This member is already among the participants."), field="committee_member")
        row.committee_member = member
        row.customer = member.customer
    elif kind == ParticipantKind.STAFF:
        pk = staff.pk if isinstance(staff, Staff) else staff
        colleague = colleagues(actor).filter(pk=pk).first() if pk else None
        if colleague is None:
            raise InvalidInput(_("Choose a colleague."), field="staff")
        if existing.filter(staff=colleague).exists():
            raise InvalidInput(_("This colleague is already among the participants."), field="staff")
        row.staff = colleague
    elif kind == ParticipantKind.OTHER:
        row.name = _line(name, "name", _("name"), limit=100)
    else:
        raise InvalidInput(_("Choose who the participant is."), field="kind")
    row.save()
    return row


@transaction.atomic
def remove_participant(*, actor: Actor, forum: Forum | int, participant: ForumParticipant | int) -> None:
    """Take a participant off the list; one who raised an opinion stays (the minutes say who)."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    pk = participant.pk if isinstance(participant, ForumParticipant) else participant
    row = ForumParticipant.objects.filter(forum=record, pk=pk).first()
    if row is None:
        raise NotFound(_("Not found, or not yours to see."), field="participant")
    if row.opinions.exists():
        raise InvalidInput(
            _("This participant raised an opinion at the forum and stays on the list."), field="participant"
        )
    row.delete()


def _category(category: str) -> str:
    if category and category not in OPINION_CATEGORIES:
        raise InvalidInput(_("Choose the category from those of §7.3.1."), field="category")
    return category


@transaction.atomic
def record_opinion(
    *,
    actor: Actor,
    forum: Forum | int,
    text: str,
    category: str = "",
    raised_by: ForumParticipant | int | None = None,
    answer: str = "",
) -> ForumOpinion:
    """An opinion as it was said, under the next position of the forum's opinions."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    speaker = None
    if raised_by is not None:
        pk = raised_by.pk if isinstance(raised_by, ForumParticipant) else raised_by
        speaker = ForumParticipant.objects.filter(forum=record, pk=pk).first()
        if speaker is None:
            raise InvalidInput(_("Choose one of the forum's participants."), field="raised_by")
    last = record.opinions.aggregate(last=Max("position"))["last"] or 0
    opinion = ForumOpinion(
        forum=record,
        position=last + 1,
        category=_category(category),
        text=_line(text, "text", _("opinion"), limit=MAX_TEXT),
        raised_by=speaker,
        answer=_line(answer, "answer", _("answer"), required=False, limit=MAX_TEXT),
    )
    stamp(opinion, actor)
    opinion.save()
    return opinion


def _opinion(record: Forum, opinion: ForumOpinion | int) -> ForumOpinion:
    pk = opinion.pk if isinstance(opinion, ForumOpinion) else opinion
    found = ForumOpinion.objects.filter(forum=record, pk=pk).first()
    if found is None:
        raise NotFound(_("Not found, or not yours to see."), field="opinion")
    return found


@transaction.atomic
def answer_opinion(
    *, actor: Actor, forum: Forum | int, opinion: ForumOpinion | int, based_on: int | None, answer: str
) -> ForumOpinion:
    """The company's answer to an opinion; a save based on an older version is a 409."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    row = _opinion(record, opinion)
    text = _line(answer, "answer", _("answer"), limit=MAX_TEXT)
    take_edit(row, based_on, current={"answer": row.answer}, fields=["answer"])
    row.answer = text
    stamp(row, actor)
    row.save(update_fields=["answer", EDIT_VERSION])
    return row


@transaction.atomic
def add_follow_up(
    *,
    actor: Actor,
    forum: Forum | int,
    opinion: ForumOpinion | int,
    description: str,
    owner: Staff | int,
    due_date: date,
) -> ForumFollowUp:
    """What is to be done about an opinion, by whom (a colleague the organiser sees) and by when
    (today at the earliest, by the company's clock)."""
    record = _locked(actor, forum)
    _organiser(actor, record)
    row = _opinion(record, opinion)
    text = _line(description, "description", _("what to do"), limit=MAX_TEXT)
    pk = owner.pk if isinstance(owner, Staff) else owner
    person = colleagues(actor).filter(pk=pk).first() if pk else None
    if person is None:
        raise InvalidInput(_("Choose a colleague to own the follow-up."), field="owner")
    if not isinstance(due_date, date):
        raise InvalidInput(_("Enter the due date."), field="due_date")
    if due_date < company_today():
        raise InvalidInput(_("The due date cannot be in the past."), field="due_date")
    follow_up = ForumFollowUp(opinion=row, description=text, owner=person, due_date=due_date)
    stamp(follow_up, actor)
    follow_up.save()
    return follow_up


@transaction.atomic
def finish_follow_up(
    *, actor: Actor, forum: Forum | int, follow_up: ForumFollowUp | int, result: str
) -> ForumFollowUp:
    """The owner or an organiser records what was done; once (a second time is 409)."""
    record = _locked(actor, forum)
    pk = follow_up.pk if isinstance(follow_up, ForumFollowUp) else follow_up
    row = ForumFollowUp.objects.filter(opinion__forum=record, pk=pk).first()
    if row is None:
        raise NotFound(_("Not found, or not yours to see."), field="follow_up")
    if not may_finish(actor, record, row):
        raise NotAllowed(_("The follow-up's owner or the forum's organisers record its result."))
    if row.done_at is not None:
        raise AlreadyHandled(
            _("%(person)s already recorded this follow-up as done.") % {"person": row.done_by_name}
        )
    row.result = _line(result, "result", _("result"), limit=MAX_TEXT)
    row.done_at = now()
    row.done_by_name = name_of(actor)
    stamp(row, actor)
    row.save(update_fields=["result", "done_at", "done_by_name"])
    return row
