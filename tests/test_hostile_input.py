"""No input answers 500 (issue 11; SPEC P-1, W-1, A-2): every page, export, look-up, public
URL and API read, walked with a catalogue of hostile values.

The walk is derived, not listed. The URLs come from the URL resolver (every named pattern;
``core.policy`` says who may open each, so staff pages are opened as the GM — who sees
everything —, administrators' pages as an administrator, public pages as an anonymous
visitor). The query parameters of each page are the ones the page itself reads: the walk
records every key a view asks ``request.GET`` for, first on a plain request and then on
every hostile one, and fails if a page read a parameter the walk did not try. The API's
parameters come from its OpenAPI schema. Path segments get every value their converter
lets through to the view (``<int:pk>`` only digits, ``<str:token>`` anything without a
slash, alone and after a valid token). A page that reads no parameter gets the whole
catalogue in one request (what could reach it is the machinery around every page). A PDF
(``*_pdf``) is walked in its path only: rendering one takes a second, and it reads what its
print page (walked in full) reads.

Asked of every request: a status below 500. What a page does with a bad value (a note and
the filter ignored, 400, 404, 422) is for the tests of that page.

The counts of each walk are printed in pytest's closing summary (and at once with ``-s``),
for example "hostile input (sqlite, public pages, anonymous): 8 URLs × 20 values = 212
requests (9 parameters and path segments), 0 answered 5xx".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils.functional import cached_property

from estatedesk.api import api
from estatedesk.core import params, policy
from estatedesk.core.policy import Rule
from estatedesk.core.services import create_api_token
from estatedesk.org.models import Developer, ImportJob
from tests.complaints.conftest import record
from tests.test_permissions import all_patterns, estate_b_objects, other_arguments

# --- The catalogue ------------------------------------------------------------------------------

# (what it is, the value). Bytes are sent as they are, percent-escaped: invalid UTF-8.
HOSTILE: list[tuple[str, str | bytes]] = [
    ("far future date", "9999-12-31"),
    ("far past date", "0001-01-01"),
    ("impossible date", "2026-02-30"),
    ("huge integer", "99999999999999999999999"),
    ("just past 64 bits", str(2**63)),
    ("5,000 digits", "9" * 5000),
    ("negative", "-1"),
    ("non-ASCII digits", "١٢٣"),
    ("NUL", "\x00"),
    ("NUL inside", "2026-01-01\x00"),
    ("C0 controls and DEL", "\x01\x08\x1b[31m\x7f"),
    ("tab and line break", "3栋\t1201\r\n"),
    ("C1 control and RTL override", "\x85\u202e"),
    ("invalid UTF-8", b"\xff\xfe"),
    ("UTF-8 surrogate", b"\xed\xa0\x80"),
    ("5,000 CJK characters", "字" * 5000),
    ("SQL", "' OR 1=1 --"),
    ("LIKE wildcards", "%_%\\"),
    ("markup", "<script>alert(1)</script>"),
    ("emoji and the last code point", "🏠\U0010ffff"),
]

PROBE = "_probe"  # a plain request carries one unknown key, so ``request.GET or None`` binds forms


def _quote(value: str | bytes) -> str:
    return quote(value, safe="")


def _query(pairs: dict[str, str | bytes]) -> str:
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs.items())


# --- Recording what a page reads -----------------------------------------------------------------

_reads: set[str] = set()


class RecordingQueryDict(QueryDict):
    """``request.GET`` that notes every key asked for (after it is built: building it asks too)."""

    _built = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built = True

    def _note(self, key: object) -> None:
        if self._built:
            _reads.add(str(key))

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().getlist(key, default)


def _recording_get(request: WSGIRequest) -> QueryDict:
    raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
    return RecordingQueryDict(raw, encoding=request._encoding)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="django")  # thousands of "Not Found" and "Bad Request" lines
    prop = cached_property(_recording_get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)


# --- The walk ------------------------------------------------------------------------------------


@dataclass
class Walk:
    """Requests of one walk, each in a savepoint (a failed query must not spoil the next ones)."""

    what: str
    clients: dict[Rule, Client]
    urls: set[str] = field(default_factory=set)
    inputs: int = 0  # parameters and path segments
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def get(self, rule: Rule, url: str) -> tuple[int, set[str]]:
        _reads.clear()
        sid = transaction.savepoint()
        response = self.clients[rule].get(url)
        transaction.savepoint_rollback(sid)
        self.requests += 1
        if response.status_code >= 500:
            error = ""
            if getattr(response, "exc_info", None):
                exc = response.exc_info[1]
                error = f" — {type(exc).__name__}: {str(exc)[:120]}"
            self.failures.append(f"{response.status_code} GET {url[:160]}{error}")
        return response.status_code, set(_reads)

    def summary(self) -> str:
        return (
            f"hostile input ({connection.vendor}, {self.what}): {len(self.urls)} URLs × {len(HOSTILE)} values"
            f" = {self.requests:,} requests ({self.inputs} parameters and path segments), "
            f"{len(self.failures)} answered 5xx"
        )


class _Counts:
    """Prints each walk's counts in pytest's closing summary (and at once under ``-s``)."""

    lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.lines:
            terminalreporter.write_sep("-", "hostile-input walks")
            for line in self.lines:
                terminalreporter.write_line(line)


_counts = _Counts()


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> None:
    if not request.config.pluginmanager.is_registered(_counts):
        request.config.pluginmanager.register(_counts, "hostile-input-counts")


def _finish(*walks: Walk) -> None:
    failures = [failure for walk in walks for failure in walk.failures]
    for walk in walks:
        _counts.lines.append(walk.summary())
        print(walk.summary())
    shown = "\n".join(failures[:60])
    assert failures == [], f"{len(failures)} requests answered 5xx:\n{shown}"


PLAIN = "1"  # what the other parameters carry while one is walked: an id, a page, a flag, a word


def walk_query(walk: Walk, rule: Rule, url: str, params: list[str]) -> set[str]:
    """Each value in each parameter, the others at ``PLAIN`` so that the page gets past them to
    the one walked; when the page ran but stopped before reading it (an earlier parameter sent
    it elsewhere), the value once more alone. Returns every key the page read."""
    seen: set[str] = set()
    for name in params:
        for _label, value in HOSTILE:
            query = {**dict.fromkeys(params, PLAIN), name: value}
            _status, read = walk.get(rule, f"{url}?{_query(query)}")
            seen |= read
            if read and name not in read:
                _status, alone = walk.get(rule, f"{url}?{_query({name: value})}")
                seen |= alone
    walk.inputs += len(params)
    return seen


def walk_unread(walk: Walk, rule: Rule, url: str) -> set[str]:
    """A page that reads no parameter: the whole catalogue at once, each value under a key of its own."""
    _status, read = walk.get(rule, f"{url}?{_query({f'x{i}': v for i, (_l, v) in enumerate(HOSTILE)})}")
    return read


def segment_values(regex: str, valid: str) -> list[str | bytes]:
    """The hostile values a path converter lets through to the view: alone, and after a valid
    token or code (``/r/c/<token>%00/``)."""
    found: list[str | bytes] = []
    for _label, value in HOSTILE:
        after = valid.encode() + value if isinstance(value, bytes) else valid + value
        for candidate in (value,) if valid.isdigit() else (value, after):
            text = candidate.decode("latin-1") if isinstance(candidate, bytes) else candidate
            if re.fullmatch(regex, text) and candidate not in found:
                found.append(candidate)
    return found


# Stand for the segment being walked in a reversed URL: the first one its converter takes.
MARKS = ("8642097531", "8642-09-75")


def walk_segments(walk: Walk, rule: Rule, name: str, pattern: URLPattern, kwargs: dict[str, Any]) -> None:
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    for key, converter in converters.items():
        mark = next(m for m in MARKS if re.fullmatch(converter.regex, m))
        url = reverse(name, kwargs={**kwargs, key: mark})
        for value in segment_values(converter.regex, str(kwargs[key])):
            walk.get(rule, url.replace(mark, _quote(value)))
        walk.inputs += 1


# --- Sample records for the routes' arguments ------------------------------------------------------


def _records_objects(world: Any) -> dict[str, int]:
    """A legal hold, a disposal run (with a ledger entry) and a personal-data request (records:…)."""
    from estatedesk.records.models import DataRequest, DisposalEntry, DisposalRun, LegalHold

    admin = world.users["admin"]
    hold = LegalHold.objects.create(
        record_type="complaints", record_id=1, record_label="TS-2026-000001", reason="诉讼", placed_by=admin
    )
    run = DisposalRun.objects.create(
        number="DR-2026-000001", trigger="button", started_by=admin, status="done", counts={}
    )
    DisposalEntry.objects.create(
        run=run, record_type="complaints", record_id=1, record_label="TS-2026-000001"
    )
    request = DataRequest.objects.create(
        number="PD-2026-000001", kind="export", subject_label="王**", handled_by=admin
    )
    return {"records:hold_": hold.pk, "records:run_": run.pk, "records:request_": request.pk}


def _samples(world: Any) -> tuple[dict[str, int], dict[str, Any]]:
    """A record behind every object URL (by URL-name prefix), and values for the other arguments."""
    objects = estate_b_objects(world)
    from estatedesk.complaints.models import Complaint

    complaint = Complaint.objects.get(pk=objects["complaints:detail"])
    objects["org:developer"] = Developer.objects.create(name="金山地產").pk
    objects["org:import"] = ImportJob.objects.create(file="x.csv", original_name="x.csv").pk
    objects.update(_records_objects(world))
    arguments = {
        "token": complaint.portal_token,
        "code": world.estate_b.code,
        "photo_id": objects["complaints:attachment"],
        "year": 2026,
        "day": "2026-03-02",
        "fmt": "xlsx",
        "name": "complaint",
        "building_pk": world.building_b.pk,
        # estate B's notice's recipient unit, photo and attachment (test_permissions)
        **{k: v for k, v in other_arguments(world).items() if k != "building_pk"},
        # The household notice links (portal:notice…): the token above is no household's, so
        # these answer the portal's not-found page whatever the ids.
        "notice_id": 1,
        "item_id": 1,  # likewise the unit rectification links (portal:rectification_item)
        "key": "complaints",  # a record type's retention (records:retention_edit)
    }
    return objects, arguments


def _kwargs(name: str, pattern: URLPattern, objects: dict[str, int], arguments: dict[str, Any]) -> dict:
    kwargs: dict[str, Any] = {}
    for key in pattern.pattern.converters:  # type: ignore[attr-defined]
        if key == "pk":
            kwargs[key] = next((pk for prefix, pk in objects.items() if name.startswith(prefix)), 1)
        else:
            kwargs[key] = arguments[key]
    return kwargs


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"api:{op['operationId']}" for item in schema["paths"].values() for op in item.values()}


def _pages(rules: Callable[[Rule], bool]) -> Iterator[tuple[str, Rule, URLPattern]]:
    """The named URL patterns the web walk opens: all but Django's admin and the API's operations
    (the API walk takes those, from the schema)."""
    operations = _api_operations()
    for name, _route, pattern in all_patterns():
        if not name or name.startswith("admin:") or name in operations:
            continue
        rule = policy.rule_for(name)
        assert rule is not None, name
        if rules(rule):
            yield name, rule, pattern


def _client(user: Any = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def no_portal_limits(settings: Any) -> None:
    settings.PORTAL_RATE_LOOKUP_IP = "1000000/1m"
    settings.PORTAL_RATE_SUBMIT_IP = "1000000/1m"
    settings.PORTAL_RATE_SUBMIT_ESTATE = "1000000/1m"


def _walk_pages(walk: Walk, world: Any, pages: list[tuple[str, Rule, URLPattern]]) -> list[str]:
    """Walks the pages; answers the parameters a page read that the walk did not try."""
    objects, arguments = _samples(world)
    unread: list[str] = []
    for name, rule, pattern in pages:
        kwargs = _kwargs(name, pattern, objects, arguments)
        url = reverse(name, kwargs=kwargs)
        walk.urls.add(name)
        if not name.endswith("_pdf"):
            _status, params = walk.get(rule, f"{url}?{PROBE}=1")
            params.discard(PROBE)
            walked = sorted(params)
            read = walk_query(walk, rule, url, walked) if walked else walk_unread(walk, rule, url)
            unread += [f"{name}: {key}" for key in sorted(read - set(walked) - {PROBE})]
        if kwargs:
            walk_segments(walk, rule, name, pattern, kwargs)
    return unread


def _api_url(path: str, in_path: list[str], parameter: dict[str, str], value: str | bytes) -> str:
    """``path`` with ``value`` in the walked parameter and 1 in any other path parameter."""
    url = path
    for other in in_path:
        url = url.replace("{" + other + "}", _quote(value) if other == parameter["name"] else "1")
    return f"{url}?{_query({parameter['name']: value})}" if parameter["in"] == "query" else url


def _walk_api(walk: Walk) -> None:
    """Every GET operation of the OpenAPI document, each of its parameters in turn (the others
    left out: one invalid parameter is refused before the endpoint runs)."""
    for path, item in api.get_openapi_schema()["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        walk.urls.add(operation["operationId"])
        parameters = operation.get("parameters", [])
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        for parameter in parameters or [{"name": "q", "in": "query"}]:
            for _label, value in HOSTILE:
                walk.get(Rule.API, _api_url(path, in_path, parameter, value))
            walk.inputs += 1


@pytest.mark.req("P-1")
@pytest.mark.req("A-1")
@pytest.mark.req("A-2")
@pytest.mark.req("A-3")
def test_no_staff_page_or_api_read_answers_5xx_to_hostile_input(world, recording, no_portal_limits, caplog):
    caplog.set_level(logging.CRITICAL, logger="estatedesk.api")
    gm = _client(world.users["gm"])
    pages = Walk(
        "staff pages, as the GM and an administrator",
        {
            Rule.STAFF: gm,
            Rule.ADMIN: _client(world.users["admin"]),
            Rule.RECORDS: _client(world.users["admin"]),
        },
    )
    listed = list(_pages(lambda rule: rule in pages.clients))
    assert len(listed) > 100
    unread = _walk_pages(pages, world, listed)
    reads = Walk("API reads, as the GM", {Rule.API: gm})
    _walk_api(reads)
    assert len(reads.urls) >= 9
    _finish(pages, reads)
    assert unread == [], f"pages read parameters the walk did not try: {unread}"


@pytest.mark.req("W-1")
def test_no_public_page_answers_5xx_to_hostile_input(world, recording, no_portal_limits):
    walk = Walk("public pages, anonymous", {Rule.PUBLIC: _client()})
    listed = list(_pages(lambda rule: rule is Rule.PUBLIC))
    assert {"portal:status", "portal:estate", "login"} <= {name for name, _r, _p in listed}
    unread = _walk_pages(walk, world, listed)
    _finish(walk)
    assert unread == [], f"pages read parameters the walk did not try: {unread}"


# --- What a user sees --------------------------------------------------------------------------


def _zh(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.req("P-1")
@pytest.mark.req("A-3")
def test_a_date_far_out_is_ignored_with_a_note_and_the_list_and_its_export_still_answer(world):
    complaint = record(world, description="3栋电梯停运")
    client = _zh(_client(world.users["gm"]))
    page = client.get(reverse("complaints:list"), {"to": "9999-12-31", "from": "0001-01-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert complaint.number in text  # both dates ignored: nothing filtered out
    assert "“9999-12-31”超出可查询的日期范围（1900-01-01 至 2100-12-31），已忽略该日期。" in text
    assert "“0001-01-01”超出可查询的日期范围" in text
    export = client.get(reverse("complaints:export"), {"to": "9999-12-31"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.req("P-1")
@pytest.mark.req("A-3")
def test_a_note_quoting_a_filter_value_drops_its_right_to_left_override(world):
    client = _zh(_client(world.users["gm"]))
    page = client.get(reverse("complaints:list"), {"category": "\u202e\u5047\u7684\u2066x"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "类别“假的 x”不是可选值，已忽略此筛选条件。" in text
    assert "\u202e" not in text and "\u2066" not in text


@pytest.mark.req("P-1")
def test_the_intake_look_up_takes_an_estate_id_past_64_bits_as_no_estate(world):
    client = _client(world.users["gm"])
    response = client.get(reverse("complaints:intake_lookup"), {"estate": "9" * 23, "q": "1201"})
    assert response.status_code == 200
    assert "1201" in response.content.decode()


@pytest.mark.req("P-1")
def test_a_far_week_shows_this_week(world):
    client = _client(world.users["gm"])
    url = reverse("complaints:weekly_review", args=[world.office_a.pk])
    assert client.get(url, {"week": "9999-12-31"}).status_code == 200


@pytest.mark.req("W-1")
@pytest.mark.parametrize("tail", ["%00", "%01", "%7F"])
def test_a_status_link_with_a_control_character_is_400_in_the_visitors_language(world, tail):
    complaint = record(world)
    client = _zh(_client())
    for url in (f"/r/c/{complaint.portal_token}{tail}/", f"/r/{world.estate_a.code}{tail}/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "无法打开此网址" in response.content.decode()


@pytest.mark.req("P-1")
@pytest.mark.parametrize("query", ["q=%00", "q=a%1Bb", "q=%FF%FE", "q=%ED%A0%80"])
def test_a_search_with_a_control_character_or_bytes_that_are_not_utf8_is_400(world, query):
    client = _zh(_client(world.users["gm"]))
    for path in (
        reverse("complaints:list"),
        reverse("org:customer_list"),
        reverse("complaints:intake_lookup"),
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert "网址中含有本系统链接不会出现的字符" in response.content.decode()


@pytest.mark.req("A-2")
def test_the_api_answers_a_control_character_in_a_query_with_its_error_format(world):
    client = _client(world.users["gm"])
    response = client.get("/api/complaints?q=%00", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request" and body["errors"] == []
    assert "control character" in body["detail"]


@pytest.mark.req("A-2")
def test_a_json_body_over_the_limit_is_413_in_the_apis_error_format(world, settings):
    token = create_api_token(user=world.users["admin"], name="t")[1]
    body = b'{"name": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024) + b'"}'
    response = Client().post(
        "/api/estates/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-hans"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "提交的内容过大：最多 20 MB。", "code": "too_large", "errors": []}


@pytest.mark.req("W-1")
def test_a_form_over_the_limit_is_413_not_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = _zh(_client())
    response = client.post(
        f"/r/{world.estate_a.code}/",
        "description=" + "x" * (2 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "提交的内容过大：最多 1 MB。" in response.content.decode()


@pytest.mark.req("P-1")
def test_the_accepted_ranges():
    assert params.parse_day("1900-01-01") == date(1900, 1, 1)
    assert params.parse_day("2100-12-31") == date(2100, 12, 31)
    assert params.parse_day("2026-02-30") is None
    for far in ("1899-12-31", "2101-01-01", "9999-12-31", "0001-01-01"):
        with pytest.raises(params.DateOutOfRange):
            params.parse_day(far)
    assert params.parse_id(str(2**63 - 1)) == 2**63 - 1
    for bad in (str(2**63), "0", "-1", "١٢٣", "9" * 5000, "1e3", " "):
        assert params.parse_id(bad) is None, bad
    assert params.clean_text("a\x00b\tc\x85d" + "字" * 200) == "a b c d" + "字" * 93
