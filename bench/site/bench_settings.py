"""Settings of the server that `make bench` and `make crash-test` start: the production
settings, plus one extra URL for the baseline the intake figures are set against."""

from safepassage.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

# Each load client is one browser session sending application after application, hundreds a
# second in all: honest clients of a benchmark, not a flood (intake/flood.py), who send each
# form the moment they load it, as no person can (cases/pacing.py: the ticket's wait is off,
# its signature and check are not).
INTAKE_APPLICATIONS_PER_SESSION = 10**9
INTAKE_FLOOD_PER_MINUTE = 0  # off
INTAKE_FORM_SECONDS = 0
