from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "estatedesk.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        # Imported here, not at the top: the workflow machinery reads the user model (core.actors).
        from estatedesk.core import flowchart
        from estatedesk.surveys import personal_data, retention
        from estatedesk.surveys.home_panel import register_panels
        from estatedesk.surveys.workflow import CONSULTATION, SUGGESTION, SURVEY

        register_panels()
        retention.register_types()  # the records the disposal job knows (D-1, D-2)
        personal_data.register()  # what a person's copy and erasure reach here (D-3)
        flowchart.publish("survey", SURVEY, title=_("Satisfaction survey flowchart"))
        flowchart.publish("consultation", CONSULTATION, title=_("Monthly consultation flowchart"))
        flowchart.publish("suggestion", SUGGESTION, title=_("Improvement suggestion flowchart"))
