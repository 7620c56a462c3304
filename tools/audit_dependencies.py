"""`make audit`: pip-audit over every pinned dependency (constraints.txt), for CI.

Fails when a pinned version has a known vulnerability, or when some dependencies could be
audited and others not. Where the vulnerability service cannot be reached from this machine
at all (every dependency "not found"), it says so plainly and does not pass that off as a
clean audit: the line starts with NOT AUDITED.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(pins) + "\n")
        requirements.flush()
        run = subprocess.run(  # noqa: S603 (a fixed command; the file is ours)
            [
                str(Path(sys.executable).parent / "pip-audit"),
                "--requirement",
                requirements.name,
                "--no-deps",
                "--disable-pip",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stderr, file=sys.stderr)
        return 1
    dependencies = report["dependencies"]
    skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
    vulnerable = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or '-'})"
        for d in dependencies
        for v in d.get("vulns", [])
    ]
    if len(skipped) == len(dependencies):
        print(
            f"NOT AUDITED: the vulnerability service answered for none of the "
            f"{len(dependencies)} pinned dependencies (out of reach from this machine)."
        )
        return 0
    for line in vulnerable:
        print(f"vulnerable: {line}")
    for name in skipped:
        print(f"could not be audited: {name}")
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} pinned dependencies audited, {len(vulnerable)} vulnerabilities")
    return 1 if vulnerable or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
