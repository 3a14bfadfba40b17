"""Forms of the review queue and page. They parse input; the rules live in candidacy.reviews."""

from __future__ import annotations

from django import forms

from common.typed import form_field
from common.users import display_name

from ..screening.staleness import CONFIRM_STALE, MUST_CONFIRM_STALE
from .models import Review
from .services import DECISIONS, assignable_coordinators, departs_from_band

OPEN = "open"
ALL = "all"
STATE_FILTERS = [(OPEN, "Open (flagged or in review)"), *Review.State.choices, (ALL, "All")]
MINE, UNASSIGNED = "mine", "unassigned"
WHO_FILTERS = [("", "Anyone"), (MINE, "Mine"), (UNASSIGNED, "Unassigned")]
# The queue's orders. Priority, the default, is the worklist's (band, then the higher
# score) and then the longest wait: the coordinator's next patient is the top row.
PRIORITY, WAITING, NEWEST, NAME = "priority", "waiting", "newest", "name"
SORTS = {
    PRIORITY: ("current_rank", "flagged_at", "pk"),
    WAITING: ("flagged_at", "pk"),
    NEWEST: ("-flagged_at", "-pk"),
    NAME: ("patient__family_name", "patient__given_name", "pk"),
}
SORT_CHOICES = [
    (PRIORITY, "Band, then score, then waiting time"),
    (WAITING, "Waiting longest"),
    (NEWEST, "Newest flag"),
    (NAME, "Name"),
]


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=STATE_FILTERS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    who = forms.ChoiceField(
        choices=WHO_FILTERS,
        required=False,
        label="Assignee",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    sort = forms.ChoiceField(
        choices=SORT_CHOICES,
        required=False,
        label="Order",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    page = forms.IntegerField(min_value=1, required=False)

    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.cleaned_data.get("sort") or PRIORITY]

    def filter(self, reviews, user):
        state = self.cleaned_data.get("state") or OPEN
        if state == OPEN:
            reviews = reviews.filter(state__in=Review.OPEN_STATES)
        elif state != ALL:
            reviews = reviews.filter(state=state)
        who = self.cleaned_data.get("who")
        if who == MINE:
            reviews = reviews.filter(assignee=user)
        elif who == UNASSIGNED:
            reviews = reviews.filter(assignee__isnull=True)
        return reviews


class ReviewStepForm(forms.Form):
    """Every step carries the review the page showed, so a stale page cannot act on a newer review."""

    review = forms.IntegerField(widget=forms.HiddenInput)


class CoordinatorField(forms.ModelChoiceField):
    """Coordinators shown by name, as everywhere else (common.users.display_name)."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class AssignForm(ReviewStepForm):
    assignee = CoordinatorField(queryset=None, label="Assign to", empty_label=None)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "assignee", CoordinatorField).queryset = assignable_coordinators(review)
        self.initial.setdefault("review", review.pk)


class DecisionForm(ReviewStepForm):
    decision = forms.ChoiceField(choices=[(d.value, d.label) for d in DECISIONS])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    re_review_on = forms.DateField(
        label="Defer until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For Defer: the patient is flagged again on this date.",
    )

    def __init__(self, *args, review: Review, band: str, stale=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review", review.pk)
        if stale is not None:
            # Deciding on an out-of-date screening is allowed, knowingly: a box to tick.
            self.fields["confirm_stale"] = forms.BooleanField(
                label=CONFIRM_STALE.format(reasons=stale.short),
                error_messages={"required": MUST_CONFIRM_STALE},
            )
        needs = ["to decline"]
        if departs_from_band(Review.State.DEFERRED, band):
            needs = ["to decline or defer"]
        if departs_from_band(Review.State.REFERRED, band):
            needs.append("to refer")
        # The reason is asked for in the same step as the decision (UI.md): say when it is needed.
        self.fields["reason"].help_text = f"Required {' and '.join(needs)}" + (
            f": the score says {band}." if band else "."
        )


class NoteForm(ReviewStepForm):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review", review.pk)


class ReopenForm(ReviewStepForm):
    reason = forms.CharField(
        label="Reason for reopening",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=400,
        help_text="Kept in the audit trail with the decision it reopens.",
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review", review.pk)
