"""`make audit`: the installed dependencies against a vulnerability database (pip-audit --strict).

pip-audit reports a dependency the database does not answer for as "not found" and, without
--strict, passes; with --strict it stops at the first. Offline, or behind an index mirror that
answers only for package pages, every dependency is "not found": that is not a clean audit,
and it must not read as one. So the database is asked first, about pip itself, with the
service and address pip-audit will use (PIP_AUDIT_VULNERABILITY_SERVICE, PIP_AUDIT_OSV_URL):

- exit 0: every dependency was checked and none has a known vulnerability;
- exit 1: pip-audit found a vulnerability or could not check a dependency (its own report);
- exit 2: the database could not be reached; nothing was checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from importlib.metadata import version

PYPI_URL = "https://pypi.org/pypi/{name}/{version}/json"  # what pip-audit's pypi service asks
OSV_URL = "https://api.osv.dev/v1/query"  # pip-audit's default for the osv service
TIMEOUT = 15
UNREACHABLE = 2


def _ask(url: str, body: bytes | None) -> dict:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) address: {url}")
    headers = {"Content-Type": "application/json"} if body else {}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (checked above)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return json.load(response)


def database_problem() -> str | None:
    """Why the vulnerability database cannot answer, or None when it answers about pip."""
    service = os.environ.get("PIP_AUDIT_VULNERABILITY_SERVICE", "pypi").lower()
    pip = version("pip")
    if service == "osv":
        url = os.environ.get("PIP_AUDIT_OSV_URL", OSV_URL)
        query = {"package": {"name": "pip", "ecosystem": "PyPI"}, "version": pip}
        body: bytes | None = json.dumps(query).encode()
    else:
        url, body = PYPI_URL.format(name="pip", version=pip), None
    try:
        answer = _ask(url, body)
    except urllib.error.HTTPError as error:
        return f"{url} answered {error.code}"
    except (OSError, ValueError) as error:
        return f"{url}: {error}"
    if service != "osv" and "info" not in answer:
        return f"{url} did not answer with a package's record"
    return None


def main() -> int:
    problem = database_problem()
    if problem:
        print(f"could not reach the vulnerability database ({problem}); nothing was checked")
        return UNREACHABLE
    command = [sys.executable, "-m", "pip_audit", "--strict", "--skip-editable"]
    return subprocess.run([*command, "--progress-spinner", "off"], check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
