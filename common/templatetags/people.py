from django import template

from common.users import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """{{ review.assignee|display_name }}: the full name, else the username."""
    return _display_name(user)
