"""Where the bot reaches Telegram (bot/session.py): aiogram's own session, pointed at a local
Bot API server or sent through a proxy or a chain, and the deployment check on plain HTTP."""

from aiohttp_socks import ChainProxyConnector, ProxyConnector

from safepassage.bot import session
from safepassage.logs import redacted
from safepassage.ops.checks import the_bot_token_does_not_cross_a_network_in_plain


def test_without_settings_the_bot_talks_to_telegrams_cloud_api(settings):
    settings.BOT_API_SERVER, settings.BOT_PROXY = "", ""
    made = session.telegram_session()
    assert made.api.base == "https://api.telegram.org/bot{token}/{method}"
    assert made.proxy is None
    assert session.api_host() == "api.telegram.org"


def test_a_local_bot_api_server_in_local_mode(settings):
    settings.BOT_API_SERVER, settings.BOT_API_LOCAL = "http://127.0.0.1:8081", True
    made = session.telegram_session()
    assert made.api.api_url("42:X", "getMe") == "http://127.0.0.1:8081/bot42:X/getMe"
    assert made.api.is_local is True
    assert session.api_host() == "127.0.0.1"


def test_a_proxy_and_a_chain_of_proxies(settings):
    settings.BOT_PROXY = "socks5://sp:secret@127.0.0.1:9050"
    assert session.telegram_session()._connector_type is ProxyConnector
    settings.BOT_PROXY = "socks5://127.0.0.1:9050, socks5://10.0.0.2:1080"
    assert session.telegram_session()._connector_type is ChainProxyConnector


def test_a_proxys_password_never_reaches_a_log_line():
    line = redacted("ProxyError: socks5://sp:secret@10.0.0.2:1080 refused")
    assert "secret" not in line
    assert "sp:" not in line
    assert line == "ProxyError: socks5://[credentials]@10.0.0.2:1080 refused"


def test_check_deploy_warns_on_a_plain_http_api_server_elsewhere(settings):
    settings.BOT_API_SERVER = "http://10.0.0.5:8081"
    assert [w.id for w in the_bot_token_does_not_cross_a_network_in_plain()] == ["safepassage.W006"]
    for fine in ("http://127.0.0.1:8081", "https://bots.example.org", ""):
        settings.BOT_API_SERVER = fine
        assert the_bot_token_does_not_cross_a_network_in_plain() == []
