"""Real channels (SPEC A-4): the WeCom group-robot and Aliyun SMS adapters, each against a
local fake of the service on 127.0.0.1 that checks the request as the service documents it,
with failures retried through the outbox and no key or phone number in an error or a log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from estatedesk.notifications import aliyun_sms, delivery, gateway, providers, services, wecom
from estatedesk.notifications.checks import gateway_adapters_configured, no_console_providers_in_production
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.notifications.services import notify, tell
from tests.clirun import free_port

T0 = datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13812341234"
SECRET = "sk-the-secret-0123456789abcdef"
ACCESS_KEY_ID = "LTAI-test-access-key-id"
STAFF_KEY = "a1b2c3d4-0000-4000-8000-5ta55ta55ta5"
ESTATE_KEY = "e5e5e5e5-1111-4111-8111-e5e5e5e5e5e5"
DEFAULT_KEY = "d0d0d0d0-2222-4222-8222-d0d0d0d0d0d0"
KEYS = (STAFF_KEY, ESTATE_KEY, DEFAULT_KEY)
SITE = "https://estatedesk.example.com"


# --- A local fake of each service ----------------------------------------------------------------


@dataclass
class Fake:
    """An HTTP server on 127.0.0.1 that checks each request and answers from a script."""

    check: Callable[[Fake, str, dict[str, str], bytes], tuple[int, dict[str, Any]]]
    answers: list[dict[str, Any] | float] = field(default_factory=list)  # a float: sleep that long first
    requests: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    url: str = ""

    def next_answer(self) -> dict[str, Any] | float | None:
        return self.answers.pop(0) if self.answers else None


@pytest.fixture
def serve() -> Iterator[Callable[..., Fake]]:
    servers: list[ThreadingHTTPServer] = []

    def start(check: Callable[[Fake, str, dict[str, str], bytes], tuple[int, dict[str, Any]]]) -> Fake:
        fake = Fake(check=check)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                scripted = fake.next_answer()
                if isinstance(scripted, float):
                    time.sleep(scripted)
                    scripted = fake.next_answer()
                status, answer = fake.check(
                    fake, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                if status == 200 and isinstance(scripted, dict):
                    answer = scripted
                payload = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        fake.url = f"http://127.0.0.1:{server.server_address[1]}"
        return fake

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nobody listens there: the connection is refused


# WeCom: POST <base>/cgi-bin/webhook/send?key=<KEY>, JSON {"msgtype": ..., <msgtype>: {"content": ...}}.
def wecom_check(fake: Fake, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    url = urlsplit(path)
    key = parse_qs(url.query).get("key", [""])[0]
    if url.path != "/cgi-bin/webhook/send" or key not in KEYS:
        fake.problems.append(f"path {url.path} or key unknown")
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
    if not headers.get("content-type", "").startswith("application/json"):
        fake.problems.append("not JSON")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        fake.problems.append("body is not UTF-8 JSON")
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    kind = payload.get("msgtype")
    content = (payload.get(kind) or {}).get("content") if isinstance(payload.get(kind), dict) else None
    limit = {"markdown": 4096, "text": 2048}.get(kind or "")
    if limit is None or not isinstance(content, str) or not content:
        fake.problems.append(f"bad message {payload!r}")
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    if len(content.encode("utf-8")) > limit:
        fake.problems.append("content too long")
        return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
    fake.requests.append({"key": key, "msgtype": kind, "content": content})
    return 200, {"errcode": 0, "errmsg": "ok"}


# Aliyun RPC signature, written from Aliyun's "signature mechanism" page, independently of the adapter.
def percent(value: str) -> str:
    return quote(value, safe="").replace("%7E", "~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent('/')}&{percent(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


SENDSMS_REQUIRED = {
    "AccessKeyId": ACCESS_KEY_ID,
    "Action": "SendSms",
    "Format": "JSON",
    "RegionId": "cn-hangzhou",
    "SignName": "幸福物业",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_123456789",
    "Version": "2017-05-25",
}


def aliyun_check(fake: Fake, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    if urlsplit(path).query:
        fake.problems.append("parameters in the URL")
    if headers.get("content-type") != "application/x-www-form-urlencoded":
        fake.problems.append("not a form")
    params = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True))
    signature = params.pop("Signature", "")
    if signature != aliyun_signature(params, SECRET):
        fake.problems.append("signature")
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
    for name, value in SENDSMS_REQUIRED.items():
        if params.get(name) != value:
            fake.problems.append(f"{name}={params.get(name)!r}")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params.get("Timestamp", "")):
        fake.problems.append("Timestamp")
    nonces = {r["SignatureNonce"] for r in fake.requests}
    if not params.get("SignatureNonce") or params["SignatureNonce"] in nonces:
        fake.problems.append("nonce missing or reused")
    if not re.fullmatch(r"1[3-9]\d{9}", params.get("PhoneNumbers", "")):
        fake.problems.append("PhoneNumbers")
    template = json.loads(params.get("TemplateParam", "{}"))
    if not isinstance(template, dict) or not all(isinstance(v, str) for v in template.values()):
        fake.problems.append("TemplateParam")
    fake.requests.append({**params, "TemplateParam": template})
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}


@pytest.fixture
def aliyun(settings, serve) -> Iterator[Fake]:
    fake = serve(aliyun_check)
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "sms": "aliyun_sms"}
    settings.ESTATEDESK_SITE_URL = SITE
    settings.ESTATEDESK_ALIYUN_SMS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.ESTATEDESK_ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.ESTATEDESK_ALIYUN_SMS_SIGN_NAME = "幸福物业"
    settings.ESTATEDESK_ALIYUN_SMS_TEMPLATE_CODE = "SMS_123456789"
    settings.ESTATEDESK_ALIYUN_SMS_ENDPOINT = fake.url
    providers.clear_cache()
    yield fake
    providers.clear_cache()


@pytest.fixture
def robots(settings, serve) -> Iterator[Fake]:
    fake = serve(wecom_check)
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "wechat": "wecom"}
    settings.ESTATEDESK_SITE_URL = SITE
    settings.ESTATEDESK_WECOM_ROBOTS = f"staff={STAFF_KEY}, estate:A={ESTATE_KEY},default={DEFAULT_KEY}"
    settings.ESTATEDESK_WECOM_BASE_URL = fake.url
    providers.clear_cache()
    yield fake
    providers.clear_cache()


def queue(
    channel: str, address: str, *, key: str = "TS-2026-000123:resident:answered", body: str = ""
) -> Message:
    message = notify(
        key=key,
        channel=channel,
        address=address,
        subject="TS-2026-000123 已回复",
        body=body or "您的投诉已答复：维修人员将于明天上午上门更换水管。",
        link="/r/c/tok3n-Priv4te-l1nk/",
    )
    assert message is not None
    return message


def assert_clean(text: str) -> None:
    for secret in (SECRET, ACCESS_KEY_ID, PHONE, *KEYS):
        assert secret not in text


# --- Aliyun SMS ----------------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_the_aliyun_signature_is_the_one_of_aliyuns_documented_example():
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_sms.sign(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert aliyun_sms.encode("a b*~/中") == "a%20b%2A~%2F%E4%B8%AD"


@pytest.mark.req("A-4")
def test_an_sms_through_aliyun_is_signed_as_documented_and_marked_sent(db, aliyun):
    with time_machine.travel(T0, tick=False):
        message = queue(Channel.SMS, PHONE)
        assert delivery.deliver(message.pk) is True
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert aliyun.problems == []
    [sent] = aliyun.requests
    assert sent["PhoneNumbers"] == PHONE
    assert sent["OutId"] == message.key  # the outbox key comes back in Aliyun's receipts
    assert sent["Timestamp"] == "2025-03-10T02:00:00Z"  # UTC
    # The default mapping: the body (cut to Aliyun's 35 characters) and the full link, never cut.
    assert sent["TemplateParam"] == {
        "content": "您的投诉已答复：维修人员将于明天上午上门更换水管。",
        "link": f"{SITE}/r/c/tok3n-Priv4te-l1nk/",
    }


@pytest.mark.req("A-4")
def test_the_template_variables_are_configurable_and_cut_to_the_templates_limit(db, aliyun, settings):
    settings.ESTATEDESK_ALIYUN_SMS_TEMPLATE_PARAMS = "title=subject, detail=body"
    settings.ESTATEDESK_ALIYUN_SMS_VARIABLE_LIMIT = "12"
    providers.clear_cache()
    message = queue(Channel.SMS, PHONE, body="停水通知：" + "因二次供水水箱清洗，" * 5)
    assert delivery.deliver(message.pk) is True
    assert aliyun.problems == []
    params = aliyun.requests[0]["TemplateParam"]
    assert params == {"title": "TS-2026-000123 已回复"[:11] + "…", "detail": "停水通知：因二次供水水…"}
    assert all(len(value) <= 12 for value in params.values())


@pytest.mark.req("A-4")
def test_an_aliyun_refusal_fails_the_row_and_the_retry_after_the_backoff_sends_it(db, aliyun, caplog):
    # Aliyun's flow control; the fake puts the phone number in its message to prove it is masked.
    aliyun.answers = [
        {
            "Code": "isv.BUSINESS_LIMIT_CONTROL",
            "Message": f"触发号码天级流控Permits:10 {PHONE}",
            "RequestId": "1",
        }
    ]
    with time_machine.travel(T0, tick=False), caplog.at_level(logging.WARNING, "estatedesk.notifications"):
        message = queue(Channel.SMS, PHONE)
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.next_attempt_at == T0 + timedelta(minutes=1)
    assert "isv.BUSINESS_LIMIT_CONTROL" in message.last_error and "天级流控" in message.last_error
    assert_clean(message.last_error)
    assert_clean(caplog.text)
    assert "isv.BUSINESS_LIMIT_CONTROL" in caplog.text

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert delivery.retry_due(now=T0 + timedelta(minutes=1)) == 1  # the fake answers OK now
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(aliyun.requests) == 2 and aliyun.problems == []  # a new nonce and signature each time


@pytest.mark.req("A-4")
def test_an_unreachable_or_silent_sms_gateway_is_retried(db, aliyun, settings):
    settings.ESTATEDESK_ALIYUN_SMS_ENDPOINT = closed_port_url()
    providers.clear_cache()
    with time_machine.travel(T0, tick=False):
        message = queue(Channel.SMS, PHONE)
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.next_attempt_at == T0 + timedelta(minutes=1)
    assert "no answer from the gateway" in message.last_error
    assert_clean(message.last_error)

    # Back at the real address, but it answers after the adapter stopped waiting.
    settings.ESTATEDESK_ALIYUN_SMS_ENDPOINT = aliyun.url
    settings.ESTATEDESK_ALIYUN_SMS_TIMEOUT = "0.3"
    providers.clear_cache()
    aliyun.answers = [1.0]
    assert delivery.retry_due(now=T0 + timedelta(minutes=1)) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 2
    assert "timed out" in message.last_error
    assert message.next_attempt_at == T0 + timedelta(minutes=6)

    assert delivery.retry_due(now=T0 + timedelta(minutes=6)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 3)


@pytest.mark.req("A-4")
def test_aliyun_without_its_settings_fails_clearly_and_the_check_names_what_is_missing(db, aliyun, settings):
    settings.ESTATEDESK_ALIYUN_SMS_TEMPLATE_CODE = ""
    providers.clear_cache()
    message = queue(Channel.SMS, PHONE)
    assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert "ESTATEDESK_ALIYUN_SMS_TEMPLATE_CODE not set" in message.last_error
    assert aliyun.requests == []
    [error] = gateway_adapters_configured()
    assert error.id == "notifications.E003" and "ESTATEDESK_ALIYUN_SMS_TEMPLATE_CODE" in error.msg
    assert_clean(f"{error.msg} {error.hint}")


# --- WeCom group robots --------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_a_wechat_message_goes_to_the_robot_its_address_names_else_to_the_default(db, robots):
    estate = queue(Channel.WECHAT, "estate:A", key="N-1:wechat")
    other = queue(Channel.WECHAT, "estate:B", key="N-2:wechat")
    assert delivery.deliver(estate.pk) is True
    assert delivery.deliver(other.pk) is True
    assert robots.problems == []
    assert [r["key"] for r in robots.requests] == [ESTATE_KEY, DEFAULT_KEY]
    first = robots.requests[0]
    assert first["msgtype"] == "markdown"
    assert first["content"] == (
        "**TS-2026-000123 已回复**\n您的投诉已答复：维修人员将于明天上午上门更换水管。\n"
        f"[{SITE}/r/c/tok3n-Priv4te-l1nk/]({SITE}/r/c/tok3n-Priv4te-l1nk/)"
    )
    estate.refresh_from_db()
    assert estate.status == MessageStatus.SENT


@pytest.mark.req("A-4")
@pytest.mark.parametrize(("kind", "limit"), [("markdown", 4096), ("text", 2048)])
def test_a_long_wechat_text_is_cut_on_a_character_boundary_and_keeps_its_link(
    db, robots, settings, kind, limit
):
    settings.ESTATEDESK_WECOM_MSGTYPE = kind
    providers.clear_cache()
    message = queue(Channel.WECHAT, "estate:A", body="小区东门道路施工，车辆请绕行。" * 300)
    assert delivery.deliver(message.pk) is True
    assert robots.problems == []
    [sent] = robots.requests
    assert sent["msgtype"] == kind
    assert limit - 4 <= len(sent["content"].encode("utf-8")) <= limit
    assert "…\n" in sent["content"] and sent["content"].endswith(
        f"{SITE}/r/c/tok3n-Priv4te-l1nk/" + (")" if kind == "markdown" else "")
    )


@pytest.mark.req("A-4")
def test_a_wecom_refusal_fails_the_row_without_the_key_and_the_retry_sends_it(db, robots, caplog):
    robots.answers = [{"errcode": 93000, "errmsg": "invalid webhook url, hint: [1741572000_12]"}]
    with time_machine.travel(T0, tick=False), caplog.at_level(logging.WARNING, "estatedesk.notifications"):
        message = queue(Channel.WECHAT, "estate:A")
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.next_attempt_at == T0 + timedelta(minutes=1)
    assert "errcode 93000" in message.last_error and "invalid webhook url" in message.last_error
    assert_clean(message.last_error)
    assert_clean(caplog.text)

    assert delivery.retry_due(now=T0 + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


@pytest.mark.req("A-4")
def test_an_unreachable_wecom_is_retried_without_showing_the_webhook_address(db, robots, settings, caplog):
    settings.ESTATEDESK_WECOM_BASE_URL = closed_port_url()
    providers.clear_cache()
    with time_machine.travel(T0, tick=False), caplog.at_level(logging.WARNING, "estatedesk.notifications"):
        message = queue(Channel.WECHAT, "estate:A")
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.next_attempt_at is not None
    assert "no answer from the gateway" in message.last_error
    assert_clean(message.last_error)
    assert_clean(caplog.text)


@pytest.mark.req("A-4")
def test_a_wechat_message_with_no_robot_fails_visibly_and_is_retried(db, robots, settings):
    settings.ESTATEDESK_WECOM_ROBOTS = f"estate:A={ESTATE_KEY}"  # no default robot
    providers.clear_cache()
    message = queue(Channel.WECHAT, "estate:Z")
    assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.next_attempt_at is not None
    assert "no WeCom robot named 'estate:Z' and no 'default' robot" in message.last_error
    assert robots.requests == []


@pytest.mark.req("A-4")
def test_robots_are_read_from_name_key_pairs():
    robots = wecom.parse_robots(" staff=K1 , estate:A=K2,,broken,=K3,default=K4")
    assert robots.keys == {"staff": "K1", "estate:A": "K2", "default": "K4"}
    assert robots.unreadable == (4, 5)  # positions only: an entry may be a bare key
    assert robots.key_for("estate:A") == ("estate:A", "K2")
    assert robots.key_for("estate:B") == ("default", "K4")
    assert wecom.parse_robots("estate:A=K2").key_for("estate:B") is None


@pytest.mark.req("A-4")
def test_a_gateway_address_that_is_not_http_is_refused_without_opening_it():
    with pytest.raises(gateway.GatewayError, match="not http"):
        gateway.post("file:///etc/passwd", b"", content_type="text/plain", timeout=1)


# --- The system checks ---------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_production_starts_without_wechat_but_then_nothing_claims_to_send_on_it(settings):
    settings.PRODUCTION = True
    settings.ALLOW_CONSOLE_PROVIDERS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "aliyun_sms", "wechat": "console"}
    assert no_console_providers_in_production() == []  # a company without WeCom robots
    assert providers.delivers("wechat") is False and providers.delivers("sms") is True
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "aliyun_sms", "wechat": "wecom"}
    assert providers.delivers("wechat") is True


@pytest.mark.req("A-4")
def test_the_wecom_provider_without_a_robot_is_a_check_error(settings):
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "console", "wechat": "wecom"}
    settings.ESTATEDESK_WECOM_ROBOTS = ""
    [error] = gateway_adapters_configured()
    assert error.id == "notifications.E002" and "ESTATEDESK_WECOM_ROBOTS names no robot" in error.msg
    settings.ESTATEDESK_WECOM_ROBOTS = f"staff={STAFF_KEY},{DEFAULT_KEY}"  # the second has no name
    [error] = gateway_adapters_configured()
    assert "entries 2 of ESTATEDESK_WECOM_ROBOTS are not name=key" in error.msg
    assert_clean(f"{error.msg} {error.hint}")
    settings.ESTATEDESK_WECOM_ROBOTS = f"staff={STAFF_KEY}"
    assert gateway_adapters_configured() == []
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "console", "wechat": "console"}
    settings.ESTATEDESK_WECOM_ROBOTS = ""
    assert gateway_adapters_configured() == []  # not chosen, not checked


# --- The office's WeCom group sees what staff are told -------------------------------------------


@pytest.fixture
def two_staff(django_user_model) -> list[Any]:
    return [django_user_model.objects.create_user(username=f"staff{i}", password="x") for i in (1, 2)]


def _tell(users: list[Any], key: str = "TS-2026-000123:overdue:2025-03-10") -> None:
    tell(
        users,
        key=key,
        subject="TS-2026-000123 已超期",
        body=f"尚未答复业主（电话 {PHONE}），答复期限 3月10日 10:00。",
        link="/complaints/12/",
    )


@pytest.mark.req("A-4")
def test_tell_copies_each_message_once_to_the_staff_group_when_it_has_a_robot(db, robots, two_staff):
    _tell(two_staff)
    _tell(two_staff)  # asked twice (a sweep on two workers): still one each
    in_app = Message.objects.filter(channel=Channel.IN_APP)
    assert sorted(m.user_id or 0 for m in in_app) == sorted(u.pk for u in two_staff)
    [group] = Message.objects.filter(channel=Channel.WECHAT)
    assert group.address == "staff" and group.key == "TS-2026-000123:overdue:2025-03-10:staff"
    assert PHONE not in group.body and "*******1234" in group.body  # the group is many people
    assert all(PHONE in m.body for m in in_app)  # the in-app messages are as before

    assert delivery.deliver(group.pk) is True
    assert robots.problems == []
    assert [r["key"] for r in robots.requests] == [STAFF_KEY]
    assert f"{SITE}/complaints/12/" in robots.requests[0]["content"]


@pytest.mark.req("A-4")
@pytest.mark.parametrize(
    ("provider", "robots_setting"),
    [("wecom", f"default={DEFAULT_KEY},estate:A={ESTATE_KEY}"), ("console", f"staff={STAFF_KEY}")],
)
def test_tell_sends_nothing_to_wechat_without_a_staff_robot(
    db, settings, two_staff, provider, robots_setting
):
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "wechat": provider}
    settings.ESTATEDESK_WECOM_ROBOTS = robots_setting
    _tell(two_staff)
    assert Message.objects.filter(channel=Channel.IN_APP).count() == 2
    assert not Message.objects.filter(channel=Channel.WECHAT).exists()
    assert services.tell_staff_group(key="k", subject="s", body="b", link="") is None
