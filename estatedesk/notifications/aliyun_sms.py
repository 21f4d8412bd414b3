"""Aliyun SMS (阿里云短信服务, Dysmsapi ``SendSms``, version 2017-05-25): the SMS channel (SPEC A-4).

Mainland gateways deliver only pre-approved text: a *signature* (签名, the 【…】 in front, e.g.
the company's name) and a *template* (模板) whose ``${variables}`` the request fills. The
outbox row is mapped onto the template's variables by ``ESTATEDESK_ALIYUN_SMS_TEMPLATE_PARAMS``
(``variable=field`` pairs; the fields are ``subject``, ``body``, ``link`` — the full link —
and ``text``, the body with the link). The default, ``content=body,link=link``, fits a
notification template such as ``${content}，详情：${link}``.

Aliyun limits a notification template's variable to 35 characters unless the limit was lifted
for the template (the whole SMS, signature and fixed text included, stays within 500). The
adapter cuts every variable but the link to ``ESTATEDESK_ALIYUN_SMS_VARIABLE_LIMIT``
characters (default 35; 0 = no cutting, once Aliyun lifted the limit) and never cuts a link:
a link that is too long is refused by Aliyun, and the refusal shows on the row.

The request is Aliyun's RPC style, signed with the AccessKey secret (HMAC-SHA1 over the
sorted, RFC 3986-encoded parameters; ``sign``) and sent as a form body, so the phone number
is never part of a URL. ``OutId`` carries the outbox key: Aliyun hands it back in delivery
receipts, which makes a resent message traceable (Aliyun does not de-duplicate by it; the
outbox's claim is what keeps a message from being sent twice). The answer ``Code`` "OK"
means Aliyun took the message; any other code is raised with Aliyun's ``Message`` and
retried by the outbox — the error text never holds the phone number or the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from estatedesk.notifications import gateway
from estatedesk.notifications.models import Message
from estatedesk.notifications.providers import Provider, absolute_link, text_of

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
API_VERSION = "2017-05-25"
DEFAULT_REGION = "cn-hangzhou"
DEFAULT_TEMPLATE_PARAMS = "content=body,link=link"
DEFAULT_VARIABLE_LIMIT = 35
FIELDS = ("subject", "body", "link", "text")
OUT_ID_LENGTH = 64
PREFIX = "ESTATEDESK_ALIYUN_SMS_"
REQUIRED = ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "TEMPLATE_CODE")
ELLIPSIS = "…"


def encode(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986, only ``A-Za-z0-9-_.~`` kept, a space is %20."""
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{encode(name)}={encode(params[name])}" for name in sorted(params))


def sign(params: Mapping[str, str], secret: str, *, method: str = "POST") -> str:
    """The ``Signature`` of a request with ``params`` (all of them but ``Signature`` itself)."""
    string_to_sign = f"{method}&{encode('/')}&{encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def template_params_setting() -> tuple[dict[str, str], list[str]]:
    """(variable → field, problems) from ``ESTATEDESK_ALIYUN_SMS_TEMPLATE_PARAMS``."""
    raw = gateway.setting(PREFIX + "TEMPLATE_PARAMS", DEFAULT_TEMPLATE_PARAMS)
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        variable, equals, field = (piece.strip() for piece in entry.partition("="))
        if not equals or not variable or field not in FIELDS:
            problems.append(entry)
            continue
        mapping[variable] = field
    return mapping, problems


def variable_limit() -> int:
    raw = gateway.setting(PREFIX + "VARIABLE_LIMIT")
    try:
        return max(int(raw), 0) if raw else DEFAULT_VARIABLE_LIMIT
    except ValueError:
        return DEFAULT_VARIABLE_LIMIT


def missing_settings() -> list[str]:
    return [PREFIX + name for name in REQUIRED if not gateway.setting(PREFIX + name)]


def cut(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def template_values(message: Message, mapping: Mapping[str, str], limit: int) -> dict[str, str]:
    fields = {
        "subject": message.subject,
        "body": message.body,
        "link": absolute_link(message.link),
        "text": text_of(message),
    }
    return {
        variable: fields[field] if field == "link" else cut(fields[field], limit)
        for variable, field in mapping.items()
    }


def timestamp() -> str:
    # The wall clock, never core.clock: Aliyun refuses a request whose time is off by minutes.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSms(Provider):
    """Sends an SMS outbox row through Aliyun's ``SendSms`` with the configured template."""

    def __init__(self) -> None:
        self.access_key_id = gateway.setting(PREFIX + "ACCESS_KEY_ID")
        self.secret = gateway.setting(PREFIX + "ACCESS_KEY_SECRET")
        self.sign_name = gateway.setting(PREFIX + "SIGN_NAME")
        self.template_code = gateway.setting(PREFIX + "TEMPLATE_CODE")
        self.endpoint = gateway.setting(PREFIX + "ENDPOINT", DEFAULT_ENDPOINT).rstrip("/") + "/"
        self.region = gateway.setting(PREFIX + "REGION_ID", DEFAULT_REGION)
        self.mapping, _problems = template_params_setting()
        self.limit = variable_limit()
        self.timeout = gateway.timeout_setting(PREFIX + "TIMEOUT")
        self.missing = missing_settings()

    def params(self, message: Message) -> dict[str, str]:
        """The request's parameters, ``Signature`` not yet among them."""
        return {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.key[:OUT_ID_LENGTH],
            "PhoneNumbers": message.address,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps(
                template_values(message, self.mapping, self.limit), ensure_ascii=False, separators=(",", ":")
            ),
            "Timestamp": timestamp(),
            "Version": API_VERSION,
        }

    def send(self, message: Message) -> None:
        if self.missing:
            raise gateway.GatewayError(
                "Aliyun SMS is not configured: " + ", ".join(self.missing) + " not set"
            )
        params = self.params(message)
        body = canonical_query(params) + "&Signature=" + encode(sign(params, self.secret))
        secrets = (self.secret, self.access_key_id, message.address)
        answer = gateway.post(
            self.endpoint,
            body.encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            timeout=self.timeout,
            secrets=secrets,
        )
        data = answer.json()
        if answer.status == 200 and data.get("Code") == "OK":
            return
        if "Code" in data:
            reason = f"Code {data.get('Code')}, {str(data.get('Message', ''))[: gateway.ANSWER_EXCERPT]}"
        else:
            reason = f"HTTP {answer.status}: {answer.excerpt()}"
        raise gateway.GatewayError(gateway.clean(f"Aliyun SMS did not take the message: {reason}", secrets))
