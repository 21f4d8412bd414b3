from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "estatedesk.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # The complaint module tells the calendar which deadlines to recompute (SPEC K-5).
        from estatedesk.complaints import recompute
        from estatedesk.workcal.recompute import register, register_hours

        register(recompute.calendar_changed)
        register_hours(recompute.hours_changed)

        from estatedesk.complaints.home_panels import register_panels

        register_panels()
