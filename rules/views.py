from django import forms
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from common.labels import plain

from . import catalogue
from .diff import diff_rulesets
from .models import RuleSet

QUERY_MAX_LENGTH = 100


@permission_required("rules.view_ruleset", raise_exception=True)
def active_ruleset(request):
    """The active rule set in words, every criterion with its source, for anyone who screens.

    ``?q=`` keeps the criteria whose label, rule, diseases or source hold every word of it.
    """
    ruleset = RuleSet.objects.active()
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    context: dict[str, object] = {"ruleset": ruleset, "query": query}
    if ruleset is not None:
        spec = ruleset.to_spec()
        groups = catalogue.criterion_groups(spec.criteria, query)
        context.update(
            notes=plain(ruleset.notes),
            settings=catalogue.settings(spec),
            legend=catalogue.evidence_legend(),
            indications=catalogue.indication_rows(spec.indications),
            groups=groups,
            shown=sum(len(g.rows) for g in groups),
            total=len(spec.criteria),
            can_compare=request.user.has_perm("rules.change_ruleset"),
        )
    return render(request, "rules/ruleset_detail.html", context)


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"Version {obj.version}, {obj.get_status_display().lower()}: {obj.name}"


class CompareForm(forms.Form):
    a = VersionChoice(queryset=RuleSet.objects.none(), label="From", empty_label=None)
    b = VersionChoice(queryset=RuleSet.objects.none(), label="To", empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = RuleSet.objects.order_by("-pk")
        for name in ("a", "b"):
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = versions
            field.widget.attrs["class"] = "form-select form-select-sm"


def default_versions() -> tuple[RuleSet | None, RuleSet | None]:
    """The newest draft (else the newest version) against the active version; when the
    newest is the active one, against the version it replaced."""
    versions = RuleSet.objects.order_by("-pk")
    newest = versions.filter(status=RuleSet.Status.DRAFT).first() or versions.first()
    active = RuleSet.objects.active()
    if newest is None or (active is not None and active.pk != newest.pk):
        return active, newest
    previous = newest.cloned_from or versions.exclude(pk=newest.pk).first()
    return previous or newest, newest


@permission_required("rules.change_ruleset", raise_exception=True)
def ruleset_diff(request):
    """What changed between two versions (``?a=<id>&b=<id>``), for criteria admins."""
    if "a" in request.GET or "b" in request.GET:
        form = CompareForm(request.GET)
        old, new = (
            (form.cleaned_data["a"], form.cleaned_data["b"]) if form.is_valid() else (None, None)
        )
    else:
        old, new = default_versions()
        form = CompareForm(initial={"a": old, "b": new})
    diff = None
    if old is not None and new is not None:
        diff = diff_rulesets(old.to_spec(), new.to_spec())
    return render(
        request, "rules/ruleset_diff.html", {"form": form, "old": old, "new": new, "diff": diff}
    )
