from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "estatedesk.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Imported in ready(), with the other apps' registrations (core imports no app).
        from estatedesk.core import panels

        # A hint with a link in the page's menu, not rows: the roster import is the way in.
        panels.register(
            "roster",
            title=_("Roster"),
            empty=_("Import a roster to add estates, units and customers."),
            fill=lambda user, shared: [],
        )
