from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "estatedesk.rectification"
    label = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        # Imported here, not at the top: the workflow machinery reads the user model (core.actors).
        from estatedesk.core import flowchart
        from estatedesk.rectification import home_panel, personal_data, retention
        from estatedesk.rectification.workflow import ITEM

        flowchart.publish("rectification_item", ITEM, title=_("Property rectification flowchart"))
        home_panel.register_panels()  # overdue items of the property company, the developer and the team
        retention.register_types()  # the rectification records (D-1, D-2)
        personal_data.register()  # what the app holds about a person (D-3)
