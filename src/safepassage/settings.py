"""Django settings, read from SAFEPASSAGE_* environment variables.

Without configuration the project runs as a local demo: an embedded SQLite database and the
server secrets are created under var/ (mode 0600) on first start. Production sets every secret
through the environment; `safepassage check --deploy` says what is missing.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

# Every file a Safe Passage process creates (the database and its WAL, secrets, backups, the
# writers' lock) is readable by its owner only, from its first byte (issue #16).
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SAFEPASSAGE_VAR_DIR", BASE_DIR.parent.parent / "var"))
TESTING = "pytest" in sys.modules


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def given_secret(name: str) -> str:
    """A secret from the file SAFEPASSAGE_<NAME>_FILE names (systemd's LoadCredential puts
    one on a tmpfs), or from SAFEPASSAGE_<NAME>; "" when neither is set."""
    from_file = os.environ.get(f"SAFEPASSAGE_{name.upper()}_FILE")
    if from_file:
        return Path(from_file).read_text().strip()
    return os.environ.get(f"SAFEPASSAGE_{name.upper()}", "")


def local_secret(name: str) -> str:
    """A given secret (`given_secret`), or one generated once and kept under var/."""
    value = given_secret(name)
    if value:
        return value
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = VAR_DIR / f"{name}.secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


DEBUG = env_flag("SAFEPASSAGE_DEBUG")
SECRET_KEY = local_secret("secret_key")
# Keys the hashes of codenames; never stored in the database.
CODENAME_PEPPER = bytes.fromhex(local_secret("codename_pepper"))
# Keys the audit chain, so whoever can write the database cannot rewrite the chain.
AUDIT_KEY = bytes.fromhex(local_secret("audit_key"))
# Signs anchors of the chain's head (audit/anchor.py), written where the server cannot change
# them. Both unset: no anchors (the local demo).
AUDIT_ANCHOR_KEY = given_secret("audit_anchor_key")
AUDIT_ANCHOR_DIR = os.environ.get("SAFEPASSAGE_AUDIT_ANCHOR_DIR", "")

ALLOWED_HOSTS = os.environ.get("SAFEPASSAGE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("SAFEPASSAGE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
SECURE = env_flag("SAFEPASSAGE_SECURE_COOKIES")
# Staff pages are served only on these hosts, applicant pages only on the others (lib/hosts.py).
STAFF_HOSTS = [
    h.strip().lower() for h in os.environ.get("SAFEPASSAGE_STAFF_HOSTS", "").split(",") if h
]
# Behind the documented nginx: it sets X-Forwarded-Proto and X-Real-IP on every request,
# overwriting whatever a client sent, and nothing reaches the application servers otherwise.
BEHIND_PROXY = env_flag("SAFEPASSAGE_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "safepassage.vault",
    "safepassage.audit",
    "safepassage.programmes",
    "safepassage.cases",
    "safepassage.intake",
    "safepassage.passage",
    "safepassage.reception",
    "safepassage.aftercare",
    "safepassage.volunteer",
    "safepassage.families",
    "safepassage.inbox",
    "safepassage.bot",
    "safepassage.outreach",
    "safepassage.ops",
    "safepassage.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "safepassage.middleware.NoUploadsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the user and the language are known, so its 404 is the ordinary page.
    "safepassage.lib.hosts.HostsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "safepassage.middleware.NoStoreMiddleware",
    "safepassage.middleware.KeysNotGrantedMiddleware",
    "axes.middleware.AxesMiddleware",
]

# A refused staff action is shown on the page it returns to; kept in the server-side session,
# never in a cookie. Applicant pages use none.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "safepassage.urls"
WSGI_APPLICATION = "safepassage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safepassage.context_processors.language_links",
                "safepassage.context_processors.zones",
                "safepassage.context_processors.demo",
                "safepassage.dashboard.navigation.staff_navigation",
            ],
            "builtins": ["safepassage.lib.display_tags"],
        },
    }
]

# SQLite in WAL mode with synchronous=FULL: an acknowledged application survives a crash.
DATABASE_URL = os.environ.get("SAFEPASSAGE_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "safepassage.sqlite",
            "NAME": os.environ.get("SAFEPASSAGE_SQLITE_PATH", str(VAR_DIR / "safepassage.sqlite3")),
            "OPTIONS": {
                # secure_delete: freed pages are zeroed, so a shredded case leaves no bytes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                " PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;",
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
            # Kept open between requests: opening SQLite and reading its schema again cost
            # each request about a tenth of its time (`make bench`, py-spy).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "safepassage_cache",
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff:login"

# Staff: django-axes records failed sign-ins; it locks nobody out. Wrong passwords are slowed
# by growing waits per username at an address and per address (programmes/throttle.py), so
# nobody who knows a username can lock its owner out.
AXES_LOCK_OUT_AT_FAILURE = False
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "safepassage.lib.hosts.client_address"

# One session cookie, HttpOnly and SameSite=Strict, gone when the browser closes. The cookie
# also carries the key that opens the secrets kept in the session (see vault/sessions.py).
SESSION_ENGINE = "safepassage.vault.sessions"
SESSION_COOKIE_NAME = "sp"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = SECURE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
APPLICANT_IDLE_SECONDS = 10 * 60
# The codename page tells the applicant to come back no sooner than this: we answer by then.
INTAKE_FIRST_ANSWER_HOURS = int(os.environ.get("SAFEPASSAGE_FIRST_ANSWER_HOURS", "48"))
STAFF_IDLE_SECONDS = 30 * 60
CSRF_USE_SESSIONS = True
CSRF_COOKIE_SECURE = SECURE
CSRF_FAILURE_VIEW = "safepassage.errors.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer browsers send "Origin: null" on form
# posts, which the CSRF check must refuse. Our URLs carry no secrets; other sites get nothing.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_flag("SAFEPASSAGE_SSL_REDIRECT")
# Django's redirect is all or nothing, and the onion service is plain HTTP inside Tor: with
# staff hosts named, hosts.HostsMiddleware sends those (and only those) to HTTPS instead.
SILENCED_SYSTEM_CHECKS = ["security.W008"] if STAFF_HOSTS else []
SECURE_HSTS_SECONDS = int(os.environ.get("SAFEPASSAGE_HSTS_SECONDS", "0"))
# Only sent once HSTS is on (SAFEPASSAGE_HSTS_SECONDS > 0); a dedicated domain wants both.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SAFEPASSAGE_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("SAFEPASSAGE_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"

# Nothing from another origin, no inline script or style, forms post only to this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# Request bodies are small forms; anything larger is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
FILE_UPLOAD_HANDLERS: list[str] = []  # no page takes a file (middleware.NoUploadsMiddleware)

LANGUAGE_CODE = "ru"
# Ukrainian and Belarusian join when their catalogues are complete.
LANGUAGES = [
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("be", _("Belarusian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One date format per language; see safepassage/lib/display.py for how times are shown.
FORMAT_MODULE_PATH = ["safepassage.formats"]
LANGUAGE_COOKIE_NAME = "sp_lang_unused"  # never set: the language lives in the URL

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Argon2id cost for unwrapping keys with a staff password or a codename.
# "interactive" in production; tests use the library minimum to stay fast.
KDF_PROFILE = os.environ.get("SAFEPASSAGE_KDF_PROFILE", "minimum" if TESTING else "interactive")
# Wraps each staff member's own private key under his password: at least `moderate`, as it
# opens every programme key granted to him.
STAFF_KEY_PROFILE = os.environ.get(
    "SAFEPASSAGE_STAFF_KEY_PROFILE", "minimum" if TESTING else "moderate"
)

OTP_TOTP_ISSUER = "Safe Passage"

# Logs carry no request bodies, no codenames and no personal data: only what Django's request
# logger writes (method, path, status), and paths never hold secrets.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No path, case reference or codename in a log line (logs.py).
    "filters": {"redact": {"()": "safepassage.logs.Redact"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # aiogram never logs an update at WARNING; nothing of a chat reaches a log line.
    "loggers": {
        # Django's own config gives runserver's request log a handler of its own, which
        # would never reach the filter: it goes through ours, one line per request, no path.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "aiogram": {"level": "WARNING"},
        "safepassage.bot": {"level": "INFO"},  # one line at start-up (bot/session.py)
        "fpdf.svg": {"level": "ERROR"},  # the pictograms' <title> tags, which it skips
    },
}

# Probe signal: this many near-identical applications within this many minutes.
PROBE_BURST_SIZE = int(os.environ.get("SAFEPASSAGE_PROBE_BURST_SIZE", "3"))
PROBE_BURST_MINUTES = int(os.environ.get("SAFEPASSAGE_PROBE_BURST_MINUTES", "60"))
# A flood of junk applications: applications one browser session or one bot chat may send in
# an hour (intake/flood.py); applications a minute above which a programme admits them on a
# schedule, one slot every 60/limit seconds (cases/pacing.py; 0 turns the schedule off); how
# long after a form is given out it can be sent at the earliest, and at the latest.
INTAKE_APPLICATIONS_PER_SESSION = int(os.environ.get("SAFEPASSAGE_APPLICATIONS_PER_SESSION", "3"))
INTAKE_FLOOD_PER_MINUTE = int(os.environ.get("SAFEPASSAGE_FLOOD_PER_MINUTE", "30"))
INTAKE_FORM_SECONDS = int(os.environ.get("SAFEPASSAGE_FORM_SECONDS", "10"))
INTAKE_FORM_HOURS = int(os.environ.get("SAFEPASSAGE_FORM_HOURS", "12"))
# New applications checked for duplicates and probe signals on each queue page: bounded, so a
# flood never stalls a page; the page says how many are still to be checked.
PROBE_INDEX_PER_PAGE = int(os.environ.get("SAFEPASSAGE_PROBE_INDEX_PER_PAGE", "25"))

# Crossings (passage app). Windows are local times in PASSAGE_WINDOW_ZONE (the receiving
# side); the applicant reads them in PASSAGE_APPLICANT_ZONE, always with the zone named.
PASSAGE_WINDOW_ZONE = os.environ.get("SAFEPASSAGE_WINDOW_ZONE", "Europe/Kyiv")
PASSAGE_APPLICANT_ZONE = os.environ.get("SAFEPASSAGE_APPLICANT_ZONE", "Europe/Moscow")
PASSAGE_WINDOWS = os.environ.get("SAFEPASSAGE_WINDOWS", "01:00-02:30,04:30-06:00")
PASSAGE_PLANNING_DAYS = int(os.environ.get("SAFEPASSAGE_PLANNING_DAYS", "7"))
# A window can be planned only this long before it starts: the unit needs time to answer.
PASSAGE_MIN_NOTICE_HOURS = int(os.environ.get("SAFEPASSAGE_MIN_NOTICE_HOURS", "6"))
# Instructions appear on the applicant's page no earlier than this before the window.
PASSAGE_INSTRUCTION_LEAD_HOURS = int(os.environ.get("SAFEPASSAGE_INSTRUCTION_LEAD_HOURS", "24"))
# No signal is used twice in one sector within this many days.
PASSAGE_SIGNAL_REST_DAYS = int(os.environ.get("SAFEPASSAGE_SIGNAL_REST_DAYS", "7"))
# An arrival may be recorded from this many minutes before the window starts, never earlier.
PASSAGE_ARRIVAL_GRACE_MINUTES = int(os.environ.get("SAFEPASSAGE_ARRIVAL_GRACE_MINUTES", "30"))
# An acknowledged window this long past with no outcome returns the case to verified: past its
# end in a session that reads the window, past the night's end for the worker (which holds
# no key and knows only the night: passage/plans.py).
PASSAGE_MISSED_GRACE_HOURS = int(os.environ.get("SAFEPASSAGE_MISSED_GRACE_HOURS", "6"))
# Above this probe risk (0–1) instructions need a verifier's audited release.
PASSAGE_PROBE_RISK_THRESHOLD = float(os.environ.get("SAFEPASSAGE_PROBE_RISK_THRESHOLD", "0.5"))

# Reception (GC III). Capture cards are due within RECEPTION_CARD_DUE_DAYS of capture, counted
# in whole days of RECEPTION_ZONE (where the prisoner is held).
RECEPTION_ZONE = os.environ.get("SAFEPASSAGE_RECEPTION_ZONE", PASSAGE_WINDOW_ZONE)
RECEPTION_CARD_DUE_DAYS = int(os.environ.get("SAFEPASSAGE_CARD_DUE_DAYS", "7"))
# After-care. Volunteer service cannot start sooner than this after registration.
VOLUNTEER_COOLING_OFF_DAYS = int(os.environ.get("SAFEPASSAGE_VOLUNTEER_COOLING_OFF_DAYS", "14"))
# Answers to relatives' inquiries are released all at once, every this many hours, so the
# moment an answer appears tells nothing (families/inquirers.py).
FAMILIES_RELEASE_HOURS = int(os.environ.get("SAFEPASSAGE_FAMILIES_RELEASE_HOURS", "72"))
# A relative's inquiry is deleted this many days after it came or last changed its answer.
FAMILIES_RETENTION_DAYS = int(os.environ.get("SAFEPASSAGE_FAMILIES_RETENTION_DAYS", "365"))
# Letters and cards a prisoner may send an inquirer a month: never fewer than GC III Art. 71's
# two letters and four cards, whatever these say (families/letters.py).
FAMILIES_LETTERS_PER_MONTH = int(os.environ.get("SAFEPASSAGE_FAMILIES_LETTERS_PER_MONTH", "2"))
FAMILIES_CARDS_PER_MONTH = int(os.environ.get("SAFEPASSAGE_FAMILIES_CARDS_PER_MONTH", "4"))
# Inquiries a minute above which a programme admits them on a schedule, one every 60/limit
# seconds (families/flood.py; 0: no schedule), as INTAKE_FLOOD_PER_MINUTE for applications.
FAMILIES_FLOOD_PER_MINUTE = int(os.environ.get("SAFEPASSAGE_FAMILIES_FLOOD_PER_MINUTE", "30"))
# Inquiries one browser session or bot chat may send an hour.
FAMILIES_INQUIRIES_PER_SESSION = int(os.environ.get("SAFEPASSAGE_INQUIRIES_PER_SESSION", "3"))
# The families blind index keeps this many bits of its keyed digest: 256 buckets, so that
# every bucket holds several prisoners and a hit proves no one's presence (families/models.py).
FAMILIES_INDEX_BITS = int(os.environ.get("SAFEPASSAGE_FAMILIES_INDEX_BITS", "8"))
# The reward schedule a new programme starts with; admins edit it per programme afterwards.
REWARD_CURRENCY = os.environ.get("SAFEPASSAGE_REWARD_CURRENCY", "USD")
REWARD_DEFAULTS = {
    "vehicle": 10_000,
    "armoured_vehicle": 50_000,
    "tank": 100_000,
    "helicopter": 500_000,
    "aircraft_or_ship": 1_000_000,
}

# Background work: django-tasks with its database backend, run by `safepassage worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Retention: cases that ended (closed, cancelled, rejected, compromised, lost) are
# crypto-shredded this many days after they ended.
RETENTION_DAYS = int(os.environ.get("SAFEPASSAGE_RETENTION_DAYS", "180"))

# The Telegram bot (`safepassage bot`, safepassage/bot/): its token, the programme it serves,
# and how long a shown codename stays. Its safety notice names the onion address from the
# programme's official channels (outreach), the one list the leaflets and /verify use too.
TELEGRAM_TOKEN = given_secret("telegram_token")
BOT_PROGRAMME = os.environ.get("SAFEPASSAGE_BOT_PROGRAMME", "")
# Where the bot reaches Telegram (bot/session.py): a local telegram-bot-api server's base URL
# ("" for Telegram's cloud API), whether that server runs in --local mode, and a proxy
# (socks5://, socks4://, http://; several, comma-separated, make a chain). The proxy is read
# like a secret (SAFEPASSAGE_BOT_PROXY or _FILE): its URL may carry a password.
BOT_API_SERVER = os.environ.get("SAFEPASSAGE_BOT_API_SERVER", "")
BOT_API_LOCAL = os.environ.get("SAFEPASSAGE_BOT_API_LOCAL", "").lower() in ("1", "true", "yes")
BOT_PROXY = given_secret("bot_proxy")
BOT_CODENAME_SECONDS = int(os.environ.get("SAFEPASSAGE_BOT_CODENAME_SECONDS", "300"))
# Every message the bot sends a signed-in applicant (his status, our messages, his crossing's
# instructions) is deleted this long after it was sent, and all of them at sign-out.
BOT_SIGNED_IN_SECONDS = int(os.environ.get("SAFEPASSAGE_BOT_SIGNED_IN_SECONDS", "180"))
# Figures per campaign: counts below this are shown as "< N" (outreach/figures.py).
OUTREACH_SMALL_COUNT = int(os.environ.get("SAFEPASSAGE_OUTREACH_SMALL_COUNT", "5"))
