"""How the bot reaches Telegram: aiogram's own `AiohttpSession`, pointed at a local Bot API
server (`TelegramAPIServer.from_base`) and/or through a proxy or a chain of proxies
(aiohttp-socks), as the settings say. Nothing here is written by hand but the reading of
the settings; what each choice hides is in docs/DEPLOY.md."""

from urllib.parse import urlsplit

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from django.conf import settings


def api_server() -> TelegramAPIServer:
    if not settings.BOT_API_SERVER:
        return PRODUCTION
    return TelegramAPIServer.from_base(settings.BOT_API_SERVER, is_local=settings.BOT_API_LOCAL)


def proxies() -> list[str]:
    return [part.strip() for part in settings.BOT_PROXY.split(",") if part.strip()]


def telegram_session() -> AiohttpSession:
    chain = proxies()
    proxy: str | list[str] | None = (chain[0] if len(chain) == 1 else chain) if chain else None
    return AiohttpSession(api=api_server(), proxy=proxy)


def api_host() -> str:
    """The API server's host, for the start-up line: never a path (the token is in paths)."""
    return urlsplit(settings.BOT_API_SERVER or PRODUCTION.base).hostname or "?"


def plain_http_off_loopback() -> bool:
    """A Bot API server reached over plain HTTP on another machine: the token crosses the
    network readable."""
    parts = urlsplit(settings.BOT_API_SERVER)
    if parts.scheme != "http":
        return False
    return parts.hostname not in ("127.0.0.1", "::1", "localhost")
