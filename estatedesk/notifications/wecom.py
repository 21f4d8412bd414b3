"""企业微信 (WeCom) group robots: the WeChat channel of the office's groups (SPEC A-4).

A group robot is added to a WeCom group by its owner (group settings → 添加群机器人), and
WeCom gives it a webhook address ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<KEY>``.
Whoever knows the key can post to the group, so keys live only in the environment and never
in a log or an error text (``gateway.clean``).

Robots are named in one setting, ``ESTATEDESK_WECOM_ROBOTS="staff=KEY1,estate:A=KEY2,default=KEY3"``;
a WeChat outbox row's ``address`` is the robot's name: ``estate:<code>`` for an estate's
notices (``communication.services.fanout``), ``staff`` for the office's copy of the reminders
(``services.tell``). A name without a robot goes to ``default``; with neither, the message
fails with a clear error and is retried, so a robot added later still gets it.

The message is WeCom's documented ``{"msgtype": "markdown", "markdown": {"content": …}}``
(or ``text``): at most 4,096 bytes of UTF-8 for markdown and 2,048 for text, so a long body
is cut on a character boundary and the link always kept. WeCom answers ``errcode`` 0 when it
took the message; anything else (an unknown key, 93000; too many messages, 45009 — a robot
may post 20 a minute) is raised with its code and text and retried by the outbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from estatedesk.notifications import gateway
from estatedesk.notifications.models import Message
from estatedesk.notifications.providers import Provider, absolute_link

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
SEND_PATH = "/cgi-bin/webhook/send"
ROBOTS_SETTING = "ESTATEDESK_WECOM_ROBOTS"
DEFAULT_ROBOT = "default"
STAFF_ROBOT = "staff"
MSGTYPES = {"markdown": 4096, "text": 2048}  # WeCom's limits, in bytes of UTF-8
ELLIPSIS = "…"


@dataclass(frozen=True)
class Robots:
    """The named robots of the setting, and the entries that could not be read."""

    keys: dict[str, str]
    unreadable: tuple[int, ...] = ()  # 1-based positions, never the text (it may be a key)

    def key_for(self, name: str) -> tuple[str, str] | None:
        """(robot name, key) for ``name``, falling back to the default robot."""
        for candidate in (name, DEFAULT_ROBOT):
            key = self.keys.get(candidate)
            if key:
                return candidate, key
        return None


def parse_robots(text: str) -> Robots:
    """``"staff=KEY1,estate:A=KEY2"`` → named keys. A name may hold ``:``; a key holds no ``=``."""
    keys: dict[str, str] = {}
    unreadable: list[int] = []
    entries = [entry.strip() for entry in text.split(",")]
    for position, entry in enumerate(entries, start=1):
        if not entry:
            continue
        name, equals, key = entry.rpartition("=")
        name, key = name.strip(), key.strip()
        if not equals or not name or not key:
            unreadable.append(position)
            continue
        keys[name] = key
    return Robots(keys=keys, unreadable=tuple(unreadable))


def configured_robots() -> Robots:
    return parse_robots(gateway.setting(ROBOTS_SETTING))


def base_url() -> str:
    return gateway.setting("ESTATEDESK_WECOM_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def msgtype() -> str:
    """``markdown`` (the default) or ``text``; anything else is reported by the system check."""
    value = gateway.setting("ESTATEDESK_WECOM_MSGTYPE", "markdown").lower()
    return value if value in MSGTYPES else "markdown"


def cut_utf8(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` bytes of UTF-8, cut between characters, marked with "…"."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    return encoded[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def content_of(message: Message, kind: str) -> str:
    """The group's text: the subject, the body (cut to fit) and the full link on its own line."""
    limit = MSGTYPES[kind]
    link = absolute_link(message.link)
    if kind == "markdown":
        head = f"**{message.subject}**\n" if message.subject else ""
        tail = f"\n[{link}]({link})" if link else ""
    else:
        head = f"{message.subject}\n" if message.subject else ""
        tail = f"\n{link}" if link else ""
    room = limit - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
    return cut_utf8(head + cut_utf8(message.body, max(room, 0)) + tail, limit)


class WeComRobot(Provider):
    """Posts a WeChat outbox row to the WeCom group robot its address names."""

    def __init__(self) -> None:
        self.robots = configured_robots()
        self.url = base_url() + SEND_PATH
        self.kind = msgtype()
        self.timeout = gateway.timeout_setting("ESTATEDESK_WECOM_TIMEOUT")

    def send(self, message: Message) -> None:
        name = message.address or DEFAULT_ROBOT
        found = self.robots.key_for(name)
        if found is None:
            raise gateway.GatewayError(
                f"no WeCom robot named {name!r} and no {DEFAULT_ROBOT!r} robot "
                f"({ROBOTS_SETTING}, see docs/notifications.md)"
            )
        robot, key = found
        payload = {"msgtype": self.kind, self.kind: {"content": content_of(message, self.kind)}}
        secrets = tuple(self.robots.keys.values())
        answer = gateway.post(
            f"{self.url}?key={key}",
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            content_type="application/json; charset=utf-8",
            timeout=self.timeout,
            secrets=secrets,
        )
        data = answer.json()
        if answer.status == 200 and data.get("errcode") == 0:
            return
        if "errcode" in data:
            reason = f"errcode {data.get('errcode')}, {data.get('errmsg', '')}"
        else:
            reason = f"HTTP {answer.status}: {answer.excerpt()}"
        raise gateway.GatewayError(
            gateway.clean(f"WeCom robot {robot!r} did not take the message: {reason}", secrets)
        )
