from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "estatedesk.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        # Imported here, not at the top: the record types load models, which exist only once
        # the app registry is ready.
        from estatedesk.records import retention_types

        retention_types.register_all()
