"""gunicorn's settings for Safe Passage, in production and in `make bench`:

    gunicorn --config python:safepassage.gunicorn_conf safepassage.wsgi

Workers default to one more than the cores (WEB_CONCURRENCY overrides): on two cores, three
gave the most applications per second; more only queue for SQLite's one write lock.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("SAFEPASSAGE_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
timeout = 30
umask = 0o077  # files the workers create (SQLite's WAL and shared memory) are owner-only
# No access log: a line with a time and a path is a fact about an applicant.
accesslog = None
# The application is loaded once, before the workers fork, and what it allocated is moved
# out of the collector's sight; each worker then collects young objects less often. Django
# allocates a great deal per request; this saved a few per cent of CPU under load.
preload_app = True


def when_ready(server: object) -> None:
    gc.collect()
    gc.freeze()


def post_fork(server: object, worker: object) -> None:
    gc.set_threshold(50_000, 20, 20)
