"""What the server's log may say: no address, no case reference, no codename.

Django logs every 404 and refused request with its path ("Not Found: /en/staff/case/ABCD-EFGH/"),
and a path names a case. Written by hand because no library redacts Django's request log;
the filter below sits on every handler (settings.LOGGING).
"""

import logging
import re

# A case reference (cases.submission.REFERENCE_ALPHABET, four and four).
REFERENCE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
# Loggers whose messages carry the request path ("Not Found: /en/…").
PATH_LOGGERS = ("django.request", "django.security", "django.server")
PATH = re.compile(r"(?<![\w.])/\S*")


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name.startswith(PATH_LOGGERS):
            # Keep what happened ("Not Found"), not where.
            message = PATH.sub("[address]", message)
            record.request = None
        record.msg, record.args = REFERENCE.sub("[case]", message), ()
        return True
