"""Each criterion on a change page of its own, and the searchable list of a rule set's criteria.

A rule set's change form once inlined every criterion: a draft of 60 criteria posted 1,118
fields and Django refused it (TooManyFieldsSent). The rule set page now lists its criteria
(see :func:`criteria_listing`) and links to each one's own form here, which posts a few
dozen fields whatever the size of the rule set.

A criterion of a published or retired rule set is read-only: the permissions hide the form,
the form refuses it, and the service (rules.services.criterion_save) refuses it under the
rule set's lock whatever path the change took.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse

from common import labels
from common.concurrency import OptimisticModelForm
from patients.history_admin import ReadOnlyHistoryAdmin

from . import services
from .describe import describe_rule
from .models import PUBLISHED_IS_READ_ONLY, Criterion, RuleSet
from .specs import ALL_DISEASES, DISEASES, DOMAINS, EVIDENCE, KINDS, CriterionSpec
from .validation import criterion_problems

DUPLICATE_KEY = "Another criterion of this rule set already has this key."
ONLY_DRAFTS_TAKE_CRITERIA = (
    "Criteria can be added to a draft only; clone the published version to start one."
)

# The admin shows the stored code beside the words: the list and the validation messages use it.
DISEASE_CHOICES = [
    (ALL_DISEASES, f"{ALL_DISEASES}: {labels.ALL_DISEASES_LABEL} (stands alone)"),
    *(
        (d, f"{d}: {labels.capfirst(labels.disease_label(d))}{' (every subtype)' * (d == 'ms')}")
        for d in DISEASES
    ),
]
EVIDENCE_HELP = " ".join(f"{mark}: {text}" for mark, text in labels.EVIDENCE_MEANINGS.items())

HELP_TEXTS = {
    "ruleset": "The draft this criterion belongs to.",
    "key": "A short name, unique in this rule set (letters, digits, - and _). History, "
    "previews and version diffs follow the criterion by it; pages show the label.",
    "label": "What clinicians read, e.g. “LVEF below 45%”.",
    "kind": "What it does. Indication: not met gives Not indicated. Exclusion: met gives "
    "Excluded. Points: adds its points to its domain when met. Review: met marks the case for "
    "the team and caps the band (set the cap). Core: the guideline's checklist item; not met "
    "gives the band set below, not known gives Incomplete. Workup: an investigation the "
    "decision needs; listed to collect, never changes the band or the score.",
    "domain": "The part of the score its points count in.",
    "diseases": "The diseases it applies to. “all” stands alone; an MS subtype narrows it.",
    "fact": "The value from the patient's record it reads.",
    "operator": "How the value is compared with the thresholds. Numbers: <, <=, >, >=, between, "
    "in. Yes/no values: is true, is false. Choices and lists: in.",
    "thresholds": "A list: [45] for “< 45”; [2.0, 6.0] for between (low, high); the choices "
    'for in, e.g. ["sp", "pp"]; [] for is true and is false.',
    "required": "Ticked: when the value is missing the band is Incomplete. Unticked: a "
    "missing value counts as not met, so less data never scores higher.",
    "points": "Local policy. Points added to the domain when met; points and core criteria "
    "only (0 for the other kinds).",
    "cap": "Review criteria only: the best band the patient can reach while it is met. "
    "Possible candidate where the source says “individual decision” or “with caution”; "
    "Unlikely where the patient is beyond the population it supports.",
    "not_met_band": "Core criteria only: the band when not met. Unlikely (also when left "
    "empty), or Trial only where the source allows the transplant only within a study.",
    "explanation": "The sentence shown beside the result. Placeholders: {label} {value} "
    "{unit} {date} {operator} {threshold}.",
    "citation": "The source, precise enough to check (guideline, table, page). Required "
    "unless the evidence is local policy.",
    "evidence": f"{EVIDENCE_HELP} Keep a points criterion that is not yet confirmed disabled.",
    "enabled": "Unticked: kept in the version, not evaluated.",
}


class CriterionForm(OptimisticModelForm):
    diseases = forms.MultipleChoiceField(
        choices=DISEASE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=HELP_TEXTS["diseases"],
    )

    class Meta:
        model = Criterion
        fields = list(HELP_TEXTS)
        help_texts = HELP_TEXTS
        labels = {"ruleset": "Rule set"}
        widgets = {
            "label": forms.TextInput(attrs={"size": 70}),
            "thresholds": forms.TextInput(attrs={"size": 40}),
            "explanation": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "citation": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ruleset = self.fields.get("ruleset")
        if isinstance(ruleset, forms.ModelChoiceField):  # adding: only drafts take criteria
            ruleset.queryset = RuleSet.objects.filter(status=RuleSet.Status.DRAFT)
            ruleset.error_messages["invalid_choice"] = ONLY_DRAFTS_TAKE_CRITERIA

    def clean(self):
        super().clean()
        data = self.cleaned_data
        ruleset = data.get("ruleset") or self.instance_ruleset()
        if ruleset is None:
            return data
        if not ruleset.is_editable:
            raise ValidationError(PUBLISHED_IS_READ_ONLY)
        key = data.get("key")
        others = Criterion.objects.filter(ruleset=ruleset, key=key).exclude(pk=self.instance.pk)
        if key and others.exists():
            self.add_error("key", DUPLICATE_KEY)
        if not self.errors:
            self._check_with_the_engine(data)
        return data

    def instance_ruleset(self) -> RuleSet | None:
        return self.instance.ruleset if self.instance.ruleset_id else None

    def _check_with_the_engine(self, data) -> None:
        """The checks publishing runs, now, beside the field at fault."""
        values = {f.name: data.get(f.name) for f in dataclass_fields(CriterionSpec)}
        for name in ("diseases", "thresholds"):
            if isinstance(values[name], list):
                values[name] = tuple(values[name])
        for problem in criterion_problems(CriterionSpec(**values)):
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)


@dataclass(frozen=True)
class CriteriaFilter:
    """The rule set page's search and filters over its criteria, read from the query string."""

    q: str = ""
    kind: str = ""
    domain: str = ""
    disease: str = ""
    enabled: str = ""  # "yes", "no" or "" for both
    evidence: str = ""

    @classmethod
    def from_query(cls, query) -> CriteriaFilter:
        def pick(name, allowed):
            value = query.get(name, "")
            return value if value in allowed else ""

        return cls(
            q=query.get("q", "").strip()[:100],
            kind=pick("kind", KINDS),
            domain=pick("domain", DOMAINS),
            disease=pick("disease", DISEASES),
            enabled=pick("enabled", ("yes", "no")),
            evidence=pick("evidence", EVIDENCE),
        )

    def values(self) -> list[str]:
        return [self.q, self.kind, self.domain, self.disease, self.enabled, self.evidence]

    def apply(self, criteria: QuerySet[Criterion]) -> QuerySet[Criterion]:
        if self.q:
            criteria = criteria.filter(
                Q(key__icontains=self.q)
                | Q(label__icontains=self.q)
                | Q(fact__icontains=self.q)
                | Q(citation__icontains=self.q)
            )
        exact = {"kind": self.kind, "domain": self.domain, "evidence": self.evidence}
        criteria = criteria.filter(**{k: v for k, v in exact.items() if v})
        if self.enabled:
            criteria = criteria.filter(enabled=self.enabled == "yes")
        if self.disease:
            criteria = criteria.filter(applies_to(self.disease))
        return criteria


def applies_to(disease: str) -> Q:
    """Criteria that apply to a disease: naming it, its group, one of its subtypes, or all.

    Matched on the JSON list's text, which SQLite and PostgreSQL both offer (a JSON
    ``contains`` is PostgreSQL's only).
    """
    group = disease.split(":")[0]
    match = Q(diseases__icontains=f'"{ALL_DISEASES}"') | Q(diseases__icontains=f'"{disease}"')
    if group != disease:
        match |= Q(diseases__icontains=f'"{group}"')
    else:
        match |= Q(diseases__icontains=f'"{group}:')
    return match


def criteria_listing(request, ruleset: RuleSet) -> dict:
    """What the rule set page shows of its criteria: the filtered list and the filter."""
    chosen = CriteriaFilter.from_query(request.GET)
    every = ruleset.criteria.all()
    shown = list(chosen.apply(every))
    rules_in_words = {
        c.pk: describe_rule(
            c.fact, c.operator, c.thresholds if isinstance(c.thresholds, list) else []
        )
        for c in shown
    }
    can_add = ruleset.is_editable and request.user.has_perm("rules.add_criterion")
    return {
        "criteria": shown,
        "criteria_rows": [(c, rules_in_words[c.pk]) for c in shown],
        "criteria_total": every.count(),
        "criteria_filter": chosen,
        "criteria_filtered": any(chosen.values()),
        "criteria_choices": {
            "kinds": KINDS,
            "domains": DOMAINS,
            "diseases": DISEASE_CHOICES[1:],
            "evidence": EVIDENCE,
        },
        "criterion_add_url": (
            f"{reverse('admin:rules_criterion_add')}?ruleset={ruleset.pk}" if can_add else ""
        ),
    }


class DiseaseFilter(admin.SimpleListFilter):
    title = "disease"
    parameter_name = "disease"

    def lookups(self, request, model_admin):
        return DISEASE_CHOICES[1:]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(applies_to(value)) if value in DISEASES else queryset


def ruleset_url(ruleset_id: int) -> str:
    return reverse("admin:rules_ruleset_change", args=[ruleset_id]) + "#criteria"


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyHistoryAdmin):
    form = CriterionForm
    change_form_template = "admin/rules/criterion/change_form.html"
    list_display = ["label", "key", "ruleset", "kind", "domain", "enabled", "evidence"]
    list_filter = ["ruleset", "kind", "domain", DiseaseFilter, "enabled", "evidence"]
    search_fields = ["key", "label", "fact", "citation"]
    list_select_related = ["ruleset"]
    fieldsets = [
        (None, {"fields": ["ruleset", "key", "label", "kind", "enabled"]}),
        (
            "What it reads",
            {"fields": ["domain", "diseases", "fact", "operator", "thresholds", "required"]},
        ),
        ("What it does", {"fields": ["points", "cap", "not_met_band"]}),
        ("How it reads, and its source", {"fields": ["explanation", "citation", "evidence"]}),
    ]

    def get_model_perms(self, request):
        # Reached from its rule set's page, not from the admin index.
        return {}

    def get_readonly_fields(self, request, obj=None):
        return ["ruleset"] if obj is not None else []

    def _editable(self, obj) -> bool:
        return obj is None or obj.ruleset.is_editable

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        try:
            services.criterion_save(criterion=obj)
        except ValidationError as error:  # published between the form's check and the save
            raise PermissionDenied(PUBLISHED_IS_READ_ONLY) from error

    def delete_model(self, request, obj):
        try:
            services.criterion_delete(criterion=obj)
        except ValidationError as error:
            raise PermissionDenied(PUBLISHED_IS_READ_ONLY) from error

    def delete_queryset(self, request, queryset):
        for criterion in queryset.select_related("ruleset"):
            self.delete_model(request, criterion)

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(ruleset_url(obj.ruleset_id))

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(ruleset_url(obj.ruleset_id))

    def delete_view(self, request, object_id, extra_context=None):
        criterion = self.get_object(request, unquote(object_id))
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "POST" and criterion is not None and response.status_code == 302:
            return HttpResponseRedirect(ruleset_url(criterion.ruleset_id))
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        ruleset = obj.ruleset if obj is not None else None
        context["criterion_ruleset"] = ruleset
        context["read_only_note"] = (
            PUBLISHED_IS_READ_ONLY if ruleset is not None and not ruleset.is_editable else ""
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
