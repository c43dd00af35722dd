"""Check the locked dependencies against known vulnerabilities, with pip-audit.

Run by `make audit` with the tools' own environment (var/tools-venv, from requirements/tools.txt):

    var/tools-venv/bin/python requirements/audit.py [--warn-if-unavailable] [LOCK ...]

The lock files (all of requirements/*.txt unless named) are read as they are: pip-audit resolves
nothing and installs nothing (--disable-pip --require-hashes). Only the vulnerability data comes
from the network, from PyPI's JSON API (per release) and, if that cannot answer for every
package, from OSV. pip-audit itself prints "No known vulnerabilities found" and exits 0 even when
it skipped every package because the service answered "not found", so this script reads its JSON
report and counts what was really checked.

Exit status:
  0  every locked package was checked and none has a known vulnerability;
  1  a known vulnerability was found (whatever else happened);
  2  the audit could not run, or could not check every package: no service answered in time,
     or answered "not found". It is not a pass. --warn-if-unavailable turns this into 0 after
     the same plain warning (CI uses it: see .ci/run).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent
SERVICES = ("pypi", "osv")
COULD_NOT_RUN = 2


def run_service(service, locks, timeout):
    """(vulnerable, checked, reason): reason is None when every package was checked."""
    command = os.environ.get("AUDIT_PIP_AUDIT", f"{sys.executable} -m pip_audit").split()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        args = [
            *command,
            *(arg for lock in locks for arg in ("-r", str(lock))),
            "--disable-pip",
            "--require-hashes",
            "--progress-spinner=off",
            f"--vulnerability-service={service}",
            "--timeout=15",
            "--format=json",
            f"--output={report}",
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return [], 0, f"no answer within {timeout} s"
        except OSError as error:
            return [], 0, f"pip-audit could not be started ({error})"
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return [], 0, failure_reason(done.stderr or done.stdout)
    packages = data.get("dependencies", [])
    vulnerable = [package for package in packages if package.get("vulns")]
    skipped = [package for package in packages if "skip_reason" in package]
    checked = len(packages) - len(skipped)
    if not packages:
        return vulnerable, 0, "pip-audit reported no packages at all"
    if skipped:
        if all("not found" in package["skip_reason"] for package in skipped):
            why = 'the service answered "not found"'
        else:
            why = skipped[0]["skip_reason"]
        return vulnerable, checked, f"{len(skipped)} of {len(packages)} packages not checked: {why}"
    return vulnerable, checked, None


def failure_reason(output):
    """The one line that says why pip-audit stopped (a host that cannot be reached, say)."""
    unresolved = re.search(r"Failed to resolve '([^']+)'", output)
    if unresolved:
        return f"cannot reach {unresolved.group(1)} (its name does not resolve here)"
    refused = re.search(r"host='([^']+)'.*?(Connection refused|timed out)", output)
    if refused:
        return f"cannot reach {refused.group(1)} ({refused.group(2)})"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "pip-audit stopped without saying why"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "locks", nargs="*", type=Path, help="lock files (default: requirements/*.txt)"
    )
    parser.add_argument(
        "--warn-if-unavailable",
        action="store_true",
        help="exit 0, after the warning, when the audit could not run (found vulnerabilities still fail)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=int(os.environ.get("AUDIT_TIMEOUT", "180")),
        help="seconds for each service before giving up (default 180, or AUDIT_TIMEOUT)",
    )
    options = parser.parse_args()
    locks = options.locks or sorted(REQUIREMENTS.glob("*.txt"))
    names = ", ".join(os.path.relpath(lock) for lock in locks)
    print(f"Auditing {names}")

    reasons = []
    most_checked = 0
    for service in SERVICES:
        vulnerable, checked, reason = run_service(service, locks, options.timeout)
        most_checked = max(most_checked, checked)
        if vulnerable:
            print(f"\nKNOWN VULNERABILITIES in the locked packages ({service}):")
            for package in vulnerable:
                for vuln in package["vulns"]:
                    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
                    aliases = ", ".join(vuln.get("aliases") or [])
                    print(
                        f"  {package['name']} {package['version']}: {vuln['id']}"
                        + (f" ({aliases})" if aliases else "")
                        + f"; fixed in {fixed}"
                    )
            print("Raise the pin (within pyproject.toml's ranges) and run `make lock`.")
            return 1
        if reason is None:
            print(f"pip-audit ({service}): {checked} packages checked, no known vulnerabilities.")
            return 0
        reasons.append(f"{service}: {reason}")

    rule = "=" * 78
    print(f"\n{rule}")
    if most_checked:
        print("DEPENDENCY AUDIT INCOMPLETE: no service could check every locked package for known")
        print(f"vulnerabilities (at most {most_checked} were checked). This is not a pass.")
    else:
        print("DEPENDENCY AUDIT COULD NOT RUN: the locked packages were NOT checked for known")
        print("vulnerabilities. This is not a pass.")
    for reason in reasons:
        print(f"  - {reason}")
    print("Run `make audit` on a machine that reaches PyPI's JSON API or OSV (api.osv.dev).")
    print(rule)
    return 0 if options.warn_if_unavailable else COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
