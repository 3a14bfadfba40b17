from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def day(value) -> str:
    """An unambiguous date: 25 Nov 2026."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return date_format(value, "j M Y")


@register.filter
def ago(value) -> str:
    """How long ago a date was, in words a clinician reads at a glance."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    days = (timezone.localdate() - value).days
    if days < 0:
        return "in the future"
    if days == 0:
        return "today"
    if days < 31:
        return f"{days} day{'s' if days != 1 else ''} ago"
    months = days // 30
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''} ago"
    return f"{days // 365} years ago"


@register.filter
def yesno_unknown(value) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not assessed")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


__all__ = ["day", "ago", "date"]
