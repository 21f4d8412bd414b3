from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's command, its background job and its progress record, above every app they load."""

    name = "estatedesk.demo"
    label = "demo"

    def ready(self) -> None:
        # Imported in ready(): the notice reads the progress model.
        from estatedesk.core import panels
        from estatedesk.demo.progress import home_notice

        panels.register_notice("demo_history", home_notice)
