from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "estatedesk.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        from estatedesk.records import retention_types

        retention_types.register_all()
