from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "estatedesk.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # Imported here, not at the top: these modules load models (the workflow through the
        # typed actor), which exist only once the app registry is ready.
        from estatedesk.complaints import (
            key_households,
            personal_data,
            recompute,
            retention,
            tally,
            tasks,
            workflow,
        )  # (like those below: they need the app registry)
        from estatedesk.complaints.selectors import complaints_by_channel
        from estatedesk.complaints.views.panels import register_panels
        from estatedesk.core import flowchart
        from estatedesk.org import hooks as org_hooks
        from estatedesk.org import key_households as surveys_hear
        from estatedesk.org.channels import register_usage
        from estatedesk.workcal.recompute import register, register_hours

        # The kept counts' triggers are off while migrations run (SQLite copies a table to alter
        # it, which another table's trigger naming it would stop) and on again, with the counts
        # counted again, after (decision 0053).
        pre_migrate.connect(tally.drop_before_migrate, sender=self)
        post_migrate.connect(tally.count_after_migrate, sender=self)
        # The complaint module tells the calendar which deadlines to recompute (SPEC K-5).
        register(recompute.calendar_changed)
        register_hours(recompute.hours_changed)
        # The kept counts are by the company's calendar day: a new time zone re-dates them.
        org_hooks.on_time_zone_changed(tasks.redate_complaints)
        register_panels()
        # A channel complaints came in by is never deleted (C-1).
        register_usage(complaints_by_channel)
        # The next survey's key sample (§7.3.6b): who complained or was dissatisfied.
        surveys_hear.register(key_households.key_households)
        # The procedure's flowcharts on the help page (K-17), drawn from the workflows.
        # Translators: §9.1 業戶投訴處理流程圖
        flowchart.publish("complaint", workflow.COMPLAINT, title=_("Complaint handling flowchart"))
        # Translators: §9.5 工作傳簽流程圖
        flowchart.publish("slip", workflow.SLIP, title=_("Work transfer slip flowchart"))
        flowchart.publish("notice", workflow.NOTICE, title=_("Work arrangement notice flowchart"))
        # What the records floor keeps, archives and disposes of, and what a person may ask for (D-1 … D-3).
        retention.register_types()
        personal_data.register()
