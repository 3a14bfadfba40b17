"""Criteria admins edit drafts here; published versions are read-only.

The rule set page carries the version's own fields and its indications; its criteria are a
searchable list, each opening a change page of its own (rules/admin_criteria.py). Cloning
is an action on the list; publishing goes through a confirmation page
(rules/admin_publish.py).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from common.concurrency import OptimisticModelForm
from common.formsets import CappedInlineFormSet
from patients.history_admin import ReadOnlyHistoryAdmin

from . import services
from .admin_criteria import CriterionAdmin, criteria_listing
from .admin_publish import publish_view
from .models import PUBLISHED_IS_READ_ONLY, DiseaseIndication, RuleSet

__all__ = ["CriterionAdmin", "RuleSetAdmin"]

PUBLISH_ONE_AT_A_TIME = "Publish one draft at a time."
CLONED = "Draft version {draft} was created from version {source}."


class DraftOnlyInline(admin.TabularInline):
    extra = 0
    # Far above any rule set (the default has 37 indications); Django's own cap is 2,000 forms.
    formset = CappedInlineFormSet
    max_num = 300

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class IndicationInline(DraftOnlyInline):
    model = DiseaseIndication
    fields = [
        "disease",
        "transplant_type",
        "category",
        "screened",
        "paediatric",
        "citation",
        "evidence",
    ]


class RuleSetForm(OptimisticModelForm):
    """The version's own fields; a second admin editing the same draft is shown the first's
    changes rather than reverting them (common/concurrency.py)."""

    class Meta:
        model = RuleSet
        fields = "__all__"


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyHistoryAdmin):
    form = RuleSetForm
    list_display = ["version", "name", "status", "published_at", "published_by", "next_step"]
    list_display_links = ["version", "name"]
    list_filter = ["status"]
    readonly_fields = ["status", "cloned_from", "created_at", "published_at", "published_by"]
    inlines = [IndicationInline]
    actions = ["publish", "clone_to_draft"]
    change_form_template = "admin/rules/ruleset/change_form.html"

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        publish = self.admin_site.admin_view(
            lambda request, object_id: publish_view(self, request, object_id)
        )
        return [
            path("<path:object_id>/publish/", publish, name="rules_ruleset_publish"),
            *super().get_urls(),
        ]

    @admin.display(description="next step")
    def next_step(self, ruleset):
        if not ruleset.is_editable:
            return ""
        url = reverse("admin:rules_ruleset_publish", args=[ruleset.pk])
        return format_html('<a href="{}">Publish…</a>', url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ruleset = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if ruleset is not None:
            extra.update(criteria_listing(request, ruleset))
            if not ruleset.is_editable:
                extra["read_only_note"] = PUBLISHED_IS_READ_ONLY
            elif request.user.has_perm("rules.change_ruleset"):
                extra["publish_url"] = reverse("admin:rules_ruleset_publish", args=[ruleset.pk])
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description="Publish the selected draft…", permissions=["change"])
    def publish(self, request, queryset):
        """Opens the confirmation page; nothing is published from the list."""
        if queryset.count() != 1:
            self.message_user(request, PUBLISH_ONE_AT_A_TIME, messages.ERROR)
            return None
        ruleset = queryset.get()
        return HttpResponseRedirect(reverse("admin:rules_ruleset_publish", args=[ruleset.pk]))

    @admin.action(description="Clone to a new draft", permissions=["add"])
    def clone_to_draft(self, request, queryset):
        for ruleset in queryset:
            draft = services.ruleset_clone(ruleset=ruleset)
            url = reverse("admin:rules_ruleset_change", args=[draft.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">Open the draft</a>.',
                    CLONED.format(draft=draft.version, source=ruleset.version),
                    url,
                ),
            )
