"""`make audit` says plainly when the vulnerability database cannot be reached (no internet here)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "audit_dependencies.py"


def test_an_unreachable_database_is_reported_as_nothing_checked_not_as_a_pass():
    # Port 9 (discard) on the loopback: refused at once, and never leaves the machine.
    env = os.environ | {
        "PIP_AUDIT_VULNERABILITY_SERVICE": "osv",
        "PIP_AUDIT_OSV_URL": "http://127.0.0.1:9/v1/query",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout.startswith("could not reach the vulnerability database (")
    assert "127.0.0.1:9" in result.stdout and "nothing was checked" in result.stdout


def test_make_audit_runs_pip_audit_strict_pinned_in_the_dev_extras():
    assert "tools/audit_dependencies.py" in (ROOT / "Makefile").read_text()
    assert '"--strict"' in SCRIPT.read_text()
    assert '"pip-audit==' in (ROOT / "pyproject.toml").read_text()
