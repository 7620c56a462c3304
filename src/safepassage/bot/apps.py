from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "safepassage.bot"
    label = "bot"
    verbose_name = "Telegram bot"
