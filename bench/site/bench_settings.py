"""Settings of the server that `make bench` and `make crash-test` start: the production
settings, plus one extra URL for the baseline the intake figures are set against."""

from safepassage.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
