"""What the server's and the bot's logs may say: no address, no case reference, no codename,
no token.

Django logs every 404 and refused request with its path ("Not Found: /en/staff/case/ABCD-EFGH/"),
and a path names a case or carries an invitation's token; `runserver` logs every request's
path (django.server). aiogram logs a dropped connection with the Bot API address, which holds
the bot's token ("…/bot123:AA…/getUpdates"), in the message or the traceback: whoever reads the
journal could take over the official bot. Written by hand because no library redacts these;
the filter below sits on every handler (settings.LOGGING), tracebacks included.
"""

import logging
import re

# A case reference (cases.submission.REFERENCE_ALPHABET, four and four).
REFERENCE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
# Loggers whose messages carry the request path ("Not Found: /en/…").
PATH_LOGGERS = ("django.request", "django.security", "django.server")
PATH = re.compile(r"(?<![\w.])/\S*")
# A Telegram bot token, wherever it stands (an address, an error's text).
BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# The credentials in an address ("socks5://user:password@host"): a proxy's, in its errors.
CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")


def redacted(text: str) -> str:
    text = CREDENTIALS.sub("[credentials]@", BOT_TOKEN.sub("[token]", text))
    return REFERENCE.sub("[case]", text)


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name.startswith(PATH_LOGGERS):
            # Keep what happened ("Not Found"), not where.
            message = PATH.sub("[address]", message)
            record.request = None
        record.msg, record.args = redacted(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redacted(record.exc_text)
        return True
