from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "safepassage.inbox"
    label = "inbox"
    verbose_name = "Inbox"
