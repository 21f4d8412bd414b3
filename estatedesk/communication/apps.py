from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "estatedesk.communication"
    label = "communication"
    verbose_name = _("Customer communication")

    def ready(self) -> None:
        # Imported here, not at the top: the workflow machinery reads the user model (core.actors).
        from estatedesk.communication.home_panel import register_panels
        from estatedesk.communication.workflow import CONTRACT, INCIDENT, NOTICE
        from estatedesk.core import flowchart

        flowchart.publish("customer_notice", NOTICE, title=_("Notice to customers flowchart"))
        flowchart.publish("contract", CONTRACT, title=_("Contract communication flowchart"))
        flowchart.publish("property_incident", INCIDENT, title=_("Customer property incident flowchart"))
        register_panels()
