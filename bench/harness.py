"""The real server for `make bench` and `make crash-test`: gunicorn with the production
settings on its own SQLite database (or a fresh PostgreSQL one), started, killed and restarted
from outside, and the load generator (load.py) run against it as a separate process."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(var_dir: Path, database_url: str = "") -> dict[str, str]:
    """Production settings: keys from the environment, the interactive KDF, no debug; the
    database is SQLite in WAL mode with synchronous=FULL, as `make run` has it, unless a
    PostgreSQL `database_url` is given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFEPASSAGE_", "DJANGO_", "PYTEST"))
    }
    env.update(
        SAFEPASSAGE_VAR_DIR=str(var_dir),
        SAFEPASSAGE_SECRET_KEY=secrets.token_urlsafe(50),
        SAFEPASSAGE_CODENAME_PEPPER=secrets.token_hex(32),
        SAFEPASSAGE_AUDIT_KEY=secrets.token_hex(32),
        SAFEPASSAGE_KDF_PROFILE="interactive",
        SAFEPASSAGE_DEBUG="false",
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(BENCH / "site"), str(BENCH)]),
    )
    if database_url:
        env["SAFEPASSAGE_DATABASE_URL"] = database_url
    # Kept beside the data (test keys only), so a failed run can be examined afterwards.
    (var_dir / "env.json").write_text(
        json.dumps({k: v for k, v in env.items() if k.startswith(("SAFEPASSAGE_", "DJANGO_"))})
    )
    return env


class Server:
    """gunicorn in a process group of its own, so a kill takes the master and every worker
    at once, as a power cut or an OOM kill would."""

    def __init__(self, env: dict[str, str], *, workers: int | None = None) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            str(BIN / "gunicorn"),
            "--config=python:safepassage.gunicorn_conf",  # as in production
            f"--bind=127.0.0.1:{self.port}",
            *([f"--workers={self.workers}"] if self.workers else []),
            "--log-level=warning",
            "safepassage.wsgi",
        ]
        self.process = subprocess.Popen(
            command, env=self.env, start_new_session=True, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ru/safety/") as page:
                    if page.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """kill -9 of the master and all its workers."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "safepassage"), *args], env=env, capture_output=True, text=True, check=False
    )


def prepare(env: dict[str, str], cases: int = 0) -> dict[str, str]:
    """A migrated database with the bench programme, a staff account and `cases` cases."""
    for command in (("migrate", "--no-input"), ("createcachetable",)):
        done = manage(env, *command)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
    output = subprocess.run(
        [sys.executable, str(BENCH / "prepare.py"), str(cases)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def load(env: dict[str, str], scenario: str, port: int, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, str(BENCH / "load.py"), scenario, f"--port={port}", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def start_load(env: dict[str, str], scenario: str, port: int, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(BENCH / "load.py"), scenario, f"--port={port}", *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def new_var_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sp-bench-"))


def discard(var_dir: Path) -> None:
    """Remove a run's data (a million cases take half a gigabyte)."""
    shutil.rmtree(var_dir, ignore_errors=True)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server at `server_url` for one run, dropped
    afterwards; yields its URL."""
    import psycopg

    name = f"safepassage_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
