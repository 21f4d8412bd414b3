"""The owners' forums over the API (SPEC A-2, S-6), with the permissions of the pages.

Reads come from ``forum_selectors`` (a forum of none of the user's estates is a 404, like a
missing one); participants' names are masked as on the page (``forum_display``). Every write
is one call of one service of ``services.forums``, whose refusals become the API's error
format (``output.service_errors``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Query, Router, Status

from estatedesk.core import policy
from estatedesk.core.api import READ_ERRORS, WRITE_ERRORS, Id, Paging, current_user, paginate, responses
from estatedesk.core.clock import company_today, company_zone
from estatedesk.surveys import forum_selectors as selectors
from estatedesk.surveys.api.forum_schemas import (
    AnswerIn,
    DoneIn,
    FollowUpIn,
    FollowUpOut,
    ForumFilters,
    ForumIn,
    ForumOut,
    ForumPage,
    OpinionIn,
    OpinionOut,
    ParticipantIn,
    ParticipantOut,
)
from estatedesk.surveys.api.output import not_found, service_errors
from estatedesk.surveys.forum_display import who
from estatedesk.surveys.models import Forum, ForumFollowUp
from estatedesk.surveys.services import forums as services

router = Router(tags=["forums"])


def _forum(request: HttpRequest, pk: int) -> Forum:
    forum = selectors.get_forum(current_user(request), pk)
    if forum is None:
        raise not_found()
    return forum


def _estates(forum: Forum) -> list[dict[str, Any]]:
    return [{"id": e.pk, "name": e.name} for e in sorted(forum.estates.all(), key=lambda e: e.code)]


def _follow_up(f: ForumFollowUp, today: Any) -> dict[str, Any]:
    days = selectors.days_overdue(f, today)
    return {
        "id": f.pk,
        "opinion": f.opinion_id,
        "description": f.description,
        "owner": f.owner_id,
        "owner_name": f.owner.display_name,
        "due_date": f.due_date,
        "done": f.done_at is not None,
        "done_at": f.done_at.astimezone(company_zone()) if f.done_at else None,
        "done_by": f.done_by_name,
        "result": f.result,
        "overdue": days > 0,
        "days_overdue": days,
    }


def forum_detail(forum: Forum, user: Any) -> dict[str, Any]:
    names = policy.can_see_contact_names(user)
    estates = _estates(forum)
    several = len(estates) > 1
    today = company_today()
    participants = []
    for p in selectors.participants_of(forum):
        w = who(p, names=names, several_estates=several)
        participants.append(
            {
                "id": p.pk,
                "kind": p.kind,
                "kind_label": w.kind_label,
                "unit": p.unit_id,
                "committee_member": p.committee_member_id,
                "staff": p.staff_id,
                "place": w.place,
                "name": w.name,
            }
        )
    general = pgettext("forum", "General")
    opinions = [
        {
            "id": o.pk,
            "position": o.position,
            "category": o.category,
            "category_label": str(o.get_category_display()) if o.category else general,
            "text": o.text,
            "raised_by": o.raised_by_id,
            "answer": o.answer,
            "version": o.edit_version,
            "follow_ups": [_follow_up(f, today) for f in o.follow_ups.all()],
        }
        for o in selectors.opinions_of(forum)
    ]
    return {
        "id": forum.pk,
        "number": forum.number,
        "title": forum.title,
        "year": forum.year,
        "held_on": forum.held_on,
        "place": forum.place,
        "chaired_by": forum.chaired_by_id,
        "chaired_by_name": forum.chaired_by.display_name if forum.chaired_by else "",
        "summary": forum.summary,
        "version": forum.edit_version,
        "estates": estates,
        "participants": participants,
        "opinions": opinions,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = current_user(request)
    return forum_detail(_forum(request, pk), user)


@router.get("/forums", response=responses(200, ForumPage, *READ_ERRORS))
def list_forums(request: HttpRequest, filters: Query[ForumFilters], paging: Query[Paging]) -> Any:
    """The forums of your estates (all of them for the customer-service supervisor and the
    leadership), newest first, with their open and overdue follow-ups."""
    page = paginate(selectors.forum_rows(current_user(request), year=filters.year), paging)
    page["items"] = [
        {
            "id": f.pk,
            "number": f.number,
            "title": f.title,
            "year": f.year,
            "held_on": f.held_on,
            "place": f.place,
            "estates": _estates(f),
            "opinions": f.opinion_count,
            "open_follow_ups": f.open_count,
            "overdue_follow_ups": f.overdue_count,
        }
        for f in page["items"]
    ]
    return page


@router.get("/forums/{int:forum_id}", response=responses(200, ForumOut, *READ_ERRORS, 404))
def get_forum(request: HttpRequest, forum_id: Id) -> Any:
    """The forum, its participants (names masked as on the page), its opinions with the
    company's answers and their follow-ups, each flagged when overdue."""
    return _detail(request, forum_id)


@router.post("/forums", response=responses(201, ForumOut, *WRITE_ERRORS))
def create_forum(request: HttpRequest, payload: ForumIn) -> Any:
    """Record a forum of estates you organise (the customer-service supervisor, the deputy GM,
    the GM; a head of the estate's management office for its estates)."""
    user = current_user(request)
    with service_errors([*type(payload).model_fields]):
        forum = services.create_forum(
            actor=user,
            title=payload.title,
            estates=payload.estates,
            held_on=payload.held_on,
            place=payload.place,
            chaired_by=payload.chaired_by,
            summary=payload.summary,
        )
    return Status(201, forum_detail(forum, user))


@router.post(
    "/forums/{int:forum_id}/participants", response=responses(201, ParticipantOut, *WRITE_ERRORS, 404)
)
def add_participant(request: HttpRequest, forum_id: Id, payload: ParticipantIn) -> Any:
    """An owner by unit, a committee member, a colleague or someone else by name."""
    user = current_user(request)
    forum = _forum(request, forum_id)
    with service_errors([*type(payload).model_fields]):
        row = services.add_participant(
            actor=user,
            forum=forum.pk,
            kind=payload.kind,
            unit=payload.unit,
            committee_member=payload.committee_member,
            staff=payload.staff,
            name=payload.name,
        )
    found = next(p for p in forum_detail(forum, user)["participants"] if p["id"] == row.pk)
    return Status(201, found)


@router.post("/forums/{int:forum_id}/opinions", response=responses(201, OpinionOut, *WRITE_ERRORS, 404))
def record_opinion(request: HttpRequest, forum_id: Id, payload: OpinionIn) -> Any:
    """An opinion as it was said: category (§7.3.1), text, who raised it, the answer if given."""
    user = current_user(request)
    forum = _forum(request, forum_id)
    with service_errors([*type(payload).model_fields]):
        opinion = services.record_opinion(
            actor=user,
            forum=forum.pk,
            text=payload.text,
            category=payload.category,
            raised_by=payload.raised_by,
            answer=payload.answer,
        )
    return Status(201, _opinion(forum, user, opinion.pk))


def _opinion(forum: Forum, user: Any, pk: int) -> dict[str, Any]:
    for row in forum_detail(forum, user)["opinions"]:
        if row["id"] == pk:
            return dict(row)
    raise not_found()


@router.patch(
    "/forums/{int:forum_id}/opinions/{int:opinion_id}",
    response=responses(200, OpinionOut, *WRITE_ERRORS, 404),
)
def answer_opinion(request: HttpRequest, forum_id: Id, opinion_id: Id, payload: AnswerIn) -> Any:
    """The company's answer. Send the opinion's `version`: someone's answer since is 409 `stale_edit`."""
    user = current_user(request)
    forum = _forum(request, forum_id)
    with service_errors(["answer", "version"]):
        services.answer_opinion(
            actor=user, forum=forum.pk, opinion=opinion_id, based_on=payload.version, answer=payload.answer
        )
    return _opinion(forum, user, opinion_id)


@router.post(
    "/forums/{int:forum_id}/opinions/{int:opinion_id}/follow-ups",
    response=responses(201, FollowUpOut, *WRITE_ERRORS, 404),
)
def add_follow_up(request: HttpRequest, forum_id: Id, opinion_id: Id, payload: FollowUpIn) -> Any:
    """What is to be done about the opinion, by whom and by when (today at the earliest)."""
    user = current_user(request)
    forum = _forum(request, forum_id)
    with service_errors([*type(payload).model_fields]):
        row = services.add_follow_up(
            actor=user,
            forum=forum.pk,
            opinion=opinion_id,
            description=payload.description,
            owner=payload.owner,
            due_date=payload.due_date,
        )
    return Status(
        201, _follow_up(ForumFollowUp.objects.select_related("owner").get(pk=row.pk), company_today())
    )


@router.post(
    "/forums/{int:forum_id}/follow-ups/{int:follow_up_id}/done",
    response=responses(200, FollowUpOut, *WRITE_ERRORS, 404),
)
def finish_follow_up(request: HttpRequest, forum_id: Id, follow_up_id: Id, payload: DoneIn) -> Any:
    """Record the follow-up as done with its result: its owner or the forum's organisers; once (409)."""
    user = current_user(request)
    forum = _forum(request, forum_id)
    with service_errors(["result"]):
        row = services.finish_follow_up(
            actor=user, forum=forum.pk, follow_up=follow_up_id, result=payload.result
        )
    return _follow_up(ForumFollowUp.objects.select_related("owner").get(pk=row.pk), company_today())
