"""The outbox (SPEC A-4): one row per message, written in the same transaction as the change.

A row is delivered after commit by a worker task and retried by a periodic sweep; its
``key`` is unique, so asking twice for the same message (a retried request, a sweep run on
two workers) stores it once, and a delivery claims its row with a conditional update, so
it is sent once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estatedesk.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app message")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Not sent because a newer message about the same matter replaced it before it went out.
    WITHDRAWN = "withdrawn", _("Withdrawn: out of date")


class Message(models.Model):
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_received",
        verbose_name=_("recipient"),
    )
    address = EncryptedTextField(_("address"), blank=True, default="")  # phone or e-mail, encrypted
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set by ``services.notify`` from ``core.clock.now()``: a replayed past (the demo) keeps its times.
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["user", "channel", "-created_at"], name="message_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject
