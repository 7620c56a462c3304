"""`safepassage bot`: run the Telegram bot by long polling for the programme named by
SAFEPASSAGE_BOT_PROGRAMME, through the API server and proxy the settings name
(bot/session.py). Without SAFEPASSAGE_TELEGRAM_TOKEN it says so and exits 0. SIGTERM and
SIGINT stop it cleanly, after it has deleted what it still showed a signed-in applicant."""

import asyncio
import logging
from typing import Any

from aiogram import Bot
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safepassage.bot import session
from safepassage.bot.chats import Chats
from safepassage.bot.run import ALLOWED_UPDATES, DISPATCHER
from safepassage.programmes.models import Programme

log = logging.getLogger("safepassage.bot")


class Command(BaseCommand):
    help = "Run the Telegram bot (long polling; outbound connections only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_TOKEN:
            self.stdout.write(
                "No Telegram token (SAFEPASSAGE_TELEGRAM_TOKEN or _FILE): the bot does not run."
            )
            return
        slug = settings.BOT_PROGRAMME
        if not Programme.objects.filter(slug=slug).exists():
            raise CommandError("SAFEPASSAGE_BOT_PROGRAMME must name an existing programme.")
        asyncio.run(self._poll(slug))

    async def _poll(self, slug: str) -> None:
        bot = Bot(settings.TELEGRAM_TOKEN, session=session.telegram_session())
        via = " through a proxy" if session.proxies() else ""
        log.info("Bot of programme %s: API server %s%s; polling.", slug, session.api_host(), via)
        try:
            await DISPATCHER.start_polling(
                bot,
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=True,
                chats=Chats(),
                programme_slug=slug,
            )
        finally:
            await bot.session.close()
