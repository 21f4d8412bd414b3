from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "estatedesk.communication"
    label = "communication"
    verbose_name = _("Customer communication")

    def ready(self) -> None:
        # Imported here, not at the top: the workflow machinery reads the user model (core.actors).
        from estatedesk.communication import home_panel, log_panel, personal_data, property_panel, retention
        from estatedesk.communication.channel_usage import channel_uses
        from estatedesk.communication.workflow import CONTRACT, INCIDENT, NOTICE
        from estatedesk.core import flowchart
        from estatedesk.org.channels import register_usage

        # A channel notices, contacts, contracts or incidents went by is never deleted (C-1).
        register_usage(channel_uses)

        flowchart.publish("customer_notice", NOTICE, title=_("Notice to customers flowchart"))
        flowchart.publish("contract", CONTRACT, title=_("Contract communication flowchart"))
        flowchart.publish("property_incident", INCIDENT, title=_("Customer property incident flowchart"))
        home_panel.register_panels()  # notices needing action
        log_panel.register_panels()  # overdue follow-ups of the communication log
        property_panel.register_panels()  # open customer-property incidents
        retention.register_types()  # notices, the log, contracts, customer property (D-1, D-2)
        personal_data.register()  # what the app holds about a person (D-3)
