from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "estatedesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Imported in ready(), when models exist: importing the module registers its system checks.
        from estatedesk.notifications import checks  # noqa: F401
