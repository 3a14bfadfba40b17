"""The treatment form's list of therapies, the patient's disease's own first."""

from __future__ import annotations

from typing import Any

# The therapy classes a disease is treated with, offered first on the treatment form: an MS
# patient's list opens with the DMTs, not with scleroderma's immunosuppressants (issue #13).
# The other classes stay one group below: a patient may have had anything.
RHEUMATIC_CLASSES = ("immunosuppressant", "biologic", "jak_inhibitor", "corticosteroid")
DISEASE_THERAPY_CLASSES: dict[str, tuple[str, ...]] = {
    "ms": ("ms_dmt_high", "ms_dmt_moderate", "ms_dmt_lower"),
    "aa": ("aa_ist", "immunosuppressant"),
}
OTHER_THERAPIES = "Other therapies"


def therapy_choices(therapies, disease) -> list:
    """The disease's own therapies first (by class, then name), then every other one."""
    classes = DISEASE_THERAPY_CLASSES.get(disease.group, RHEUMATIC_CLASSES) if disease else ()
    first = [t for t in therapies if t.therapy_class in classes]
    first.sort(key=lambda t: (classes.index(t.therapy_class), t.name))
    rest = [t for t in therapies if t.therapy_class not in classes]
    options: list[tuple[str, Any]] = [("", "---------")]
    if first:
        options.append((f"For {disease.name}", [(t.pk, str(t)) for t in first]))
        options.append((OTHER_THERAPIES, [(t.pk, str(t)) for t in rest]))
    else:
        options += [(t.pk, str(t)) for t in rest]
    return options
