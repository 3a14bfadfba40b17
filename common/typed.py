"""Typed access to what Django's API types loosely: a field by name, a form's own field.

Each helper checks at run time what it promises to the type checker, and raises if the code
asks for something else, so a renamed or retyped field fails loudly instead of quietly.
"""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

_FormField = TypeVar("_FormField", bound=forms.Field)


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose name of one of the model's own fields, as pages and notes show it.

    ``_meta.get_field`` may also return a reverse relation, which has no verbose name.
    """
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is a relation, not a field of its own.")
    return str(field.verbose_name)


def form_field(form: forms.BaseForm, name: str, kind: type[_FormField]) -> _FormField:
    """The form's own copy of a declared field, as the class it was declared with.

    ``form.fields`` maps names to the base ``Field``; a form that sets a queryset or choices
    per request needs the field's own class.
    """
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not {kind}.")
    return field
