from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from common.labels import plain

from . import catalogue
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
        )
    return render(request, "rules/ruleset_detail.html", context)
