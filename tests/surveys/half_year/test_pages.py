"""Half-year statistics pages (SPEC S-5, I-1, P-1): the list and its compute form, the
statistics with the category below target highlighted, an action opened from a line through
the actions' page and shown on both sides, sign-off, conclusions, print, PDF and Excel."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from estatedesk.core import pdf as printing
from estatedesk.improvement.models import Action
from estatedesk.surveys.models import HalfYearStatistics
from tests.surveys.half_year.test_services import half_year_of_a

S5 = pytest.mark.req("S-5")


@S5
@pytest.mark.django_db
def test_compute_from_the_list_then_the_page_shows_the_category_below_target(world):
    half_year_of_a(world).delete()
    client = world.client("handler_a")
    page = client.get(reverse("surveys:half_year_list"))
    assert page.status_code == 200 and b"compute-submit" in page.content
    bad = client.post(
        reverse("surveys:half_year_compute"), {"office": world.office_a.pk, "year": 2026, "half": 3}
    )
    assert bad.status_code == 422
    done = client.post(
        reverse("surveys:half_year_compute"), {"office": world.office_a.pk, "year": 2026, "half": 1}
    )
    stats = HalfYearStatistics.objects.get(office=world.office_a, year=2026, half=1)
    assert done.status_code == 302 and done["Location"] == reverse(
        "surveys:half_year_detail", args=[stats.pk]
    )
    detail = client.get(done["Location"]).content.decode()
    assert 'data-below-target="1" data-category="cleaning"' in detail
    assert "75.0%" in detail
    # handler_a does not open actions: no link for them.
    assert "half_year_line=" not in detail


@S5
@pytest.mark.req("I-1")
@pytest.mark.django_db
def test_an_action_opened_from_a_line_links_both_ways(world):
    stats = half_year_of_a(world)
    line = stats.lines.get(kind="below_target")
    head = world.client("office_head_a")
    detail = head.get(reverse("surveys:half_year_detail", args=[stats.pk])).content.decode()
    link = f"{reverse('improvement:create')}?source=half_year_statistics&amp;half_year_line={line.pk}"
    assert link in detail
    form = head.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert form.context["form"].initial["source_half_year_line"] == line.pk
    assert line.summary in form.content.decode()
    opened = head.post(
        reverse("improvement:create"),
        {
            "kind": "corrective",
            "source": "half_year_statistics",
            "source_half_year_line": line.pk,
            "title": "清洁整改",
            "problem": line.summary,
            "department": world.office_a.pk,
        },
    )
    assert opened.status_code == 302, opened.content.decode()[:2000]
    action = Action.objects.get(source_half_year_line=line)
    shown = head.get(reverse("surveys:half_year_detail", args=[stats.pk])).content.decode()
    assert action.number in shown
    action_page = head.get(reverse("improvement:detail", args=[action.pk])).content.decode()
    assert reverse("surveys:half_year_detail", args=[stats.pk]) in action_page
    # Another estate's staff cannot start from this line.
    assert world.client("handler_b").get(link.replace("&amp;", "&")).status_code in (403, 404)


@S5
@pytest.mark.django_db
def test_conclusions_sign_off_and_refresh_refused_afterwards(world):
    stats = half_year_of_a(world)
    client = world.client("handler_a")
    url = reverse("surveys:half_year_conclusions", args=[stats.pk])
    assert client.post(url, {"conclusions": "清洁需整改", "based_on_version": 0}).status_code == 302
    stale = client.post(url, {"conclusions": "我的结论", "based_on_version": 0})
    assert stale.status_code == 409 and "我的结论" in stale.content.decode()
    refused = client.post(reverse("surveys:half_year_sign", args=[stats.pk]))
    assert refused.status_code == 403
    head = world.client("office_head_a")
    assert head.post(reverse("surveys:half_year_sign", args=[stats.pk])).status_code == 302
    again = client.post(reverse("surveys:half_year_refresh", args=[stats.pk]))
    assert again.status_code == 409 and "已签发" in again.content.decode()
    again_list = client.post(
        reverse("surveys:half_year_compute"), {"office": world.office_a.pk, "year": 2026, "half": 1}
    )
    assert again_list.status_code == 409


@S5
@pytest.mark.django_db
def test_print_excel_and_pdf(world):
    stats = half_year_of_a(world)
    client = world.client("office_head_a")
    page = client.get(reverse("surveys:half_year_print", args=[stats.pk]))
    assert page.status_code == 200 and "75.0%" in page.content.decode()
    xlsx = client.get(reverse("surveys:half_year_xlsx", args=[stats.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    if not printing.pdf_available():
        pytest.skip("WeasyPrint is not installed here")
    pdf = client.get(reverse("surveys:half_year_pdf", args=[stats.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert "翠湖花園管理處" in text and "75.0%" in text


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_staff_get_404(world):
    stats = half_year_of_a(world)
    client = world.client("handler_b")
    for name in ("half_year_detail", "half_year_print", "half_year_xlsx", "half_year_pdf"):
        assert client.get(reverse(f"surveys:{name}", args=[stats.pk])).status_code == 404
    assert client.post(reverse("surveys:half_year_sign", args=[stats.pk])).status_code == 404


@S5
@pytest.mark.req("P-3")
@pytest.mark.django_db
def test_each_line_reads_in_the_readers_own_language(world):
    stats = half_year_of_a(world)
    line = stats.lines.get(kind="below_target", category="cleaning")
    assert line.summary.startswith("保洁：")  # stored in the company's language
    client = world.client("handler_a")
    url = reverse("surveys:half_year_detail", args=[stats.pk])
    client.cookies["estatedesk_language"] = "zh-hant"
    traditional = client.get(url).content.decode()
    assert "保潔：業主意見徵詢滿意率 75.0%" in traditional and line.summary not in traditional
    client.cookies["estatedesk_language"] = "en"
    english = client.get(url).content.decode()
    assert "Cleaning: monthly consultations 75.0%" in english
