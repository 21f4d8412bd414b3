from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "estatedesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Imported in ready(): the check reads the outbox's model, which exists only once the
        # app registry is ready (and core, which runs /health/, imports no app).
        from estatedesk.core import health
        from estatedesk.notifications import checks  # noqa: F401  (importing registers the system checks)
        from estatedesk.notifications.health import check_outbox

        health.register("outbox", check_outbox)
