from django.utils.functional import SimpleLazyObject

NAV_COUNT_CAP = 100


def _unassigned_flags(user) -> int | str:
    # Imported here: context processors load with the settings, before the app registry is ready.
    from .models import Review

    # One COUNT over the (centre, state, -flagged_at) index, for users who see reviews.
    if not user.has_perm("candidacy.view_review"):
        return 0
    unassigned = Review.objects.visible_to(user).filter(
        state=Review.State.FLAGGED, assignee__isnull=True
    )
    # Counting every flag exactly cost 300 ms a page at a million patients; the badge only
    # needs to say "many" past a point, and a COUNT over a LIMIT stops there. No ordering:
    # the count does not need one, and sorting the flags first cost most of the query.
    count = unassigned.order_by()[:NAV_COUNT_CAP].count()
    return f"{NAV_COUNT_CAP - 1}+" if count >= NAV_COUNT_CAP else count


def navigation(request):
    """What the top bar needs on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Lazy too: the patient page renders each panel with the request, and so with these
        # processors; eager, the codes were asked for once per panel.
        "nav_centres": SimpleLazyObject(lambda: list(user.centres.values_list("code", flat=True))),
        # Lazy: pages without the top bar (and JSON views) never run the query.
        "nav_unassigned_flags": SimpleLazyObject(lambda: _unassigned_flags(user)),
    }
