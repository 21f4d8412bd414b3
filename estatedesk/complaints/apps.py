from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "estatedesk.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # Imported here, not at the top: these modules read models, which exist only once the
        # app registry is ready.
        from estatedesk.complaints import recompute
        from estatedesk.complaints.views.panels import register_panels
        from estatedesk.workcal.recompute import register, register_hours

        # The complaint module tells the calendar which deadlines to recompute (SPEC K-5).
        register(recompute.calendar_changed)
        register_hours(recompute.hours_changed)
        register_panels()
