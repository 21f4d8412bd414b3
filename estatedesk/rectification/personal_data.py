"""What rectification holds about a person, for their copy and their erasure (SPEC D-3).

The person's copy: the rectification items of their units — where, what, how far, the
rounds, their acceptance (when, how, the name signed) or their objection.

Erasure (decision 0048):

- an item still open is kept whole: it is still being rectified for them, and its objection
  says what is still wrong;
- on a finished item (accepted or cancelled) their names and phone numbers go from every
  text, history rows and timeline included, and so does their objection (their own words,
  which served their purpose when the next round was done);
- the signed acceptance — the name signed, the signature drawn on the phone, the scan of the
  signed sheet — is the evidence that the resident accepted the work (§7.5.4). It is kept
  while its rectification record is within retention (until the date that record is disposed
  of) and erased with the rest once the record is past it.
"""

from __future__ import annotations

from datetime import date, datetime
from re import Pattern

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from estatedesk.core.clock import company_zone
from estatedesk.records import periods, retention
from estatedesk.records.registry import Text
from estatedesk.records.subjects import Erasure, Kept, Section, Source, Subject, register_source
from estatedesk.records.toolkit import ERASED, patterns, scrub_queryset, unlink_after_commit
from estatedesk.rectification.models import Item, ItemEvent, ItemEventKind, ItemPhoto, PhotoStage, Report
from estatedesk.rectification.retention import KEY, finished_at, open_items
from estatedesk.rectification.workflow import OPEN_STATUSES


def _when(value: datetime | None) -> str:
    return date_format(value.astimezone(company_zone()), "DATETIME_FORMAT") if value else ""


def _day(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _items(subject: Subject) -> QuerySet[Item]:
    return Item.objects.filter(unit_id__in=subject.unit_ids)


def collect(subject: Subject) -> list[Section]:
    section = Section(title=_("Rectification items of your units"))
    items = _items(subject).select_related("report", "unit__building").order_by("reported_at", "id")
    for item in items:
        unit = item.unit
        entry: list[tuple[Text, str]] = [
            (_("Number"), item.number),
            (_("Report"), f"{item.report.number} {item.report.title}"),
            (_("Unit"), f"{unit.building.name} {unit.number}" if unit else ""),
            (_("Location"), item.location),
            (_("Description"), item.description),
            (_("Status"), str(item.get_status_display())),
            (_("Round"), str(item.round)),
            (_("Completion date"), _day(item.due_date)),
        ]
        if item.accepted_at:
            entry.append((_("Accepted at"), _when(item.accepted_at)))
            entry.append((_("Accepted by"), str(item.get_acceptance_method_display())))
            entry.append((_("Signed by"), item.signed_name))
        if item.objection:
            entry.append((_("Objection"), item.objection))
        section.entries.append(entry)
    return [section]


# --- Erasure -----------------------------------------------------------------------------------------------


def months() -> int:
    """The period in force (the administrator's rule, or the type's default)."""
    return retention.months_for(KEY)


def _kept_until(report_ids: set[int], now: datetime) -> dict[int, date | None]:
    """The reports still within retention: the last day each is kept (None: an item still open)."""
    period = months()
    cutoff = periods.cutoff(now, period, company_zone())
    until: dict[int, date | None] = {}
    reports = Report.objects.filter(pk__in=report_ids).annotate(finished_at=finished_at(), open=open_items())
    for pk, finished, still_open in reports.values_list("pk", "finished_at", "open"):
        if still_open:
            until[pk] = None
        elif finished >= cutoff:
            until[pk] = periods.kept_through(finished.astimezone(company_zone()).date(), period)
    return until


ITEM_TEXTS = ["location", "description", "measure", "reporter_name"]


def erase(subject: Subject, now: datetime) -> Erasure:
    pattern = patterns(subject.names, subject.phones)
    erasure = Erasure()
    items = _items(subject)
    for number in items.filter(status__in=OPEN_STATUSES).values_list("number", flat=True):
        erasure.kept.append(
            Kept(
                what=f"{_t('Rectification item')} {number}",
                why=_("Still being rectified: the item and the objection say what is still to do."),
            )
        )
    finished = list(items.exclude(status__in=OPEN_STATUSES).values_list("pk", "number", "report_id"))
    if not finished:
        return erasure
    ids = [pk for pk, _number, _report in finished]
    _erase_texts(ids, pattern)
    within = _kept_until({report for _pk, _number, report in finished}, now)
    acceptances = _acceptances(ids)
    evidence = [pk for pk, _number, report in finished if report in within and pk in acceptances]
    for pk, number, report in finished:
        if pk in evidence:
            erasure.kept.append(
                Kept(
                    what=f"{_t('Rectification item')} {number}: {_t('signed acceptance')}",
                    why=_(
                        "The evidence that the resident accepted the work (§7.5.4), kept with its "
                        "rectification record until that record is disposed of."
                    ),
                    until=within[report],
                )
            )
    _erase_acceptances([pk for pk in ids if pk not in evidence])
    erasure.erased += len(ids)
    return erasure


def _acceptances(ids: list[int]) -> set[int]:
    """The items with a signed acceptance: a name, a drawn signature or a scanned sheet."""
    signed = {
        pk
        for pk, name, signature in Item.objects.filter(pk__in=ids).values_list(
            "pk", "signed_name", "signature"
        )
        if name or signature
    }
    signed |= set(
        ItemPhoto.objects.filter(item_id__in=ids, stage=PhotoStage.ACCEPTANCE).values_list(
            "item_id", flat=True
        )
    )
    return signed


def _erase_texts(ids: list[int], pattern: Pattern[str] | None) -> None:
    for model in (Item, Item.history.model):
        rows = model.objects.filter(id__in=ids)
        rows.exclude(objection="").update(objection=ERASED)
        scrub_queryset(rows, ITEM_TEXTS, pattern)
    events = ItemEvent.objects.filter(item_id__in=ids)
    events.filter(kind=ItemEventKind.OBJECTED).exclude(note="").update(note=ERASED)
    scrub_queryset(events, ["note", "actor_name"], pattern)
    scrub_queryset(ItemPhoto.objects.filter(item_id__in=ids), ["name", "uploaded_by_name"], pattern)


def _erase_acceptances(ids: list[int]) -> None:
    if not ids:
        return
    stored = [name for name in Item.objects.filter(pk__in=ids).values_list("signature", flat=True) if name]
    scans = ItemPhoto.objects.filter(item_id__in=ids, stage=PhotoStage.ACCEPTANCE)
    stored += scans.values_list("file", flat=True)
    scans.delete()
    for model in (Item, Item.history.model):
        model.objects.filter(id__in=ids).update(signed_name="", signature="")
    unlink_after_commit(stored)


SOURCE = Source(
    key="rectification",
    label=_("Rectification"),
    collect=collect,
    erase=erase,
    order=70,
)


def register() -> None:
    register_source(SOURCE)
