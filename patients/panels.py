"""How another app adds to the patient page without ``patients`` knowing it.

``patients`` is the bottom layer: it must not import the screening workflow that sits
above it. So the patient page renders whatever panels are registered here, in order, and
the screening app registers its own (the current screening, the print button) when it
starts. A panel is a template and a function that builds its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# Where on the patient page a panel goes.
HEADER_ACTIONS = "actions"  # buttons beside the patient's name
MAIN = "main"  # between the diagnosis and the record
PLACES = (HEADER_ACTIONS, MAIN)


@dataclass(frozen=True)
class PatientPanel:
    key: str
    place: str
    template: str
    context: Callable[[Any, Any], dict]  # (request, patient) -> template context
    order: int = 100


_panels: dict[str, PatientPanel] = {}


def register_patient_panel(panel: PatientPanel) -> None:
    """Add (or replace, by key) a panel; apps call this from ``AppConfig.ready``."""
    if panel.place not in PLACES:
        raise ValueError(f"Unknown place {panel.place!r}; use one of {PLACES}.")
    _panels[panel.key] = panel


def render_patient_panels(request, patient) -> dict[str, list[SafeString]]:
    """Every registered panel rendered for this patient, grouped by place, in order."""
    rendered: dict[str, list[SafeString]] = {place: [] for place in PLACES}
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        html = render_to_string(panel.template, panel.context(request, patient), request=request)
        rendered[panel.place].append(SafeString(html))
    return rendered
