from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inbox.permissions.roles import ensure_role_groups

        # After Django has created this app's permissions (also a post_migrate receiver).
        post_migrate.connect(ensure_role_groups, sender=self)
