"""Criteria admins edit drafts here; published versions are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from patients.history_admin import ReadOnlyHistoryAdmin

from . import services
from .models import Criterion, DiseaseIndication, RuleSet
from .signals import publish_follow_ups


class DraftOnlyInline(admin.TabularInline):
    extra = 0

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


class CriterionInline(DraftOnlyInline):
    model = Criterion
    fields = [
        "enabled",
        "key",
        "label",
        "kind",
        "domain",
        "diseases",
        "fact",
        "operator",
        "thresholds",
        "required",
        "points",
        "cap",
        "not_met_band",
        "explanation",
        "citation",
        "evidence",
    ]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "version", "status", "published_at", "published_by"]
    list_filter = ["status"]
    readonly_fields = ["status", "cloned_from", "created_at", "published_at", "published_by"]
    inlines = [IndicationInline, CriterionInline]
    actions = ["publish", "clone_to_draft"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(
        description="Publish the selected draft (validates it first)", permissions=["change"]
    )
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Publish one draft at a time.", messages.ERROR)
            return
        ruleset = queryset.get()
        try:
            services.ruleset_publish(ruleset=ruleset, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, f"Not published: {message}", messages.ERROR)
            return
        # Publishing queues a re-screen of every patient; the app that runs it says where to watch.
        links = format_html_join(
            " ", '<a href="{}">{}</a>.', ((f.url, f.text) for f in publish_follow_ups(ruleset))
        )
        self.message_user(
            request,
            format_html("Version {} is published and now active. {}", ruleset.version, links),
            messages.SUCCESS,
        )

    @admin.action(description="Clone to a new draft", permissions=["add"])
    def clone_to_draft(self, request, queryset):
        for ruleset in queryset:
            draft = services.ruleset_clone(ruleset=ruleset)
            self.message_user(
                request,
                f"Draft version {draft.version} was created from version {ruleset.version}.",
            )
