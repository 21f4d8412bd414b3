from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "estatedesk.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Imported here, not at the top: an AppConfig module is imported before the models
        # are ready, and the registrations read the report models and selectors.
        from estatedesk.reports import registrations, retention

        registrations.register()
        retention.register_types()
