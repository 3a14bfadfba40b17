"""The README's layout table matches the tree: every package is described, every row exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("candidacy", "common", "config", "patients", "rules")
# Subpackages that are Django's own plumbing rather than a concern of the app.
PLUMBING = {"migrations", "management", "templatetags", "settings"}


def layout_rows() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    folders = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.M):
        folders.update(re.findall(r"`([\w/]+/)`", cell))
    return folders


def test_every_folder_in_the_layout_table_exists():
    missing = sorted(f for f in layout_rows() if not (ROOT / f).is_dir())
    assert not missing, f"The README's layout names folders that do not exist: {missing}"


def test_every_package_and_concern_is_in_the_layout_table():
    rows = layout_rows()
    expected = {f"{p}/" for p in PACKAGES}
    for package in PACKAGES:
        for sub in (ROOT / package).iterdir():
            if sub.is_dir() and (sub / "__init__.py").exists() and sub.name not in PLUMBING:
                expected.add(f"{package}/{sub.name}/")
    # A subpackage may be described by its parent's row only if the row names it.
    undescribed = sorted(
        f for f in expected if f not in rows and f.rstrip("/").split("/")[0] + "/" not in rows
    )
    assert not undescribed, f"Describe these in the README's layout table: {undescribed}"
    concerns = sorted(
        f for f in expected if f.count("/") == 2 and f.startswith("candidacy/") and f not in rows
    )
    assert not concerns, f"Each concern of candidacy needs its own row: {concerns}"
