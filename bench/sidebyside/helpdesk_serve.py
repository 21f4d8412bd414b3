"""The peer's side of ``bench/vs_helpdesk.py``: fill a django-helpdesk site, or serve it.

Run by the interpreter of the throw-away virtualenv into which the bench installed
django-helpdesk from the package index, with the project the bench wrote on PYTHONPATH:

    python helpdesk_serve.py fill --rows 100000   # migrate, then tickets in bulk
    python helpdesk_serve.py serve                # answer timing commands (wire.py)

Imports nothing of EstateDesk. Filling: five queues open to public submission, a staff user
who sees every queue and four more staff to assign to, N tickets over the past twelve months
(older ones resolved or closed, recent ones open, as on our side) each with the follow-up
django-helpdesk writes when a ticket is opened, and one recent open ticket with ten
follow-ups for the detail page. Rows are written with ``bulk_create`` in batches.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import wire

BATCH = 20_000
QUEUES = ["repairs", "cleaning", "security", "parking", "charges"]
FOLLOWUP_TEXTS = [
    "Called the resident; the plumber comes tomorrow morning.",
    "Plumber found a cracked drain pipe in the flat above.",
    "Owner above agreed to open the ceiling on Thursday.",
    "Pipe replaced; waiting for the ceiling to dry.",
    "Resident asks when the ceiling will be painted.",
    "Painter booked for Monday.",
    "Ceiling painted; photos attached to the job sheet.",
    "Resident confirms the leak has stopped.",
    "Follow-up call: resident satisfied.",
]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_site.settings")
    import django

    django.setup()


def fill(rows: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from helpdesk.models import FollowUp, Queue, Ticket

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    staff = users.create_user("staff", "staff@example.com", "x", is_staff=True)
    assignees = [staff] + [
        users.create_user(f"agent{i}", f"agent{i}@example.com", "x", is_staff=True) for i in range(4)
    ]
    queues = [
        Queue.objects.create(title=name.title(), slug=name, allow_public_submission=True) for name in QUEUES
    ]
    rng = random.Random(11)
    now = timezone.now()
    start = now - timedelta(days=365)
    step = (now - timedelta(hours=1) - start) / rows
    for first in range(0, rows, BATCH):
        tickets = []
        for i in range(first, min(first + BATCH, rows)):
            created = start + step * i
            recent = now - created < timedelta(days=14)
            status = rng.choice([1, 1, 2, 3, 4]) if recent else rng.choice([3, 4, 4, 4])
            tickets.append(
                Ticket(
                    title=f"Water leaking through the bathroom ceiling {i}",
                    queue=rng.choice(queues),
                    created=created,
                    modified=created + timedelta(days=1),
                    submitter_email=f"resident{rng.randrange(5000)}@example.com",
                    assigned_to=rng.choice(assignees),
                    status=status,
                    priority=rng.randint(1, 5),
                    description="The bathroom ceiling leaks, probably the drain of the flat above.",
                )
            )
        with transaction.atomic():
            made = Ticket.objects.bulk_create(tickets, batch_size=2000)
            if made[0].pk is None:  # backends that return no ids on bulk insert
                made = list(Ticket.objects.order_by("-pk")[: len(tickets)])
            FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        ticket=t, date=t.created, title="Ticket Opened", comment=t.description, public=True
                    )
                    for t in made
                ],
                batch_size=2000,
            )
    detail = Ticket.objects.filter(status=1).order_by("-created").first()
    assert detail is not None, "no open ticket"
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                ticket=detail,
                date=detail.created + timedelta(minutes=10 * (i + 1)),
                title="Comment",
                comment=text,
                public=i % 2 == 0,
                user=staff,
            )
            for i, text in enumerate(FOLLOWUP_TEXTS)
        ]
    )
    assert detail.followup_set.count() == 10
    return {"tickets": Ticket.objects.count(), "detail": detail.pk, "queue": detail.queue_id}


REPORTS = ["userstatus", "userpriority", "userqueue", "usermonth"]
REPORTS += ["queuemonth", "queuestatus", "queuepriority", "daysuntilticketclosedbymonth"]


class Peer:
    def __init__(self, info: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.info = info
        self.staff = Client(HTTP_HOST="127.0.0.1")
        self.staff.force_login(get_user_model().objects.get(username="staff"))
        self.public = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.7")
        self.report = "queuestatus"
        self.rows_url: str | None = None

    def describe(self) -> dict[str, Any]:
        import django
        from django.db import connection
        from helpdesk.models import Ticket

        return {
            "rows": Ticket.objects.count(),
            "vendor": connection.vendor,
            "django": django.get_version(),
            "memory_start": wire.current_memory_mib(),
        }

    def submit(self, n: int) -> dict[str, Any]:
        queue = self.info["queue"]

        def one(i: int) -> None:
            response = self.public.post(
                "/tickets/submit/",
                {
                    "queue": queue,
                    "title": f"Corridor light out {i}",
                    "body": "The corridor light on floor 12 has been out for three days.",
                    "submitter_email": f"resident{i % 5000}@example.com",
                    "priority": 3,
                },
            )
            assert response.status_code == 302, response.content[:400]

        return wire.rate(one, n)

    def list(self) -> dict[str, Any]:
        """The staff's ticket list, one queue's open tickets: the page, then the rows it asks for
        (its table loads them in a second request), 50 rows like our list."""
        url = f"/tickets/?queue={self.info['queue']}&status=1"
        if self.rows_url is None:
            page = self.staff.get(url).content.decode()
            match = re.search(r'"url": "([^"]*datatables_ticket_list/[^"]*)"', page)
            assert match, "the list page names its data request"
            self.rows_url = match.group(1) + "?draw=1&start=0&length=50"
        page = wire.timed(lambda: self.staff.get(url))
        rows = wire.timed(lambda: self.staff.get(self.rows_url))
        return {"ms": page["ms"] + rows["ms"], "queries": page["queries"] + rows["queries"]}

    def detail(self) -> dict[str, Any]:
        return wire.timed(lambda: self.staff.get(f"/tickets/{self.info['detail']}/"))

    def dashboard(self) -> dict[str, Any]:
        return wire.timed(lambda: self.staff.get("/dashboard/"))

    def probe_reports(self) -> dict[str, Any]:
        """Each report once; the cheapest is the one timed from then on."""
        times = {name: wire.timed(lambda n=name: self.staff.get(f"/reports/{n}/"))["ms"] for name in REPORTS}
        self.report = min(times, key=lambda name: times[name])
        return {"cheapest": self.report, "ms": times}

    def report_page(self) -> dict[str, Any]:
        return wire.timed(lambda: self.staff.get(f"/reports/{self.report}/"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["fill", "serve"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--info", type=Path, required=True)
    args = parser.parse_args()
    setup()
    if args.mode == "fill":
        info = fill(args.rows)
        args.info.write_text(json.dumps(info))
        print(json.dumps(info))
        return 0
    peer = Peer(json.loads(args.info.read_text()))
    wire.serve(
        {
            "describe": peer.describe,
            "submit": peer.submit,
            "list": peer.list,
            "detail": peer.detail,
            "dashboard": peer.dashboard,
            "probe_reports": peer.probe_reports,
            "report": peer.report_page,
            "memory": lambda: {"peak_mib": wire.peak_memory_mib()},
            "quit": lambda: None,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
