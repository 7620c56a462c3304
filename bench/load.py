"""The HTTP load generator of `make bench` and `make crash-test`, run as its own process so
it never shares an interpreter with the server it measures.

    python bench/load.py intake   --port P --slug S --clients 32 --seconds 15 [--acked FILE]
                                  [--stop-file FILE]
    python bench/load.py baseline --port P --slug S --clients 32 --seconds 15
    python bench/load.py login    --port P --clients 8 --codenames FILE
    python bench/load.py staff    --port P --username U --password W --totp-key HEX --path …

Each client is a thread with its own session, as an applicant's browser would be: it fetches
the form once (session cookie and CSRF token), then posts. A response counts as acknowledged
only when the page carries the codename; with --acked every acknowledged codename is appended
to FILE the moment it arrives, which is what the crash test checks afterwards. Prints JSON.
"""

import argparse
import http.client
import json
import re
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django_otp.oath import totp

CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKET_RE = re.compile(rb'name="token" value="([^"]+)"')
CODENAME_RE = re.compile(rb'<p class="codename" id="codename">([^<]+)</p>')
FORM = {
    "intent": "apply",
    "direction": "Запорожское направление, у реки",
    "group": "alone",
    "surname": "Орлов",
    "first_names": "Иван Петрович",
    "message": "Хочу перейти как можно скорее.",
}


class Unreachable(Exception):
    """The server did not answer: refused, reset or timed out (the crash test kills it)."""


@dataclass
class Browser:
    """One client: a cookie jar of one cookie, and a fresh connection per request (gunicorn's
    sync workers close the connection after each response anyway)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Unreachable(str(error)) from error
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def csrf_token(self, path: str) -> str:
        return self.form(path)["csrfmiddlewaretoken"]

    def form(self, path: str) -> dict[str, str]:
        """The form's own hidden fields: its CSRF token and, on an application form, the
        ticket the server gave it (cases/pacing.py)."""
        status, _, content = self.request("GET", path)
        found = CSRF_RE.search(content)
        if status != 200 or found is None:
            raise Unreachable(f"no form at {path} ({status})")
        fields = {"csrfmiddlewaretoken": found.group(1).decode()}
        ticket = TICKET_RE.search(content)
        if ticket is not None:
            fields["token"] = ticket.group(1).decode()
        return fields


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "count": len(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": 1000 * ordered[-1],
    }


def run_clients(clients: int, seconds: float, work) -> dict:
    """Run `work(browser, deadline, record)` in `clients` threads; gather latencies."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def record(latency: float | None, error: str = "") -> None:
        with lock:
            if error:
                errors[error] = errors.get(error, 0) + 1
            else:
                latencies.append(latency or 0.0)

    start = time.perf_counter()
    deadline = start + seconds
    threads = [
        threading.Thread(target=work, args=(index, deadline, record)) for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "clients": clients,
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        **percentiles(latencies),
        "errors": errors,
    }


def post_applications(args, path: str, acknowledge) -> dict:
    """Each client posts applications until the time is up (or --stop-file appears). Like a
    browser whose page did not load, it sends the same form again, same ticket, until it is
    answered; a lost session (403) means the form loaded again. Loading the form, which gives
    each application its ticket, is not in the timing: a person reads it before he sends."""
    stop = Path(args.stop_file) if args.stop_file else None

    def finished(deadline: float) -> bool:
        return time.perf_counter() >= deadline or (stop is not None and stop.exists())

    def work(index: int, deadline: float, record) -> None:
        browser = Browser(args.port)
        while not finished(deadline):
            hidden: dict[str, str] = {}
            give_up = time.perf_counter() + 60
            while time.perf_counter() < give_up:
                try:
                    if not hidden:  # the form, as a browser loads it: untimed, like reading
                        hidden = browser.form(f"/ru/{args.slug}/apply/")
                        hidden.setdefault("token", secrets.token_urlsafe(32))  # the baseline
                    began = time.perf_counter()
                    status, headers, content = browser.request("POST", path, {**FORM, **hidden})
                    if status == 302:  # stored: the codename page follows (post/redirect/get)
                        location = urlsplit(headers["Location"]).path
                        status, _, content = browser.request("GET", location)
                    latency = time.perf_counter() - began
                except Unreachable:
                    record(None, "unreachable, sent again")
                    time.sleep(0.05)
                    continue
                if status == 403:
                    hidden = {}
                    record(None, "session lost, sent again")
                    continue
                if status == 200 and acknowledge(content):
                    record(latency)
                else:
                    record(None, f"status {status}")
                break
            else:
                record(None, "gave up after a minute")

    return run_clients(args.clients, args.seconds, work)


def intake(args) -> dict:
    acked = Path(args.acked).open("a") if args.acked else None  # noqa: SIM115
    lock = threading.Lock()

    def acknowledge(content: bytes) -> bool:
        found = CODENAME_RE.search(content)
        if found is None:
            return False
        if acked is not None:
            with lock:
                acked.write(found.group(1).decode() + "\n")
                acked.flush()
        return True

    try:
        return post_applications(args, f"/ru/{args.slug}/apply/", acknowledge)
    finally:
        if acked is not None:
            acked.close()


def baseline(args) -> dict:
    return post_applications(
        args, f"/bench/baseline/{args.slug}/", lambda content: content == b"stored"
    )


def login(args) -> dict:
    """Codename entry: each client takes codenames from the list, signs in, and checks that
    the status page shows the case (a reply form is there only for an opened case)."""
    pending = Path(args.codenames).read_text().split("\n")
    pending = [codename for codename in pending if codename]
    lock = threading.Lock()
    failed: list[str] = []

    def work(index: int, deadline: float, record) -> None:
        while True:
            with lock:
                if not pending:
                    return
                codename = pending.pop()
            browser = Browser(args.port)
            why = ""
            try:
                csrf = browser.csrf_token("/ru/enter/")
                began = time.perf_counter()
                status, headers, _ = browser.request(
                    "POST", "/ru/enter/", {"codename": codename, "csrfmiddlewaretoken": csrf}
                )
                latency = time.perf_counter() - began
                if status != 302 or urlsplit(headers["Location"]).path != "/ru/my/":
                    why = f"refused ({status})"
                else:
                    page_status, _, page = browser.request("GET", "/ru/my/")
                    if page_status != 200 or b'action="/ru/my/reply/"' not in page:
                        why = f"case not shown ({page_status})"
            except Unreachable as error:
                why = f"unreachable: {error}"
            if why:
                record(None, why)
                with lock:
                    failed.append(codename)
            else:
                record(latency)

    result = run_clients(args.clients, float("inf"), work)
    result["failed"] = len(failed)
    if failed and args.failed:
        Path(args.failed).write_text("\n".join(failed))
    return result


def staff(args) -> dict:
    """One staff member, signed in with password and TOTP, loads each page in turn."""
    browser = Browser(args.port)
    csrf = browser.csrf_token("/en/staff/login/")
    status, headers, _ = browser.request(
        "POST",
        "/en/staff/login/",
        {"username": args.username, "password": args.password, "csrfmiddlewaretoken": csrf},
    )
    csrf = browser.csrf_token(urlsplit(headers["Location"]).path)
    code = f"{totp(bytes.fromhex(args.totp_key)):06d}"
    status, _, _ = browser.request(
        "POST", "/en/staff/second-factor/", {"token": code, "csrfmiddlewaretoken": csrf}
    )
    if status != 302:
        raise SystemExit(f"staff sign-in failed ({status})")
    pages = {}
    for path in args.path:
        samples = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            status, _, _ = browser.request("GET", path)
            samples.append(time.perf_counter() - began)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        pages[path] = percentiles(samples)
    return {"pages": pages}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["intake", "baseline", "login", "staff"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--acked")
    parser.add_argument("--stop-file")
    parser.add_argument("--codenames")
    parser.add_argument("--failed", help="write codenames that did not open their case here")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--totp-key")
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    scenario = {"intake": intake, "baseline": baseline, "login": login, "staff": staff}
    print(json.dumps(scenario[args.scenario](args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
