def navigation(request):
    """What the top bar needs on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_centres": list(user.centres.values_list("code", flat=True)),
    }
