from django.utils.functional import SimpleLazyObject

from ..reviews.context_processors import NAV_COUNT_CAP


def _overdue_referrals(user) -> int | str:
    # Imported here: context processors load with the settings, before the app registry is ready.
    from .models import Referral
    from .reminders import needing_attention

    if not user.has_perm("candidacy.change_referral"):
        return 0
    count = needing_attention(Referral.objects.received_by(user)).order_by()[:NAV_COUNT_CAP].count()
    return f"{NAV_COUNT_CAP - 1}+" if count >= NAV_COUNT_CAP else count


def navigation(request):
    """The referrals that waited too long or whose decision data went stale, for the nav badge of their centre's coordinators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_overdue_referrals": SimpleLazyObject(lambda: _overdue_referrals(user))}
