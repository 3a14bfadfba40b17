"""How people are named on pages, in messages and in the audit."""

from __future__ import annotations

SYSTEM = "Candidacy"


def display_name(user) -> str:
    """A user's full name, else their username; the system itself when there is no user."""
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()
