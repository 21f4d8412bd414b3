"""The records pages (SPEC D-1, D-2, P-1): the retention table and its edit, legal holds, disposal runs.

Only administrators and auditors reach them; auditors read and are refused every write and the
archive's download. The record type the pages show is registered here, as an app registers its
own (``records.registry.register`` from its ``AppConfig.ready``), so that the pages can be read
whatever the apps of this checkout register.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estatedesk.core.models import ExportRecord
from estatedesk.org.models import Staff
from estatedesk.records.models import (
    DisposalEntry,
    DisposalRun,
    LegalHold,
    RetentionRule,
    RunStatus,
    RunTrigger,
)
from estatedesk.records.registry import ArchiveBatch, Disposal, RecordType
from tests.helpers import form_version, frozen_at, stale_comparison
from tests.test_i18n_pages import leftovers

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = "test_things"
LABELS = {7: "TS-2026-000007", 8: "TS-2026-000008"}


def _find(label: str) -> int | None:
    return next((pk for pk, known in LABELS.items() if known == label.strip()), None)


THINGS = RecordType(
    key=KEY,
    label=_("Complaints"),
    owner=_("Departments"),
    basis=_("Complaints"),
    disposal=Disposal.DELETE,
    past_retention=lambda cutoff: RetentionRule.objects.none(),
    archive=lambda ids: ArchiveBatch(records=[], csv_header=[], csv_rows=[]),
    dispose=lambda ids: 0,
    labels=lambda ids: {pk: LABELS[pk] for pk in ids if pk in LABELS},
    find=_find,
    default_months=24,
    order=0,
)


def _hold(world: Any, **extra: Any) -> LegalHold:
    return LegalHold.objects.create(
        record_type=KEY,
        record_id=7,
        record_label=LABELS[7],
        reason="业主起诉，法院审理中",
        placed_by=world.users["admin"],
        **extra,
    )


def _run(world: Any, archive_dir: Any, *, content: bytes = b"PK archive") -> DisposalRun:
    name = "DR-2026-000001.zip"
    (archive_dir / name).write_bytes(content)
    run = DisposalRun.objects.create(
        number="DR-2026-000001",
        trigger=RunTrigger.BUTTON,
        started_by=world.users["admin"],
        status=RunStatus.DONE,
        started_at=datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI),
        archived_at=datetime(2026, 12, 1, 2, 5, tzinfo=SHANGHAI),
        finished_at=datetime(2026, 12, 1, 2, 9, tzinfo=SHANGHAI),
        counts={
            KEY: {
                "listed": 3,
                "held": 1,
                "archived": 2,
                "disposed": 2,
                "kept": 0,
                "months": 24,
                "cutoff": "2024-12-01T00:00:00+08:00",
            }
        },
        archive_name=name,
        archive_sha256=hashlib.sha256(content).hexdigest(),
        archive_bytes=len(content),
    )
    for pk in (7, 8):
        DisposalEntry.objects.create(
            run=run,
            record_type=KEY,
            record_id=pk,
            record_label=LABELS[pk],
            disposed_at=datetime(2026, 12, 1, 2, 8, tzinfo=SHANGHAI),
        )
    return run


PAGES = ["records:retention", "records:hold_list", "records:run_list"]


def _urls(world: Any, archive_dir: Any) -> dict[str, str]:
    hold = _hold(world)
    run = _run(world, archive_dir)
    return {
        "records:retention": reverse("records:retention"),
        "records:retention_edit": reverse("records:retention_edit", kwargs={"key": KEY}),
        "records:hold_list": reverse("records:hold_list"),
        "records:hold_create": reverse("records:hold_create"),
        "records:hold_release": reverse("records:hold_release", kwargs={"pk": hold.pk}),
        "records:run_list": reverse("records:run_list"),
        "records:run_start": reverse("records:run_start"),
        "records:run_detail": reverse("records:run_detail", kwargs={"pk": run.pk}),
        "records:run_archive": reverse("records:run_archive", kwargs={"pk": run.pk}),
    }


READS = {"records:retention", "records:hold_list", "records:run_list", "records:run_detail"}
WRITES = {
    "records:retention_edit",
    "records:hold_create",
    "records:hold_release",
    "records:run_start",
    "records:run_archive",
}


# --- Who may open them ---------------------------------------------------------------------------


@pytest.mark.req("P-1")
@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
@pytest.mark.parametrize("persona", ["handler_a", "department_head", "colleague_a", "deputy_gm", "gm"])
def test_every_records_page_is_refused_to_other_staff(world, things, archive_dir, persona):
    client = world.client(persona)
    for name, url in _urls(world, archive_dir).items():
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"reason": "x", "mode": "preview"}).status_code == 403, name
    assert LegalHold.objects.filter(released_at__isnull=False).count() == 0
    assert DisposalRun.objects.count() == 1


@pytest.mark.req("P-1")
def test_records_pages_send_anonymous_visitors_to_sign_in(world, things, archive_dir):
    response = world.client("anonymous").get(reverse("records:retention"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.req("P-1")
@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_administrators_and_auditors_read_every_records_page(world, things, archive_dir, persona):
    client = world.client(persona)
    urls = _urls(world, archive_dir)
    for name in READS:
        assert client.get(urls[name]).status_code == 200, name


@pytest.mark.req("P-1")
@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
def test_auditors_are_refused_every_write_and_the_archive(world, things, archive_dir, monkeypatch):
    from estatedesk.records import tasks

    queued: list[Any] = []
    monkeypatch.setattr(tasks, "dispose_task", lambda *args: queued.append(args))
    client = world.client("auditor")
    urls = _urls(world, archive_dir)
    for name in WRITES:
        assert client.get(urls[name]).status_code == 403, name
    assert (
        client.post(urls["records:retention_edit"], {"months": 36, "based_on_version": 0}).status_code == 403
    )
    assert (
        client.post(
            urls["records:hold_create"], {"record_type": KEY, "label": LABELS[8], "reason": "审计"}
        ).status_code
        == 403
    )
    assert client.post(urls["records:hold_release"], {"reason": "审计"}).status_code == 403
    for mode in ("preview", "dispose"):
        assert client.post(urls["records:run_start"], {"mode": mode}).status_code == 403
    assert not RetentionRule.objects.exists()
    assert LegalHold.objects.filter(released_at__isnull=True).count() == 1
    assert DisposalRun.objects.count() == 1 and queued == []
    assert not ExportRecord.objects.exists()
    # What the auditor reads offers no write.
    page = client.get(urls["records:run_list"]).content.decode()
    assert 'id="dispose"' not in page and 'id="dry-run"' not in page
    assert (
        reverse("records:retention_edit", kwargs={"key": KEY})
        not in client.get(urls["records:retention"]).content.decode()
    )
    detail = client.get(urls["records:run_detail"]).content.decode()
    assert urls["records:run_archive"] not in detail


@pytest.mark.req("P-1")
def test_the_records_menu_is_shown_to_administrators_and_auditors_only(world):
    for persona in ("admin", "auditor"):
        page = world.client(persona).get(reverse("home")).content.decode()
        assert 'id="nav-records"' in page and reverse("records:request_list") in page, persona
    for persona in ("handler_a", "gm", "deputy_gm"):
        page = world.client(persona).get(reverse("home")).content.decode()
        assert 'id="nav-records"' not in page, persona


# --- In the users' languages ---------------------------------------------------------------------


def _in(client: Any, language: str) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_records_pages_show_no_english_in_chinese(world, things, archive_dir, language, persona):
    # The world's staff are named by their user names; people have Chinese names.
    Staff.objects.filter(user__in=[world.users["admin"], world.users["auditor"]]).update(
        display_name="陈志明"
    )
    urls = _urls(world, archive_dir)
    LegalHold.objects.create(
        record_type=KEY,
        record_id=8,
        record_label=LABELS[8],
        reason="投诉复核",
        placed_by=world.users["admin"],
        released_by=world.users["admin"],
        released_at=datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI),
        release_reason="已和解",
    )
    RetentionRule.objects.create(
        record_type=KEY, months=36, note="公司档案制度", updated_by=world.users["admin"]
    )
    client = _in(world.client(persona), language)
    names = READS if persona == "auditor" else READS | (WRITES - {"records:run_archive"})
    for name in sorted(names):
        response = client.get(urls[name])
        assert response.status_code == 200, name
        found = leftovers(response.content.decode())
        assert found == [], f"{name} ({language}): {found}"


@pytest.mark.req("D-1")
def test_the_retention_table_reads_in_english_too(world, things):
    with frozen_at(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)):
        page = _in(world.client("admin"), "en").get(reverse("records:retention")).content.decode()
    row = re.search(rf'<tr data-key="{KEY}">(.*?)</tr>', page, re.S)
    assert row is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    assert "24 months" in text and "2 years" in text
    assert "before Dec. 4, 2024" in text or "before December 4, 2024" in text
    assert "Default" in text


# --- The retention table (D-1) -------------------------------------------------------------------


@pytest.mark.req("D-1")
def test_the_table_shows_each_types_keeper_period_and_cutoff(world, things):
    with frozen_at(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)):
        page = _in(world.client("auditor"), "zh-hans").get(reverse("records:retention")).content.decode()
    row = re.search(rf'<tr data-key="{KEY}">(.*?)</tr>', page, re.S)
    assert row is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    assert "部门" in text  # the keeper
    assert "24 个月" in text or "24个月" in text
    assert "2 年" in text or "2年" in text
    assert "2024年12月4日" in text  # records whose period started before it are past retention


@pytest.mark.req("D-1")
def test_an_administrator_changes_a_period_and_the_table_says_who(world, things):
    client = _in(world.client("admin"), "zh-hans")
    url = reverse("records:retention_edit", kwargs={"key": KEY})
    version = form_version(client.get(url).content.decode())
    response = client.post(url, {"months": "36", "note": "公司档案制度第12条", "based_on_version": version})
    assert response.status_code == 302
    rule = RetentionRule.objects.get(record_type=KEY)
    assert (rule.months, rule.note, rule.updated_by) == (36, "公司档案制度第12条", world.users["admin"])
    page = client.get(reverse("records:retention")).content.decode()
    row = re.search(rf'<tr data-key="{KEY}">(.*?)</tr>', page, re.S).group(1)
    assert "36 个月" in row and "3 年" in row and "admin" in row and "公司档案制度第12条" in row


@pytest.mark.req("D-1")
@pytest.mark.parametrize("months", ["", "0", "-3", "1201", "两年", "2.5", "99999999999999999999"])
def test_a_bad_period_is_422_with_the_form_kept(world, things, months):
    client = _in(world.client("admin"), "zh-hans")
    url = reverse("records:retention_edit", kwargs={"key": KEY})
    response = client.post(url, {"months": months, "note": "我的说明", "based_on_version": "0"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "我的说明" in page and "1200" in page
    assert not RetentionRule.objects.exists()


@pytest.mark.req("D-1")
def test_two_administrators_editing_one_period_get_409_with_both_texts(world, things):
    first, second = world.client("admin"), _in(world.client("admin"), "zh-hans")
    url = reverse("records:retention_edit", kwargs={"key": KEY})
    version = form_version(second.get(url).content.decode())
    assert (
        first.post(url, {"months": "36", "note": "先保存的说明", "based_on_version": version}).status_code
        == 302
    )
    response = second.post(url, {"months": "12", "note": "后保存的说明", "based_on_version": version})
    assert response.status_code == 409
    pairs = stale_comparison(response.content.decode())
    assert ("先保存的说明", "后保存的说明") in pairs
    assert RetentionRule.objects.get(record_type=KEY).months == 36
    # After comparing, saving again goes through.
    again = form_version(response.content.decode())
    assert (
        second.post(url, {"months": "12", "note": "后保存的说明", "based_on_version": again}).status_code
        == 302
    )
    assert RetentionRule.objects.get(record_type=KEY).months == 12


@pytest.mark.req("D-1")
def test_an_unknown_record_type_has_no_edit_page(world, things):
    response = world.client("admin").get(reverse("records:retention_edit", kwargs={"key": "no-such-type"}))
    assert response.status_code == 404


# --- Legal holds (D-2) ---------------------------------------------------------------------------


@pytest.mark.req("D-2")
def test_an_administrator_places_and_releases_a_hold_through_the_pages(world, things):
    client = _in(world.client("admin"), "zh-hans")
    response = client.post(
        reverse("records:hold_create"),
        {"record_type": KEY, "label": LABELS[8], "reason": "业主提起诉讼，保全证据"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get(record_type=KEY, record_id=8)
    assert (hold.reason, hold.placed_by, hold.in_force) == (
        "业主提起诉讼，保全证据",
        world.users["admin"],
        True,
    )
    listed = client.get(reverse("records:hold_list")).content.decode()
    in_force = re.search(r'id="holds-in-force".*?</table>', listed, re.S).group(0)
    assert LABELS[8] in in_force and "业主提起诉讼，保全证据" in in_force

    url = reverse("records:hold_release", kwargs={"pk": hold.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "双方已和解"}).status_code == 302
    hold.refresh_from_db()
    assert (hold.in_force, hold.released_by, hold.release_reason) == (
        False,
        world.users["admin"],
        "双方已和解",
    )
    listed = client.get(reverse("records:hold_list")).content.decode()
    released = re.search(r'id="holds-released".*?</table>', listed, re.S).group(0)
    assert LABELS[8] in released and "双方已和解" in released


@pytest.mark.req("D-2")
def test_a_hold_on_a_record_that_cannot_be_found_is_422_with_the_form_kept(world, things):
    response = _in(world.client("admin"), "zh-hans").post(
        reverse("records:hold_create"),
        {"record_type": KEY, "label": "TS-2026-999999", "reason": "保全证据"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "TS-2026-999999" in page and "保全证据" in page
    assert not LegalHold.objects.exists()


@pytest.mark.req("D-2")
def test_a_hold_without_a_reason_or_type_is_422(world, things):
    client = world.client("admin")
    assert (
        client.post(reverse("records:hold_create"), {"record_type": KEY, "label": LABELS[7]}).status_code
        == 422
    )
    assert (
        client.post(
            reverse("records:hold_create"), {"record_type": "nope", "label": LABELS[7], "reason": "x"}
        ).status_code
        == 422
    )
    assert not LegalHold.objects.exists()


# --- Disposal runs (D-2) -------------------------------------------------------------------------


@pytest.mark.req("D-2")
def test_the_run_list_and_page_show_the_counts_and_the_archive_checksum(world, things, archive_dir):
    run = _run(world, archive_dir)
    client = _in(world.client("auditor"), "zh-hans")
    listed = client.get(reverse("records:run_list")).content.decode()
    row = re.search(rf'<tr data-run="{run.pk}">(.*?)</tr>', listed, re.S).group(1)
    assert run.number in row and run.archive_name in row and run.archive_sha256 in row
    cells = dict(re.findall(r'class="text-end run-(\w+)">(\d+)<', row))
    assert cells == {"listed": "3", "held": "1", "archived": "2", "disposed": "2"}

    page = client.get(reverse("records:run_detail", kwargs={"pk": run.pk})).content.decode()
    assert run.archive_sha256 in page and "2024年12月1日" in page
    ledger = re.search(r'id="run-ledger".*?</table>', page, re.S).group(0)
    assert LABELS[7] in ledger and LABELS[8] in ledger


@pytest.mark.req("D-2")
def test_a_dry_run_page_shows_the_sample_labels(world, things):
    run = DisposalRun.objects.create(
        number="DR-2026-000002",
        trigger=RunTrigger.BUTTON,
        started_by=world.users["admin"],
        dry_run=True,
        status=RunStatus.PREVIEW,
        counts={KEY: {"listed": 2, "held": 0, "samples": [LABELS[7], LABELS[8]]}},
    )
    page = world.client("admin").get(reverse("records:run_detail", kwargs={"pk": run.pk})).content.decode()
    samples = re.search(r'class="small text-muted run-samples">(.*?)</div>', page, re.S).group(1)
    assert LABELS[7] in samples and LABELS[8] in samples


@pytest.mark.req("D-2")
def test_the_dry_run_button_runs_a_preview_and_shows_it(world, things, monkeypatch):
    from estatedesk.records import disposal

    calls: list[dict[str, Any]] = []
    original = disposal.dispose_past_retention

    def spy(**kwargs: Any) -> DisposalRun:
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(disposal, "dispose_past_retention", spy)
    response = world.client("admin").post(reverse("records:run_start"), {"mode": "preview"})
    assert response.status_code == 302
    (call,) = calls
    assert (
        call["dry_run"] is True
        and call["trigger"] == RunTrigger.BUTTON
        and call["actor"] == world.users["admin"]
    )
    run = DisposalRun.objects.get()
    assert run.dry_run and response["Location"] == reverse("records:run_detail", kwargs={"pk": run.pk})


@pytest.mark.req("D-2")
def test_the_disposal_button_asks_first_then_queues_the_job(world, things, monkeypatch):
    from estatedesk.records import tasks

    queued: list[Any] = []
    monkeypatch.setattr(tasks, "dispose_task", lambda *args: queued.append(args))
    client = _in(world.client("admin"), "zh-hans")
    confirm = client.get(reverse("records:run_start"))
    assert confirm.status_code == 200 and queued == []
    assert 'id="confirm-dispose"' in confirm.content.decode()
    assert client.post(reverse("records:run_start"), {"mode": "everything"}).status_code == 422
    response = client.post(reverse("records:run_start"), {"mode": "dispose"})
    assert response.status_code == 302 and response["Location"] == reverse("records:run_list")
    assert queued == [(world.users["admin"].pk, False)]


@pytest.mark.req("D-2")
def test_an_administrator_downloads_the_archive_and_the_download_is_logged(world, things, archive_dir):
    run = _run(world, archive_dir, content=b"PK\x03\x04 the archive")
    response = world.client("admin").get(reverse("records:run_archive", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == run.archive_sha256
    assert run.archive_name in response["Content-Disposition"]
    record = ExportRecord.objects.get()
    assert (record.user, record.filters) == (world.users["admin"], {"run": run.number})


@pytest.mark.req("D-2")
def test_an_archive_no_longer_on_disk_is_404(world, things, archive_dir):
    run = _run(world, archive_dir)
    (archive_dir / run.archive_name).unlink()
    client = world.client("admin")
    assert client.get(reverse("records:run_archive", kwargs={"pk": run.pk})).status_code == 404
    page = client.get(reverse("records:run_detail", kwargs={"pk": run.pk})).content.decode()
    assert reverse("records:run_archive", kwargs={"pk": run.pk}) not in page
    assert not ExportRecord.objects.exists()
