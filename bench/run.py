"""`make bench`: what an application and a codename entry cost, against baselines measured
in the same run on the same machine (these machines are noisy; absolute numbers are not).

- intake: submit_application (seal, encrypt, wrap under the codename, audit, commit) versus a
  bare encrypted insert of the same payload in one transaction.
- codename entry: enter_with_codename versus one codename key derivation (and, for scale,
  one staff-password derivation at the interactive cost).
- planner: 10,000 cases × 200 sectors × 14 windows (bench/planner.py): solve time and gap to
  the LP upper bound, against a greedy baseline in the same run.

Results are printed and written to bench/results/latest.json. Not part of `make test`.
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safepassage.settings")
    os.environ["SAFEPASSAGE_VAR_DIR"] = tempfile.mkdtemp(prefix="sp-bench-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "per_second": len(samples) / sum(samples),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
    }


def main() -> int:
    setup_django()
    from django.db import connection, transaction

    from safepassage.cases import services
    from safepassage.cases.models import Case
    from safepassage.programmes.services import create_programme
    from safepassage.vault import codenames, crypto

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import planner as planner_bench

    programme, _ = create_programme("bench", "Bench")
    answers = {"direction": "north of the river", "surname": "Orlov", "first_names": "Ivan"}
    n = int(os.environ.get("BENCH_N", "200"))

    def bare_insert() -> None:
        key = crypto.new_data_key()
        with transaction.atomic():
            Case.objects.create(
                programme=programme,
                reference=services._new_reference(),
                state="applied",
                sealed_key=crypto.seal(bytes(programme.public_key), key),
                dossier=crypto.encrypt_json(key, answers),
            )

    issued: list[str] = []

    def submit() -> None:
        receipt = services.submit_application(
            programme,
            answers,
            token=services.new_submission_token(),
            language="ru",
            wants_to_apply=True,
        )
        issued.append(receipt.codename or "")

    baseline, intake = summary(timed(bare_insert, n)), summary(timed(submit, n))
    one_kdf = summary(
        timed(lambda: crypto.wrap_with_secret("x" * 40, b"k" * 32, crypto.HIGH_ENTROPY), 200)
    )
    staff_kdf = summary(timed(lambda: crypto.wrap_with_secret("x" * 12, b"k" * 32), 10))
    logins = summary(timed(lambda: services.enter_with_codename(issued.pop()), min(30, n)))
    report = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
        "python": sys.version.split()[0],
        "database": connection.vendor,
        "kdf_profile": os.environ.get("SAFEPASSAGE_KDF_PROFILE", "interactive"),
        "intake": intake,
        "intake_baseline_bare_encrypted_insert": baseline,
        "intake_ratio_to_baseline": intake["per_second"] / baseline["per_second"],
        "codename_login": logins,
        "one_codename_key_derivation": one_kdf,
        "one_staff_password_key_derivation": staff_kdf,
        "login_ratio_to_one_kdf": logins["per_second"] / one_kdf["per_second"],
        "wordlist_bits": codenames.WORDS * codenames.BITS_PER_WORD,
        "planner": planner_bench.run(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
