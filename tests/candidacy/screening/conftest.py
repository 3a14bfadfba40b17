"""The preview tests' fixtures: a draft, its new exclusion, and an in-process preview run."""

from ...rules.previews.conftest import add_criterion, draft, run_preview  # noqa: F401
