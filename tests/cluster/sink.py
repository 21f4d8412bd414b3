"""A notification provider for the cluster test: every hand-over is one line in a file of the
shared data folder (message id, attempt, channel, process id), so the test can count deliveries."""

from __future__ import annotations

import os

from django.conf import settings

from estatedesk.notifications.models import Message
from estatedesk.notifications.providers import Provider

SINK_FILE = "cluster-deliveries.log"


class FileSink(Provider):
    def send(self, message: Message) -> None:
        line = f"{message.pk}\t{message.attempts}\t{message.channel}\t{os.getpid()}\n".encode()
        # One write of a short line to a file opened for appending: lines from several processes never mix.
        fd = os.open(settings.DATA_DIR / SINK_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
