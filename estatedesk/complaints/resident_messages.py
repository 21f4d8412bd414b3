"""What residents are told by SMS (SPEC A-4, W-1): each message says what the status page says.

A resident who gave a phone number gets an SMS with the private link when their matter is
answered, when a dissatisfied follow-up reopens it, and when it is closed. The wording is not
chosen by the caller: it is read from the complaint's state at the moment the message is
queued (``wording``), the same state the status page shows (``portal.views.PLAIN_STATUS``),
so an SMS cannot say "answered" about a complaint that is being handled again (issue 12). Each
text carries the status page's own word for the state (已回复, 处理中, 已结案).
Queuing a new message withdraws the resident's messages about the same complaint that have
not gone out yet: an "answered" still waiting for the gateway must not arrive after the
"handled again" that replaced it.

Messages are written in the company's language (the resident chose no language we know of).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.complaints.models import Complaint, Status
from estatedesk.core.clock import company_zone, now
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.models import Channel
from estatedesk.notifications.services import notify, withdraw

# An SMS is short: the reply is quoted up to this many characters, the link leads to the rest.
REPLY_EXCERPT = 60


@dataclass(frozen=True)
class Wording:
    moment: str  # "replied", "reopened" or "closed": part of the message key
    subject: str
    body: str


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REPLY_EXCERPT else text[: REPLY_EXCERPT - 1] + "…"


def wording(c: Complaint) -> Wording | None:
    """The message for the complaint's state now, or None when there is nothing to tell.

    Call inside ``in_company_language()``."""
    names = {"kind": c.get_kind_display().lower(), "number": c.number}
    if c.status == Status.CLOSED:
        return Wording(
            "closed",
            _("%(number)s closed") % names,
            _("Your %(kind)s %(number)s is closed. Thank you for telling us.") % names,
        )
    if c.status == Status.REPLIED and c.reply:
        return Wording(
            "replied",
            _("Reply to %(number)s") % names,
            _("Your %(kind)s %(number)s is answered: %(reply)s") % {**names, "reply": _excerpt(c.reply)},
        )
    if c.reopen_count and c.replied_at is None:
        if c.reply_due is None:
            body = _("Your %(kind)s %(number)s is being handled again.") % names
        else:
            due = timezone.localtime(c.reply_due, company_zone()).strftime("%Y-%m-%d %H:%M")
            body = _("Your %(kind)s %(number)s is being handled again. We will answer by %(due)s.") % {
                **names,
                "due": due,
            }
        return Wording("reopened", _("%(number)s is being handled again") % names, body)
    return None


def key_prefix(c: Complaint) -> str:
    return f"{c.number}:resident:"


def tell_resident(c: Complaint) -> None:
    """Queue the SMS that tells the resident where their matter stands now (nothing without a
    phone number, or in a state with nothing to tell). Inside the caller's transaction."""
    if not c.contact_phone:
        return
    with in_company_language():
        said = wording(c)
        if said is None:
            return
        withdraw(key_prefix=key_prefix(c))
        notify(
            key=f"{key_prefix(c)}{said.moment}:{c.reopen_count}:{now().isoformat()}",
            channel=Channel.SMS,
            address=c.contact_phone,
            subject=said.subject,
            body=said.body,
            link=reverse("portal:status", args=[c.portal_token]),
        )
