"""Create a personal API token for a user and print it once (SPEC A-2).

The token goes alone to standard output so that scripts can capture it; the note about
keeping it goes to standard error. Only the token's hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.services import create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the token acts for, with that user's permissions")
        parser.add_argument("--name", default="API", help="what the token is for, e.g. 'nightly export'")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("There is no user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user %(username)s is deactivated.") % {"username": username})
        if not policy.is_staff_member(user):
            self.stderr.write(
                _("Warning: %(username)s is not a staff member; the API will refuse this token.")
                % {"username": username}
            )
        token, raw = create_api_token(user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            _("Token “%(name)s” created for %(username)s. Keep it now: it cannot be shown again.")
            % {"name": token.name, "username": username}
        )
