"""Who sees which patients: the one centre-scope rule that every page, list and export uses.

A user sees the patients of the centres they belong to, and nobody else's (superusers
included: clinical pages are for staff of a centre). The centre ids are resolved first and
handed to the queries as literal values: scoped by a subquery over memberships, PostgreSQL
misjudges the subquery's size, joins and sorts a whole centre's rows and only then takes a
page; with literal ids the plan is an index scan that stops at the page.

A centre may also read a patient of another centre that was referred to it, for as long as the
referral grants it (patients/grants.py): those patient ids too are resolved first, as literals.
"""

from __future__ import annotations

# Cached on the user object, which Django loads afresh for every request: a page that
# scopes several queries (the list, the nav badge) asks the database once, for the centres and
# the grants to them together.
_CACHE_ATTRIBUTE = "_candidacy_centre_ids"
_GRANTS_ATTRIBUTE = "_candidacy_granted_patients"


def _load(user) -> None:
    """The user's centres and the grants in force to them, in one query (a LEFT JOIN)."""
    from django.db.models import FilteredRelation, Q
    from django.utils import timezone

    now = timezone.now()
    rows = user.centres.annotate(
        grant_in_force=FilteredRelation(
            "patient_grants",
            condition=Q(patient_grants__starts_at__lte=now)
            & (Q(patient_grants__ends_at__isnull=True) | Q(patient_grants__ends_at__gt=now)),
        )
    ).values_list("pk", "grant_in_force__patient_id", "grant_in_force__ends_at")
    rows = list(rows)
    setattr(user, _CACHE_ATTRIBUTE, sorted({pk for pk, _, _ in rows}))
    # Each grant with its end, so a cached list still ends on time.
    setattr(user, _GRANTS_ATTRIBUTE, [(p, ends) for _, p, ends in rows if p is not None])


def centre_ids(user) -> list[int]:
    """The ids of the user's centres, sorted; none for an anonymous or inactive user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, _CACHE_ATTRIBUTE, None) is None:
        _load(user)
    return list(getattr(user, _CACHE_ATTRIBUTE))


def forget_centre_ids(user) -> None:
    """Drop the cached ids (after the user's memberships changed)."""
    for attribute in (_CACHE_ATTRIBUTE, _GRANTS_ATTRIBUTE):
        if user is not None and hasattr(user, attribute):
            delattr(user, attribute)


def granted_patient_ids(user) -> list[int]:
    """The ids of patients of other centres that the user's centres may read now (a referral
    received, patients/grants.py), sorted; none for an anonymous or inactive user.

    Resolved first and handed on as literal ids, like the centre ids: most users have none,
    and their queries stay exactly the centre filter.
    """
    from django.utils import timezone

    if not centre_ids(user):
        return []
    now = timezone.now()
    grants = getattr(user, _GRANTS_ATTRIBUTE, [])
    return sorted({pk for pk, ends in grants if ends is None or ends > now})


def is_own_patient(user, patient) -> bool:
    """Whether the patient belongs to one of the user's centres (not only granted): only
    then may the user change the record."""
    return patient.centre_id in centre_ids(user)
