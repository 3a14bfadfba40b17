"""Optimistic locking for edit forms: a second editor is shown what changed, never overwrites it.

Two clinicians opening the same record both got "saved", and the first one's change was
silently reverted (issue 15). An edit form now carries, signed, the values it was opened
with (``edit_base``). On saving, the row is locked and compared with them: a field someone
else changed meanwhile, to a value other than the one this editor chose, stops the save
and is listed field by field (was, now, yours). The form comes back with the editor's own
values and a new base, so saving again is a decision taken knowingly.

Forms validate inside the transaction that saves them (the admin's own, or the view's
``transaction.atomic``), so the lock taken here holds until the row is written.
"""

from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict

BASE_FIELD = "edit_base"
SALT = "candidacy.edit-base"
EDITED_MEANWHILE = (
    "Someone else saved this record while you were editing it. Their changes are listed "
    "below; your values are still in the form. Save again to keep yours, or change them."
)
EDIT_BASE_MISSING = "This form is out of date: open it again from the record and redo the change."


@dataclass(frozen=True)
class FieldChange:
    """One field another editor changed: what it was when this editor opened the form,
    what it is now, and what this editor submitted."""

    label: str
    was: str
    now: str
    yours: str

    def __str__(self) -> str:
        return f"{self.label}: was {self.was}, now {self.now} (yours: {self.yours})"


def _plain(value: Any) -> Any:
    """A value as JSON holds it, for comparison."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return sorted(str(_plain(v)) for v in items)
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def _shown(field: models.Field, value: Any) -> str:
    """A value in the words the form shows it."""
    if value is None or value == "":
        return "blank" if value == "" else "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def snapshot(instance: models.Model, names: list[str]) -> dict[str, list]:
    """The named fields of a row: for each, the value to compare and the words to show."""
    result = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        result[name] = [_plain(value), _shown(field, value)]  # type: ignore[arg-type]
    return result


def sign(values: dict) -> str:
    return signing.dumps(values, salt=SALT, compress=True)


def unsign(token: str | None) -> dict | None:
    try:
        return signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None


class OptimisticModelForm(forms.ModelForm):
    """A model form that refuses to overwrite what another editor saved since it opened."""

    conflict_label = ""  # a row of a formset says which row (e.g. the treatment's name)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edit_changes: list[FieldChange] = []
        self.fields[BASE_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk:
            self.initial[BASE_FIELD] = sign(snapshot(self.instance, self._tracked()))

    def _tracked(self) -> list[str]:
        own = {f.name for f in self._meta.model._meta.get_fields() if f.concrete}
        return [name for name in self.fields if name in own]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.instance.pk or self.errors:
            return cleaned
        base = unsign(self.data.get(self.add_prefix(BASE_FIELD)))
        if base is None:
            raise ValidationError(EDIT_BASE_MISSING)
        model = type(self.instance)
        stored = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if stored is None:
            return cleaned  # deleted meanwhile: the formset or the view says so
        names = self._tracked()
        now = snapshot(stored, names)
        self.edit_changes = self._changes(base, now, cleaned, stored)
        if self.edit_changes:
            # Measured against what is stored now, the next submit is the editor's decision.
            data = QueryDict(mutable=True)
            data.update(self.data)
            data[self.add_prefix(BASE_FIELD)] = sign(now)
            self.data = data
            raise ValidationError(EDITED_MEANWHILE)
        return cleaned

    def _changes(self, base: dict, now: dict, cleaned: dict, stored) -> list[FieldChange]:
        changes = []
        for name, (value, words) in now.items():
            if name not in base or base[name][0] == value:
                continue  # nobody else changed it
            yours = cleaned.get(name)
            if _plain(yours) == value:
                continue  # both editors chose the same
            field = stored._meta.get_field(name)
            label = str(self.fields[name].label or field.verbose_name).capitalize()
            if self.conflict_label:
                label = f"{self.conflict_label}, {label[0].lower()}{label[1:]}"
            changes.append(FieldChange(label, base[name][1], words, _shown(field, yours)))
        return changes
