"""What ``rules`` announces, and the one extension point it offers the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# Sent with ``ruleset`` and ``by`` after a rule set was published (inside its transaction).
ruleset_published = Signal()


@dataclass(frozen=True)
class PublishFollowUp:
    """A link shown to the criteria admin after publishing (e.g. the re-screen's progress)."""

    text: str
    url: str


# Apps that act on a publication register here what the admin should be pointed to, so the
# rules app links to their pages without importing them.
_follow_ups: list[Callable[[Any], PublishFollowUp | None]] = []


def register_publish_follow_up(build: Callable[[Any], PublishFollowUp | None]) -> None:
    if build not in _follow_ups:
        _follow_ups.append(build)


def publish_follow_ups(ruleset) -> list[PublishFollowUp]:
    return [link for build in _follow_ups if (link := build(ruleset)) is not None]
