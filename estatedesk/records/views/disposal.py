"""Disposal runs (SPEC D-2): the list, a run's record, start (or preview), the archive.

- The list: every run, newest first, with who started it, its status, its counts and its
  archive (name, size, SHA-256).
- Start: a dry run runs here, in the request (it only counts and lists samples), and shows
  the run; the real run is queued for the worker (``records.tasks.dispose_task``) after a
  confirmation page, and appears in the list when it starts.
- A run's page: per record type the cut-off and what was listed, held, archived, disposed of
  and kept; a dry run's sample labels; the ledger of the run's records, paged; and, on request,
  a check of the archive's checksums (``records.archive.verify``).
- The archive: administrators download it (auditors see its checksum, not its contents:
  it holds the personal data that was disposed of); every download is in the export log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.exportlog import record_export
from estatedesk.core.params import Params
from estatedesk.core.web import company_time
from estatedesk.records import archive, disposal, registry, tasks
from estatedesk.records.forms import RunForm
from estatedesk.records.models import DisposalEntry, DisposalRun, RunStatus, RunTrigger
from estatedesk.records.views.access import require_admin, who

RUN_PAGE = 50
LEDGER_PAGE = 100
COUNTS = ("listed", "held", "archived", "disposed", "kept")
# The name the export log knows the download by.
ARCHIVE_EXPORT = "disposal-archive"


def _totals(run: DisposalRun) -> dict[str, int]:
    totals = dict.fromkeys(COUNTS, 0)
    for figures in (run.counts or {}).values():
        if isinstance(figures, dict):
            for name in COUNTS:
                value = figures.get(name)
                totals[name] += value if isinstance(value, int) else 0
    return totals


def _run_row(run: DisposalRun) -> dict[str, Any]:
    return {"run": run, "by": who(run.started_by), "totals": _totals(run)}


def _runs() -> Any:
    return DisposalRun.objects.select_related("started_by__staff")


@company_time
def run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_runs().order_by("-started_at", "-id"), RUN_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/runs.html",
        {
            "rows": [_run_row(run) for run in page],
            "page": page,
            "querystring": "",
            "can_edit": policy.is_admin(request.user),
            "running": DisposalRun.objects.filter(
                status__in=[RunStatus.ARCHIVING, RunStatus.ARCHIVED]
            ).exists(),
        },
    )


@company_time
def run_start(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    if request.method != "POST":
        return render(request, "records/run_start.html", {"form": RunForm()})
    form = RunForm(request.POST)
    if not form.is_valid():
        return render(request, "records/run_start.html", {"form": form}, status=422)
    if form.cleaned_data["mode"] == "preview":
        run = disposal.dispose_past_retention(actor=request.user, trigger=RunTrigger.BUTTON, dry_run=True)
        messages.success(
            request, _("Dry run %(number)s: nothing was archived or disposed of.") % {"number": run}
        )
        return redirect(reverse("records:run_detail", kwargs={"pk": run.pk}))
    tasks.dispose_task(request.user.pk, False)
    messages.success(
        request,
        _(
            "The disposal run is queued. It appears in the list below when the worker starts it; "
            "reload the page to follow it."
        ),
    )
    return redirect(reverse("records:run_list"))


def _type_rows(run: DisposalRun) -> list[dict[str, Any]]:
    """Per record type, in the retention table's order (types no longer registered last)."""
    counts = {key: figures for key, figures in (run.counts or {}).items() if isinstance(figures, dict)}
    order = [kind.key for kind in registry.record_types() if kind.key in counts]
    order += sorted(key for key in counts if key not in order)
    rows = []
    for key in order:
        figures = counts[key]
        kind = registry.record_type(key)
        samples = figures.get("samples")
        rows.append(
            {
                "key": key,
                "label": str(kind.label) if kind is not None else key,
                "cutoff": _instant(figures.get("cutoff")),
                "months": figures.get("months"),
                **{name: figures.get(name, 0) for name in COUNTS},
                "samples": [str(s) for s in samples] if isinstance(samples, list) else [],
            }
        )
    return rows


def _instant(value: object) -> datetime | None:
    """The run's stored cut-off (ISO text) as an aware instant; None when missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@company_time
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _runs().filter(pk=pk).first()
    if run is None:
        raise Http404
    entries = Paginator(DisposalEntry.objects.filter(run=run).order_by("id"), LEDGER_PAGE).get_page(
        request.GET.get("page")
    )
    path = disposal.archive_path(run) if run.archive_name else None
    present = path is not None and path.is_file()
    problems: list[str] | None = None
    if present and path is not None and Params(request.GET).flag("check"):
        problems = archive.verify(path)
    return render(
        request,
        "records/run_detail.html",
        {
            "run": run,
            "by": who(run.started_by),
            "types": _type_rows(run),
            "totals": _totals(run),
            "entries": [(entry, _entry_label(entry)) for entry in entries],
            "page": entries,
            "querystring": "",
            "archive_present": present,
            "problems": problems,
            "can_download": policy.is_admin(request.user),
        },
    )


def _entry_label(entry: DisposalEntry) -> str:
    kind = registry.record_type(entry.record_type)
    return str(kind.label) if kind is not None else entry.record_type


def run_archive(request: HttpRequest, pk: int) -> FileResponse:
    require_admin(request)
    run = DisposalRun.objects.filter(pk=pk).first()
    if run is None or not run.archive_name:
        raise Http404
    path = disposal.archive_path(run)
    if not path.is_file():
        raise Http404(_("The archive file is no longer in the archive folder."))
    record_export(request, list_name=ARCHIVE_EXPORT, filters={"run": run.number}, row_count=None)
    return FileResponse(path.open("rb"), as_attachment=True, filename=run.archive_name)
