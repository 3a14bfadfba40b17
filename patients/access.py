"""Who sees which patients: the one centre-scope rule that every page, list and export uses.

A user sees the patients of the centres they belong to, and nobody else's (superusers
included: clinical pages are for staff of a centre). The centre ids are resolved first and
handed to the queries as literal values: scoped by a subquery over memberships, PostgreSQL
misjudges the subquery's size, joins and sorts a whole centre's rows and only then takes a
page; with literal ids the plan is an index scan that stops at the page.
"""

from __future__ import annotations

# Cached on the user object, which Django loads afresh for every request: a page that
# scopes several queries (the list, the nav badge) asks the database once.
_CACHE_ATTRIBUTE = "_candidacy_centre_ids"


def centre_ids(user) -> list[int]:
    """The ids of the user's centres, sorted; none for an anonymous or inactive user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = sorted(user.centres.values_list("pk", flat=True))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return list(cached)


def forget_centre_ids(user) -> None:
    """Drop the cached ids (after the user's memberships changed)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
