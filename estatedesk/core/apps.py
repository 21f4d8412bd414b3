from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "estatedesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Imported here: the deployment checks register themselves, and the backup module
        # reads settings when it is imported.
        from estatedesk.core import backup, checks, health  # noqa: F401

        health.register("backup", backup.check_health)
