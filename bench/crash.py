"""`make crash-test`: kill -9 the real server again and again under a burst of applications,
then check that nothing acknowledged was lost and nothing was half-written.

While 16 clients keep applying (each sending its form again, same token, until it is
answered, as a browser would), the server — gunicorn master and workers, on SQLite with
synchronous=FULL — is started and killed with SIGKILL `--kills` times at random moments.
Afterwards, on a fresh server:
- every codename a client was shown signs in and opens its case (the load generator's
  `login` scenario);
- there are exactly as many cases as codenames shown: no resubmission made a second case;
- the database passes SQLite's integrity check; every case has its codename, its sealed key,
  its `case.opened` entry, and its `case.apply` move; the counters agree with the cases; the
  audit chain verifies.
Prints the report as JSON; exits 1 if anything failed.

    python bench/crash.py [--kills 20]
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import harness


def crash_test(kills: int = 20, clients: int = 16) -> dict:
    var = harness.new_var_dir()
    env = harness.server_env(var)
    harness.prepare(env)
    acked, stop = var / "acked.txt", var / "stop"
    server = harness.Server(env)
    load = harness.start_load(
        env,
        "intake",
        server.port,
        f"--clients={clients}",
        "--seconds=3600",
        f"--acked={acked}",
        f"--stop-file={stop}",
    )
    for _ in range(kills):
        server.start()
        time.sleep(random.uniform(0.2, 1.2))
        server.kill()
    server.start()
    time.sleep(1)
    stop.touch()
    intake = json.loads(load.communicate()[0])
    shown = [line for line in acked.read_text().splitlines() if line]
    signed_in = harness.load(
        env, "login", server.port, "--clients=8", f"--codenames={acked}", f"--failed={var}/failed"
    )
    server.stop()
    stored = json.loads(
        subprocess.run(
            [sys.executable, __file__, "inspect"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    report = {
        "kills": kills,
        "acknowledged": len(shown),
        "distinct_codenames": len(set(shown)),
        "intake": intake,
        "signed_in": signed_in["count"],
        "failed_to_sign_in": signed_in["failed"],
        "sign_in_errors": signed_in["errors"],
        "stored": stored,
    }
    report["problems"] = problems(report)
    if report["problems"]:
        report["kept_for_examination"] = str(var)
    else:
        harness.discard(var)
    return report


def problems(report: dict) -> list[str]:
    found = []
    if report["acknowledged"] == 0:
        found.append("no application was acknowledged: the load did not run")
    if report["failed_to_sign_in"] or report["signed_in"] != report["acknowledged"]:
        found.append("an acknowledged codename did not open its case")
    if report["stored"]["cases"] != report["distinct_codenames"]:
        found.append("cases stored differ from codenames shown (lost, or made twice)")
    found.extend(report["stored"]["problems"])
    return found


def inspect() -> dict:
    """Run inside the server's environment: what the database holds after the crashes."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from safepassage.audit.log import verify
    from safepassage.audit.models import AuditEvent
    from safepassage.cases import counts
    from safepassage.cases.dossier import AT_APPLICATION
    from safepassage.cases.models import Case

    found = []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        if cursor.fetchone()[0] != "ok":
            found.append("SQLite integrity check failed")
    cases = Case.objects.annotate(
        credentials=Count("codenames", distinct=True),  # nobody made a duress one
        case_keys=Count("keys", distinct=True),
    )
    if (
        cases.exclude(credentials=1).exists()
        or cases.exclude(case_keys=len(AT_APPLICATION)).exists()
    ):
        found.append("a case without exactly one codename or without each of its groups' keys")
    references = set(cases.values_list("reference", flat=True))
    for action in ("case.opened", "case.apply"):
        logged = set(AuditEvent.objects.filter(action=action).values_list("case_ref", flat=True))
        if logged != references:
            found.append(f"{action} entries do not match the cases")
    if Case.objects.exclude(state="applied").exists():
        found.append("a case in a state other than applied")
    stored = dict(Case.objects.values_list("programme_id").annotate(n=Count("pk")))
    for programme_id, n in stored.items():
        if counts.by_state([programme_id]).get("applied") != n:
            found.append("the counters disagree with the cases")
    found.extend(f"audit chain: {problem}" for problem in verify())
    return {"cases": len(references), "problems": found}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", nargs="?", default="run", choices=["run", "inspect"])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    if args.step == "inspect":
        print(json.dumps(inspect()))
        return 0
    report = crash_test(args.kills)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "crash.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
