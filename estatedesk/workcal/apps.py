from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "estatedesk.workcal"
    label = "workcal"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        # Imported here: the panel's module reads models, which exist only once apps are ready.
        from django.utils.translation import gettext_lazy as _l

        from estatedesk.core import panels
        from estatedesk.workcal.views import upkeep_panel_items

        panels.register(
            "calendar",
            title=_l("Calendar upkeep"),
            empty=_l("The calendar is up to date."),
            fill=lambda user, shared: upkeep_panel_items(),
        )
