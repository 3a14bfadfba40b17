from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .models import RuleSet


@permission_required("rules.view_ruleset", raise_exception=True)
def active_ruleset(request):
    """The active rule set, every criterion with its source, for anyone who screens."""
    ruleset = RuleSet.objects.active()
    context: dict[str, object] = {"ruleset": ruleset}
    if ruleset is not None:
        context["indications"] = ruleset.indications.all()
        context["criteria"] = ruleset.criteria.all()
    return render(request, "rules/ruleset_detail.html", context)
