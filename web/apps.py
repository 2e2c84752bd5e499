from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Svar web"

    def ready(self) -> None:
        from web.security.login_throttle import connect_signals

        connect_signals()
