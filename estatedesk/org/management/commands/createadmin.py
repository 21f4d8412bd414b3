"""Create a system administrator (a superuser with the "admin" staff role).

`estatedesk up` runs this on first start. Non-interactive use reads
ESTATEDESK_ADMIN_USERNAME and ESTATEDESK_ADMIN_PASSWORD, so a password never appears
on a command line or in the shell history.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from estatedesk.core.actors import SYSTEM
from estatedesk.org import services

USERNAME_ENV = "ESTATEDESK_ADMIN_USERNAME"
PASSWORD_ENV = "ESTATEDESK_ADMIN_PASSWORD"


def _problems(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@transaction.atomic
def create_admin(*, username: str, password: str) -> User:
    staff = services.save_staff(
        actor=SYSTEM,
        staff=None,
        username=username,
        display_name=username,
        role="admin",
        estates=[],
        departments=[],
        password=password,
    )
    user = staff.user
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


class Command(BaseCommand):
    help = f"Create a system administrator. Without a terminal, set {USERNAME_ENV} and {PASSWORD_ENV}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help=f"the administrator's username (default: ${USERNAME_ENV})")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not prompt; take the username and password from the environment",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options.get("username") or os.environ.get(USERNAME_ENV, "")
        password = os.environ.get(PASSWORD_ENV, "")
        interactive = options.get("interactive", True)
        if not (username and password) and not interactive:
            raise CommandError(
                f"No administrator exists yet. Set {USERNAME_ENV} and {PASSWORD_ENV}, "
                "or run this in a terminal to be asked."
            )
        User = get_user_model()
        while True:
            if not username:
                username = input("Administrator username [admin]: ").strip() or "admin"
            problem = self._username_problem(username)
            if problem is None:
                break
            if not interactive or os.environ.get(USERNAME_ENV):
                raise CommandError(problem)
            self.stderr.write(problem)
            username = ""
        while True:
            if not password:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    self.stderr.write("The passwords did not match.")
                    password = ""
                    continue
            try:
                validate_password(password, User(username=username))
                break
            except ValidationError as exc:
                if not interactive or os.environ.get(PASSWORD_ENV):
                    raise CommandError(_problems(exc)) from exc
                self.stderr.write(_problems(exc))
                password = ""
        try:
            user = create_admin(username=username, password=password)
        except ValidationError as exc:
            raise CommandError(_problems(exc)) from exc
        self.stdout.write(f"Administrator {user.get_username()!r} created.")

    @staticmethod
    def _username_problem(username: str) -> str | None:
        try:
            get_user_model()(username=username).full_clean(exclude=["password"])
        except ValidationError as exc:
            return _problems(exc)
        return None
