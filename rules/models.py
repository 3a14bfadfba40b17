"""Criteria as data: versioned rule sets edited in Django admin.

A rule set is a draft until a criteria admin publishes it; publishing compiles it with
the engine (rules.compiler), so a rule set that names an unknown fact or carries a
malformed threshold cannot be published. Published versions never change: the next
version starts as a clone. Exactly one version is published (active) at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .facts import FACTS
from .specs import (
    CATEGORIES,
    CORE_BANDS,
    DISEASES,
    DOMAINS,
    EVIDENCE,
    KINDS,
    OPERATORS,
    REVIEW_CAPS,
    TRANSPLANT_TYPES,
    RuleSetSpec,
)

PUBLISHED_IS_READ_ONLY = (
    "A published or retired rule set cannot be changed; clone it to a new draft."
)


def _choices(values):
    return [(v, v) for v in values]


def fact_choices() -> list[tuple[str, str]]:
    """The facts a criterion may read, as the admin offers them."""
    return sorted((k, f"{k}: {v.description}") for k, v in FACTS.items())


class RuleSetQuerySet(models.QuerySet):
    def active(self) -> RuleSet | None:
        return self.filter(status=RuleSet.Status.PUBLISHED).first()


class RuleSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published (active)"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    domain_weights = models.JSONField(
        help_text='Local policy: weight of each domain, e.g. {"severity": 40, ...}.'
    )
    band_thresholds = models.JSONField(
        help_text='Local policy: score from which a band starts, e.g. {"strong": 70, "possible": 40}.'
    )
    freshness_days = models.JSONField(
        help_text="Local policy: days a value stays usable, per kind of value."
    )
    notes = models.TextField(blank=True)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="one_published_ruleset"
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version}, {self.get_status_display().lower()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def last_edited_at(self):
        """When this rule set or one of its rows was last saved (from the edit history).

        Only saves made while it was a draft count: publishing and retiring change its
        status, not its criteria (a preview of the draft is not stale for being published).
        """
        dates = [
            self.history.filter(status=self.Status.DRAFT).aggregate(m=models.Max("history_date"))[
                "m"
            ],
            self.criteria.model.history.filter(ruleset_id=self.pk).aggregate(
                m=models.Max("history_date")
            )["m"],
            self.indications.model.history.filter(ruleset_id=self.pk).aggregate(
                m=models.Max("history_date")
            )["m"],
        ]
        known = [d for d in dates if d is not None]
        return max(known) if known else None

    def to_spec(self) -> RuleSetSpec:
        """The engine's view of this rule set (raises RuleSetError on unknown fields)."""
        return RuleSetSpec.from_dicts(
            {
                "name": self.name,
                "version": self.version,
                "domain_weights": self.domain_weights,
                "band_thresholds": self.band_thresholds,
                "freshness_days": self.freshness_days,
            },
            [i.as_dict() for i in self.indications.all()],
            [c.as_dict() for c in self.criteria.all()],
        )


class DiseaseIndication(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="indications")
    disease = models.CharField(max_length=20, choices=_choices(DISEASES))
    transplant_type = models.CharField(max_length=20, choices=_choices(TRANSPLANT_TYPES))
    category = models.CharField(max_length=30, choices=_choices(CATEGORIES))
    screened = models.BooleanField(
        default=True, help_text="Gates screening; unticked rows are shown as alternatives."
    )
    paediatric = models.BooleanField(default=False)
    citation = models.CharField(max_length=400)
    evidence = models.CharField(max_length=20, choices=_choices(EVIDENCE))
    history = HistoricalRecords()

    class Meta:
        ordering = ["disease", "transplant_type"]

    def __str__(self):
        return f"{self.disease} {self.transplant_type}: {self.category}"

    def as_dict(self) -> dict:
        return {
            "disease": self.disease,
            "transplant_type": self.transplant_type,
            "category": self.category,
            "citation": self.citation,
            "evidence": self.evidence,
            "screened": self.screened,
            "paediatric": self.paediatric,
        }


class Criterion(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    domain = models.CharField(max_length=20, choices=_choices(DOMAINS))
    diseases = models.JSONField(
        default=list,
        help_text='Disease groups it applies to, e.g. ["ssc"] or ["ms:sp"], or ["all"].',
    )
    # A callable, so that the migrations name the function rather than copy the list: a new
    # fact needs no migration.
    fact = models.CharField(max_length=40, choices=fact_choices)
    operator = models.CharField(max_length=10, choices=_choices(OPERATORS))
    thresholds = models.JSONField(
        default=list,
        blank=True,
        help_text="A list: [45] for <, [2.0, 6.0] for between, [] for is true.",
    )
    kind = models.CharField(max_length=12, choices=_choices(KINDS))
    required = models.BooleanField(
        default=False, help_text="Not evaluable makes the band Incomplete."
    )
    points = models.FloatField(default=0, help_text="Local policy.")
    explanation = models.CharField(
        max_length=400,
        blank=True,
        help_text="Sentence template: {label} {value} {unit} {date} {operator} {threshold}.",
    )
    citation = models.CharField(max_length=400, blank=True)
    evidence = models.CharField(max_length=20, choices=_choices(EVIDENCE))
    enabled = models.BooleanField(default=True)
    cap = models.CharField(
        max_length=30,
        blank=True,
        choices=[("", "—"), *_choices(REVIEW_CAPS)],
        help_text="Review criteria: the best band the patient can reach while it is met.",
    )
    not_met_band = models.CharField(
        "band when not met",
        max_length=30,
        blank=True,
        choices=[("", "—"), *_choices(CORE_BANDS)],
        help_text="Core criteria: the band the patient gets when it is not met.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain", "key"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "key"], name="criterion_key_unique_in_ruleset"
            )
        ]

    def __str__(self):
        return self.label or self.key

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "domain": self.domain,
            "diseases": list(self.diseases),
            "fact": self.fact,
            "operator": self.operator,
            "thresholds": list(self.thresholds or []),
            "kind": self.kind,
            "required": self.required,
            "points": self.points,
            "label": self.label,
            "explanation": self.explanation,
            "citation": self.citation,
            "evidence": self.evidence,
            "enabled": self.enabled,
            "cap": self.cap,
            "not_met_band": self.not_met_band,
        }


# Previews are defined beside their services; collected here for Django.
from .previews.models import RuleSetPreview, RuleSetPreviewRow  # noqa: E402,F401
