from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "estatedesk.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Imported in ready(), with the other apps' registrations (core imports no app).
        from estatedesk.core import panels
        from estatedesk.org import personal_data, retention
        from estatedesk.org.home_panel import roster_panel

        panels.register(
            "roster",
            title=_("Staff and roster"),
            empty=_("Import a roster to add estates, units and customers."),
            fill=roster_panel,
        )
        # The outbox's record type and personal-data source are registered here, for
        # notifications: it shares a layer with records and may not import it (decision 0049).
        retention.register_types()
        personal_data.register()
