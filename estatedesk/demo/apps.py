from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the demo's command and its background job, above every app they load."""

    name = "estatedesk.demo"
    label = "demo"
