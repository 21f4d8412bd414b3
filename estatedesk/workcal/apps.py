from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "estatedesk.workcal"
    label = "workcal"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        # Imported in ready(): these modules define or read models, which exist only once the
        # app registry is ready.
        from estatedesk.core import panels
        from estatedesk.org import hooks
        from estatedesk.workcal import tasks
        from estatedesk.workcal.views import upkeep_panel_rows

        panels.register(
            "calendar",
            title=_("Calendar upkeep"),
            empty=_("The calendar is up to date."),
            fill=lambda user, shared: upkeep_panel_rows(),
        )
        # Open reply deadlines follow office hours (SPEC K-5); org tells us after the change commits.
        hooks.on_office_hours_changed(tasks.recompute_hours)
