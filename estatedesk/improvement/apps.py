from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "estatedesk.improvement"
    label = "improvement"
    verbose_name = _("Continual improvement")

    def ready(self) -> None:
        # Imported here, not at the top: an AppConfig module is imported before the apps are
        # ready, and the workflow machinery reads the user model (core.actors).
        from estatedesk.core import flowchart
        from estatedesk.improvement import personal_data, retention
        from estatedesk.improvement.services import open_from_suggestion
        from estatedesk.improvement.workflow import ACTION
        from estatedesk.surveys import action_link

        flowchart.publish("action", ACTION, title=_("Corrective / preventive action flowchart"))
        action_link.register(open_from_suggestion)
        retention.register_types()  # the records the disposal job knows (D-1, D-2)
        personal_data.register()  # what a person's copy and erasure reach here (D-3)
