"""The owners' forum pages (SPEC S-6, §7.3.4): the list, a new forum, and a forum's page with
its participants, opinions, answers and follow-ups.

Each step on a forum posts to its own URL (``core.web.form_step_view``): the forum is looked up
in the user's scope first (404 outside it), the step's one service is called, and a refusal
shows the page again, with the message next to its field and everything typed kept. A step on
an opinion or a follow-up names it in a hidden field (URLs take only the forum's ``pk``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.clock import company_today
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.surveys import forum_selectors as selectors
from estatedesk.surveys.forms_forums import (
    AnswerForm,
    FinishForm,
    FollowUpForm,
    ForumCreateForm,
    ForumEditForm,
    OpinionForm,
    ParticipantForm,
    RemoveParticipantForm,
)
from estatedesk.surveys.forum_display import who
from estatedesk.surveys.models import Forum
from estatedesk.surveys.services import forums as services

PAGE_SIZE = 50


@require_GET
@company_time
def forum_list(request: HttpRequest) -> HttpResponse:
    params = Params(request.GET)
    year = params.id("year")
    rows = selectors.forum_rows(request.user, year=year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    years = sorted(set(selectors.forum_rows(request.user).values_list("year", flat=True)), reverse=True)
    return render(
        request,
        "surveys/forums/list.html",
        {
            "page": page,
            "year": year,
            "years": years,
            "querystring": f"year={year}" if year else "",
            "can_create": services.may_organise(request.user),
        },
    )


def _create_page(request: HttpRequest, form: ForumCreateForm, status: int = 200) -> HttpResponse:
    return render(request, "surveys/forums/create.html", {"form": form}, status=status)


# Written out rather than a FormStep: it makes a new record (no record to load first).
@company_time
def forum_create(request: HttpRequest) -> HttpResponse:
    if not services.may_organise(request.user):
        return render(
            request,
            "surveys/pages/not_allowed.html",
            {
                "message": _(
                    "The customer-service supervisor, the leadership and the heads of the estate's "
                    "management office organise owners' forums."
                )
            },
            status=403,
        )
    if request.method != "POST":
        today = company_today()
        initial = {"held_on": today, "title": _("%(year)d year-end owners' forum") % {"year": today.year}}
        return _create_page(request, ForumCreateForm(initial=initial, user=request.user))
    form = ForumCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        return _create_page(request, form, 422)
    data = form.cleaned_data
    try:
        forum = services.create_forum(
            actor=request.user,
            title=data["title"],
            estates=list(data["estates"]),
            held_on=data["held_on"],
            place=data["place"],
            chaired_by=data["chaired_by"],
            summary=data["summary"] or "",
        )
    except ServiceError as error:
        put_error(form, error)
        return _create_page(request, form, error.status)
    messages.success(
        request, _("Forum %(number)s recorded. Add its participants and opinions.") % {"number": forum.number}
    )
    return redirect("surveys:forum_detail", forum.pk)


# --- The forum's page --------------------------------------------------------------------------


def _forum(request: HttpRequest, pk: int) -> Forum:
    forum = selectors.get_forum(request.user, pk)
    if forum is None:
        raise Http404
    return forum


def _speakers(participants: list[Any], names: bool, several: bool) -> list[tuple[int, str]]:
    return [
        (p.pk, f"{w.kind_label} · {w.text}")
        for p, w in ((p, who(p, names=names, several_estates=several)) for p in participants)
    ]


def render_detail(
    request: HttpRequest, forum: Forum, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    names = policy.can_see_contact_names(user)
    estates = list(forum.estates.order_by("code"))
    several = len(estates) > 1
    participants = selectors.participants_of(forum)
    opinions = selectors.opinions_of(forum)
    today = company_today()
    organiser = services.may_organise(user, forum)
    me = policy.staff_of(user)
    failed_at = failed.get("at")
    for opinion in opinions:
        speaker = who(opinion.raised_by, names=names, several_estates=several) if opinion.raised_by else None
        opinion.who = speaker  # type: ignore[attr-defined]
        mine = failed_at == ("opinion", opinion.pk)
        opinion.answer_form = (failed.get("answer") if mine else None) or AnswerForm(  # type: ignore[attr-defined]
            initial={"opinion": opinion.pk, "answer": opinion.answer, **version_initial(opinion)},
            user=user,
            auto_id=f"id_answer{opinion.pk}_%s",
        )
        opinion.follow_up_form = (failed.get("follow_up") if mine else None) or FollowUpForm(  # type: ignore[attr-defined]
            initial={"opinion": opinion.pk}, user=user, auto_id=f"id_follow{opinion.pk}_%s"
        )
        shown = next((name for name in ("answer", "follow_up") if mine and name in failed), "")
        opinion.open_form = shown  # type: ignore[attr-defined]
        for f in opinion.follow_ups.all():
            f.overdue_days = selectors.days_overdue(f, today)  # type: ignore[attr-defined]
            f.may_finish = f.done_at is None and (organiser or (me is not None and me.pk == f.owner_id))  # type: ignore[attr-defined]
            finish = failed.get("finish") if failed_at == ("follow_up", f.pk) else None
            f.finish_form = finish or FinishForm(  # type: ignore[attr-defined]
                initial={"follow_up": f.pk}, user=user, auto_id=f"id_finish{f.pk}_%s"
            )
    edit_initial = {
        "title": forum.title,
        "held_on": forum.held_on,
        "place": forum.place,
        "chaired_by": forum.chaired_by_id,
        "summary": forum.summary,
        **version_initial(forum),
    }
    context = {
        "forum": forum,
        "estates": estates,
        "participants": [(p, who(p, names=names, several_estates=several)) for p in participants],
        "opinions": opinions,
        "organiser": organiser,
        "open_step": failed.get("name", ""),
        "edit_form": failed.get("edit")
        or ForumEditForm(initial=edit_initial, user=user, auto_id="id_edit_%s"),
        "participant_form": failed.get("participant")
        or ParticipantForm(forum=forum, user=user, auto_id="id_participant_%s"),
        "opinion_form": failed.get("opinion")
        or OpinionForm(speakers=_speakers(participants, names, several), user=user, auto_id="id_opinion_%s"),
        "remove_error": failed.get("remove"),
        "general": pgettext("forum", "General"),
    }
    return render(request, "surveys/forums/detail.html", context, status=status)


@company_time
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _forum(request, pk))


def _load(request: HttpRequest, pk: int) -> Forum:
    return _forum(request, pk)


def _back(forum: Forum) -> str:
    return reverse("surveys:forum_detail", args=[forum.pk])


def _anchor(forum: Forum, name: str) -> str:
    return f"{_back(forum)}#{name}"


def _step(name: str, build: Any, run: Any, at: Any = None, anchor: str = "") -> Any:
    def show(request: HttpRequest, forum: Forum, form: Any, status: int) -> HttpResponse:
        failed: dict[str, Any] = {name: form, "name": name}
        if at is not None:
            failed["at"] = at(form)
        return render_detail(request, forum, failed=failed, status=status)

    def back(forum: Forum) -> str:
        return _anchor(forum, anchor) if anchor else _back(forum)

    return form_step_view(
        FormStep(load=_load, form=build, run=run, render=show, back=back, name=f"forum_{name}")
    )


def _hidden(form: Any, field: str) -> int | None:
    value = form.data.get(form.add_prefix(field))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Steps ----------------------------------------------------------------------------------------


def _run_edit(request: HttpRequest, forum: Forum, form: ForumEditForm) -> str:
    data = form.cleaned_data
    services.edit_forum(
        actor=request.user,
        forum=forum.pk,
        based_on=data["based_on_version"],
        title=data["title"],
        held_on=data["held_on"],
        place=data["place"],
        chaired_by=data["chaired_by"],
        summary=data["summary"] or "",
    )
    return _("Forum saved.")


def _run_participant(request: HttpRequest, forum: Forum, form: ParticipantForm) -> str:
    data = form.cleaned_data
    services.add_participant(
        actor=request.user,
        forum=forum.pk,
        kind=data["kind"],
        unit=data["unit"],
        committee_member=data["committee_member"],
        staff=data["staff"],
        name=data["name"],
    )
    return _("Participant added.")


def _run_remove(request: HttpRequest, forum: Forum, form: RemoveParticipantForm) -> str:
    services.remove_participant(
        actor=request.user, forum=forum.pk, participant=form.cleaned_data["participant"]
    )
    return _("Participant removed.")


def _run_opinion(request: HttpRequest, forum: Forum, form: OpinionForm) -> str:
    data = form.cleaned_data
    opinion = services.record_opinion(
        actor=request.user,
        forum=forum.pk,
        text=data["text"],
        category=data["category"],
        raised_by=data["raised_by"],
        answer=data["answer"] or "",
    )
    return _("Opinion %(position)d recorded.") % {"position": opinion.position}


def _run_answer(request: HttpRequest, forum: Forum, form: AnswerForm) -> str:
    data = form.cleaned_data
    services.answer_opinion(
        actor=request.user,
        forum=forum.pk,
        opinion=data["opinion"],
        based_on=data["based_on_version"],
        answer=data["answer"],
    )
    return _("Answer saved.")


def _run_follow_up(request: HttpRequest, forum: Forum, form: FollowUpForm) -> str:
    data = form.cleaned_data
    services.add_follow_up(
        actor=request.user,
        forum=forum.pk,
        opinion=data["opinion"],
        description=data["description"],
        owner=data["owner"],
        due_date=data["due_date"],
    )
    return _("Follow-up added.")


def _run_finish(request: HttpRequest, forum: Forum, form: FinishForm) -> str:
    data = form.cleaned_data
    services.finish_follow_up(
        actor=request.user, forum=forum.pk, follow_up=data["follow_up"], result=data["result"]
    )
    return _("Follow-up recorded as done.")


def _participant_form(request: HttpRequest, forum: Forum, data: Any) -> ParticipantForm:
    return ParticipantForm(data, forum=forum, user=request.user, auto_id="id_participant_%s")


def _opinion_form(request: HttpRequest, forum: Forum, data: Any) -> OpinionForm:
    names = policy.can_see_contact_names(request.user)
    several = forum.estates.count() > 1
    speakers = _speakers(selectors.participants_of(forum), names, several)
    return OpinionForm(data, speakers=speakers, user=request.user, auto_id="id_opinion_%s")


def _simple(form_class: type, prefix: str) -> Any:
    def build(request: HttpRequest, forum: Forum, data: Any) -> Any:
        return form_class(data, user=request.user, auto_id=f"id_{prefix}_%s")

    return build


def _answer_form(request: HttpRequest, forum: Forum, data: Any) -> AnswerForm:
    pk = _hidden(AnswerForm(data), "opinion")
    return AnswerForm(data, user=request.user, auto_id=f"id_answer{pk}_%s")


def _follow_up_form(request: HttpRequest, forum: Forum, data: Any) -> FollowUpForm:
    pk = _hidden(FollowUpForm(data), "opinion")
    return FollowUpForm(data, user=request.user, auto_id=f"id_follow{pk}_%s")


def _finish_form(request: HttpRequest, forum: Forum, data: Any) -> FinishForm:
    pk = _hidden(FinishForm(data), "follow_up")
    return FinishForm(data, user=request.user, auto_id=f"id_finish{pk}_%s")


forum_edit = _step("edit", _simple(ForumEditForm, "edit"), _run_edit)
forum_participant_add = _step("participant", _participant_form, _run_participant, anchor="participants")
forum_participant_remove = _step(
    "remove", _simple(RemoveParticipantForm, "remove"), _run_remove, anchor="participants"
)
forum_opinion_add = _step("opinion", _opinion_form, _run_opinion, anchor="opinions")
forum_answer = _step(
    "answer",
    _answer_form,
    _run_answer,
    at=lambda form: ("opinion", _hidden(form, "opinion")),
    anchor="opinions",
)
forum_follow_up_add = _step(
    "follow_up",
    _follow_up_form,
    _run_follow_up,
    at=lambda form: ("opinion", _hidden(form, "opinion")),
    anchor="opinions",
)
forum_follow_up_done = _step(
    "finish",
    _finish_form,
    _run_finish,
    at=lambda form: ("follow_up", _hidden(form, "follow_up")),
    anchor="opinions",
)
