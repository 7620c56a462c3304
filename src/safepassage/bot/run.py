"""The bot's one dispatcher. `safepassage bot` polls Telegram with it (outbound connections
only: nothing listens); tests and the benchmark feed it updates through a recording session,
with no network. What changes per run (the chats remembered, the programme served) is passed
as workflow data, so the same dispatcher serves both."""

from aiogram import Dispatcher

from safepassage.bot import families
from safepassage.bot.conversation import forget_everything, router, sweep_left_behind

DISPATCHER = Dispatcher()
DISPATCHER.include_router(families.router)  # first: its steps are a relative's, not an applicant's
DISPATCHER.include_router(router)
DISPATCHER.shutdown.register(forget_everything)  # nothing shown is left behind on a restart
DISPATCHER.startup.register(sweep_left_behind)  # nor after a process killed outright
ALLOWED_UPDATES = ["message", "callback_query"]
