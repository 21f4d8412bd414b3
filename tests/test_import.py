"""Roster import: estates, buildings, units and customers from .xlsx or .csv.

"Importing a 5,000-unit roster with 20 bad rows keeps 4,980 rows and reports the 20 with
reasons; importing it again adds nothing."
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from estatedesk.core import crypto
from estatedesk.org import import_queue, import_service, importer, selectors
from estatedesk.org.models import Building, Customer, Estate, ImportJob, ImportStatus, Occupancy, Unit

EN_HEADERS = [
    "Estate",
    "Estate kind",
    "Building",
    "Unit number",
    "Floor",
    "Area (m²)",
    "Unit kind",
    "Occupied",
    "Customer name",
    "Customer type",
    "Phone",
    "E-mail",
]
HANS_HEADERS = [
    "小区",
    "小区类型",
    "楼栋",
    "房号",
    "楼层",
    "面积（㎡）",
    "房屋类型",
    "是否入住",
    "客户名称",
    "客户类型",
    "手机号码",
    "电子邮箱",
]
HANT_HEADERS = [
    "小區",
    "小區類型",
    "樓棟",
    "房號",
    "樓層",
    "面積",
    "房屋類型",
    "入住狀態",
    "客戶名稱",
    "客戶類型",
    "聯繫電話",
    "電子郵件",
]


def good_row(i: int, estate: str = "Lakeside Garden") -> list[Any]:
    return [
        estate,
        "residential",
        f"{i // 500 + 1}栋",
        str(1000 + i % 500),
        (i % 500) // 10 + 1,
        "89.5",
        "flat",
        "yes",
        f"Customer {i}",
        "owner",
        f"139{i:08d}",
        "",
    ]


def bad_row(i: int, defect: int) -> list[Any]:
    row = good_row(i)
    if defect == 0:
        row[2] = ""  # building missing
    elif defect == 1:
        row[3] = ""  # unit number missing
    elif defect == 2:
        row[5] = "abc"
    elif defect == 3:
        row[5] = "-5"
    elif defect == 4:
        row[10] = "12345"
    elif defect == 5:
        row[9] = "landlord"
    elif defect == 6:
        row[7] = "maybe"
    elif defect == 7:
        # The unit of the row above again, with a different area.
        row[2:4] = good_row(i - 1)[2:4]
        row[5] = "120"
    elif defect == 8:
        row[4] = "twelve"
    else:
        row[6] = "castle"
    return row


def roster(units: int, bad: dict[int, int] | None = None, headers: list[str] = EN_HEADERS) -> list[list[Any]]:
    bad = bad or {}
    return [headers] + [bad_row(i, bad[i]) if i in bad else good_row(i) for i in range(units)]


def as_csv(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def run(world: Any, content: bytes, name: str = "roster.csv", language: str = "en") -> ImportJob:
    job = import_queue.create_job(
        actor=world.users["admin"], upload=ContentFile(content, name=name), language=language
    )
    assert import_service.run_job(job.pk)
    job.refresh_from_db()
    return job


def counts() -> tuple[int, int, int, int, int]:
    return (
        Estate.objects.count(),
        Building.objects.count(),
        Unit.objects.count(),
        Customer.objects.count(),
        Occupancy.objects.count(),
    )


# 20 bad rows, spread over the file, two of each kind of defect.
BAD = {100 + 245 * n: n % 10 for n in range(20)}


@pytest.mark.req("A-1")
def test_5000_unit_roster_with_20_bad_rows_keeps_4980_and_reimport_adds_nothing(world):
    before = counts()
    job = run(world, as_csv(roster(5000, BAD)))

    assert job.status == ImportStatus.DONE, job.message
    assert (job.total_rows, job.created_count, job.rejected_count) == (5000, 4980, 20)
    assert sorted(e["row"] for e in job.errors) == sorted(i + 2 for i in BAD)  # header is row 1
    assert all(e["reason"] for e in job.errors)
    after = counts()
    assert after[2] - before[2] == 4980
    assert after[3] - before[3] == 4980
    assert after[4] - before[4] == 4980
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "Building is missing" in reasons[100 + 2]
    assert "Area “abc” is not a number" in reasons[100 + 245 * 2 + 2]
    assert "row 1816" in reasons[100 + 245 * 7 + 2]  # points at the earlier row of the same unit

    again = run(world, as_csv(roster(5000, BAD)))
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count, again.unchanged_count, again.rejected_count) == (
        0,
        0,
        4980,
        20,
    )
    assert counts() == after


@pytest.mark.req("A-1")
def test_changed_area_is_updated_and_nothing_else(world):
    run(world, as_csv(roster(10)))
    rows = roster(10)
    rows[4][5] = "101.25"
    job = run(world, as_csv(rows))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 9)
    unit = Unit.objects.get(building__name="1栋", number="1003")
    assert unit.area == Decimal("101.25")
    assert job.summary["units"] == {"created": 0, "updated": 1}


@pytest.mark.req("A-1")
def test_gbk_csv_with_simplified_chinese_headers_and_values(world):
    rows = [
        HANS_HEADERS,
        ["翠湖花园二期", "住宅", "5栋", "0101", "1", "88", "住宅", "是", "李四", "业主", "13911112222", ""],
        ["翠湖花园二期", "住宅", "5栋", "0102", "1", "", "商铺", "否", "", "", "", ""],
        ["翠湖花园二期", "住宅", "5栋", "0101", "", "", "", "", "李四的租客", "租户", "13911113333", ""],
    ]
    job = run(world, as_csv(rows, encoding="gb18030"))
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.rejected_count) == (3, 0)
    estate = Estate.objects.get(name="翠湖花园二期")
    flat = Unit.objects.get(estate=estate, number="0101")
    assert (flat.area, flat.kind, flat.occupied) == (Decimal("88.00"), "flat", True)
    assert Unit.objects.get(estate=estate, number="0102").kind == "shop"
    assert sorted(flat.occupancies.values_list("relation", flat=True)) == ["owner", "tenant"]
    assert Customer.objects.get(name="李四的租客").kind == "tenant"


@pytest.mark.req("A-1")
def test_xlsx_with_traditional_chinese_headers_and_numeric_cells(world):
    rows = [
        ["金山大廈業戶名冊"],  # a title line above the header is allowed
        HANT_HEADERS,
        [
            "金山大廈",
            "寫字樓",
            "A座",
            2002,
            20,
            350.5,
            "辦公",
            "已入住",
            "金山貿易有限公司",
            "寫字樓租戶",
            13987650000,
            "",
        ],
        ["金山大廈", "", "A座", 2003, 20, 120, "", "未入住", "", "", "", ""],
    ]
    job = run(world, as_xlsx(rows), name="名冊.xlsx")
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.rejected_count) == (2, 0)
    unit = Unit.objects.get(estate=world.estate_b, number="2002")
    assert (unit.floor, unit.area, unit.kind, unit.occupied) == (20, Decimal("350.50"), "office", True)
    assert Unit.objects.get(estate=world.estate_b, number="2003").kind == "office"  # office estate default
    customer = Customer.objects.get(name="金山貿易有限公司")
    assert (customer.kind, customer.phone) == ("office_tenant", "13987650000")


@pytest.mark.req("A-1")
def test_reasons_are_stored_in_the_uploaders_language_and_shown_in_the_readers(world):
    rows = roster(3, {1: 4})  # row 3: bad phone
    job = run(world, as_csv(rows), language="zh-hans")
    assert job.language == "zh-hans"
    assert [e["row"] for e in job.errors] == [3]
    with translation.override("zh-hans"):
        assert job.errors[0]["reason"] == importer.render(importer.E_PHONE)
    page = world.client("admin").get(reverse("org:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("org:import_detail", args=[job.pk]))
    assert "Phone number is not valid" in page.content.decode()


@pytest.mark.req("A-1")
def test_existing_customer_is_found_by_phone_however_it_is_written(world):
    rows = [
        EN_HEADERS,
        ["翠湖花園", "", "3栋", "1201", "", "", "", "", "王小明", "", "+86 138-1234-1234", ""],
    ]
    before = counts()
    job = run(world, as_csv(rows))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    assert counts() == before


@pytest.mark.req("A-1")
def test_several_customers_of_one_unit_and_one_customer_of_several_units(world):
    rows = [
        EN_HEADERS,
        ["Hill View", "", "1", "101", "1", "70", "", "yes", "Ann", "owner", "13700000001", ""],
        ["Hill View", "", "1", "101", "", "", "", "", "Bob", "tenant", "", ""],
        ["Hill View", "", "1", "102", "1", "70", "", "yes", "Ann", "owner", "13700000001", ""],
        ["Hill View", "", "1", "103", "1", "70", "", "no", "", "", "", ""],
    ]
    job = run(world, as_csv(rows))
    assert (job.created_count, job.rejected_count) == (4, 0)
    estate = Estate.objects.get(name="Hill View")
    assert estate.units.count() == 3
    assert estate.customers.count() == 2
    ann = estate.customers.get(name="Ann")
    assert sorted(ann.units.values_list("number", flat=True)) == ["101", "102"]
    assert estate.code  # new estates get a code
    again = run(world, as_csv(rows))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)


@pytest.mark.req("A-1")
def test_conflicting_rows_are_rejected_with_the_earlier_row_named(world):
    rows = [
        EN_HEADERS,
        ["Hill View", "residential", "1", "101", "1", "70", "", "", "Ann", "", "13700000001", ""],
        ["Hill View", "office", "1", "102", "", "", "", "", "", "", "", ""],
        ["Hill View", "", "1", "103", "", "", "", "", "Carl", "", "13700000001", ""],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
        ["Hill View", "", "1", "104", "", "", "", "", "", "", "13700000009", ""],
    ]
    job = run(world, as_csv(rows))
    errors = {e["row"]: e["reason"] for e in job.errors}
    assert set(errors) == {3, 4, 6}  # the blank line 5 is skipped, not reported
    assert "row 2" in errors[3] and "row 2" in errors[4]
    assert "Customer name is missing" in errors[6]
    assert job.total_rows == 4


@pytest.mark.req("A-1")
def test_file_without_the_needed_columns_or_not_a_spreadsheet_fails_clearly(world):
    job = run(world, as_csv([["name", "phone"], ["Ann", "13700000001"]]))
    assert job.status == ImportStatus.FAILED
    assert "Estate" in job.message and "Building" in job.message
    job = run(world, b"this is not a zip file", name="roster.xlsx")
    assert job.status == ImportStatus.FAILED
    assert "could not be read" in job.message


@pytest.mark.req("A-1")
def test_a_job_runs_once_and_its_upload_is_deleted(world):
    job = import_queue.create_job(
        actor=world.users["admin"], upload=ContentFile(as_csv(roster(3)), name="r.csv"), language="en"
    )
    stored = Path(settings.MEDIA_ROOT) / job.file
    assert stored.exists() and stored.parent.name == "imports" and stored.name != "r.csv"
    assert import_service.run_job(job.pk) is True
    assert import_service.run_job(job.pk) is False  # already claimed: the second run does nothing
    assert not stored.exists()  # the clear-text phone numbers are not kept on disk
    job.refresh_from_db()
    assert job.created_count == 3


@pytest.mark.req("A-1")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloaded_template_imports_back_in_every_language(world, language, fmt):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("org:import_template", args=[fmt]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    parsed = importer.parse_file(response.content, f"template.{fmt}")
    assert parsed.file_error is None
    assert not parsed.errors and len(parsed.rows) == 1
    assert set(parsed.columns) == {c.key for c in importer.COLUMNS}
    job = run(world, response.content, name=f"template.{fmt}", language=language)
    assert (job.created_count, job.rejected_count) == (1, 0)


@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["handler_a", "department_head", "deputy_gm", "auditor", "resident"])
def test_only_administrators_may_import(world, persona):
    job = run(world, as_csv(roster(2)))
    client = world.client(persona)
    assert client.get(reverse("org:import_start")).status_code == 403
    upload = ContentFile(as_csv(roster(2)), name="r.csv")
    assert client.post(reverse("org:import_start"), {"file": upload}).status_code == 403
    assert client.get(reverse("org:import_detail", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


@pytest.mark.req("P-1")
def test_anonymous_visitors_are_sent_to_sign_in_and_residents_get_no_template(world):
    response = world.client("anonymous").get(reverse("org:import_start"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert world.client("resident").get(reverse("org:import_template", args=["csv"])).status_code == 403
    assert world.client("admin").get(reverse("org:import_template", args=["pdf"])).status_code == 404


@pytest.mark.req("D-3")
def test_imported_phones_are_encrypted_and_found_by_blind_index(world):
    run(world, as_csv(roster(3)))
    customer = Customer.objects.get(name="Customer 1")
    assert customer.phone == "13900000001"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM org_customer WHERE id = %s", [customer.pk])
        raw_phone, index = cursor.fetchone()
        cursor.execute("SELECT phone FROM org_historicalcustomer WHERE id = %s", [customer.pk])
        history_phones = [row[0] for row in cursor.fetchall()]
    assert "13900000001" not in raw_phone and "0000001" not in raw_phone
    assert index == crypto.blind_index("139 0000 0001")
    assert history_phones and all("13900000001" not in p for p in history_phones)
    assert list(selectors.search_customers(Customer.objects.all(), "139-0000-0001")) == [customer]


@pytest.mark.req("D-3")
def test_rejected_row_reasons_do_not_repeat_phone_numbers(world):
    rows = roster(2)
    rows[1][10] = "139123"
    job = run(world, as_csv(rows))
    assert job.rejected_count == 1
    assert "139123" not in str(job.errors)


@pytest.mark.req("P-2")
def test_imported_and_updated_records_have_history_by_the_importing_user(world):
    admin = world.users["admin"]
    run(world, as_csv(roster(2)))
    unit = Unit.objects.get(building__name="1栋", number="1001")
    customer = Customer.objects.get(name="Customer 1")
    for record in (unit, customer, unit.building, unit.estate, Occupancy.objects.get(unit=unit)):
        created = record.history.get()
        assert (created.history_type, created.history_user) == ("+", admin)
    rows = roster(2)
    rows[2][5] = "95"
    job = run(world, as_csv(rows))
    latest = unit.history.first()
    assert (latest.history_type, latest.history_user, latest.area) == ("~", admin, Decimal("95.00"))
    assert f"#{job.pk}" in latest.history_change_reason


@pytest.mark.req("A-1")
def test_upload_page_runs_the_import_and_shows_the_result(world, django_capture_on_commit_callbacks):
    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("org:import_start")).status_code == 200
    upload = ContentFile(as_csv(roster(30, {3: 4, 7: 2})), name="my roster.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("org:import_start"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("org:import_detail", args=[job.pk])
    assert (job.status, job.original_name, job.created_by) == ("done", "my roster.csv", world.users["admin"])

    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page
    assert 'data-count="created">28<' in page and 'data-count="rejected">2<' in page
    assert '<td class="text-end">5</td>' in page and '<td class="text-end">9</td>' in page
    assert "every 2s" not in page  # finished: no more polling

    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-status"')
    assert "<html" not in fragment

    download = client.get(response["Location"] + "?download=errors")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Row,Reason" and lines[1].startswith("5,")


@pytest.mark.req("A-1")
def test_a_running_import_polls_its_status_every_two_seconds(world):
    job = ImportJob.objects.create(
        created_by=world.users["admin"], file="imports/x.csv", original_name="x.csv"
    )
    page = world.client("admin").get(reverse("org:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{reverse("org:import_detail", args=[job.pk])}"' in page
    assert "<script>" not in page  # CSP: no inline JavaScript


@pytest.mark.req("A-1")
def test_upload_of_another_kind_of_file_is_refused_with_the_form_kept(world):
    client = world.client("admin")
    response = client.post(reverse("org:import_start"), {"file": ContentFile(b"x", name="roster.pdf")})
    assert response.status_code == 422
    assert ImportJob.objects.count() == 0


@pytest.mark.req("A-1")
@pytest.mark.req("D-3")
def test_an_import_whose_worker_died_is_marked_failed_and_its_upload_deleted(world):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    path = default_storage.save("imports/stale.csv", ContentFile(b"estate,building\n"))
    long_ago = timezone.now() - timedelta(hours=2)
    stale = ImportJob.objects.create(
        created_by=world.users["admin"],
        file=path,
        original_name="stale.csv",
        status=ImportStatus.RUNNING,
        started_at=long_ago,
        language="en",
    )
    busy = ImportJob.objects.create(
        created_by=world.users["admin"],
        file="imports/busy.csv",
        original_name="busy.csv",
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
    )
    assert import_service.sweep_stale_jobs() == 1
    assert import_service.sweep_stale_jobs() == 0  # once
    stale.refresh_from_db()
    busy.refresh_from_db()
    assert stale.status == ImportStatus.FAILED and "interrupted" in stale.message
    assert busy.status == ImportStatus.RUNNING
    assert not default_storage.exists(path)
