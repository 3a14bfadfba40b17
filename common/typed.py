"""Typed access to what Django's API types loosely.

Each helper checks at run time what it promises to the type checker, and raises if the code
asks for something else, so a renamed or retyped field fails loudly instead of quietly.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose name of one of the model's own fields, as pages and notes show it.

    ``_meta.get_field`` may also return a reverse relation, which has no verbose name.
    """
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is a relation, not a field of its own.")
    return str(field.verbose_name)
