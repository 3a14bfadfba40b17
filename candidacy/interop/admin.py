"""CDS Hooks clients in Django admin.

Who may edit: superusers, and staff given the ``candidacy`` add/change/delete/view
``cdsclient`` permissions by hand. No role group (clinician, coordinator, criteria admin)
holds them, because a client's centres decide which patients an outside system may read.
Changes are recorded in the admin's own log (who, when, which fields).
"""

from django.contrib import admin

from patients.history_admin import ReadOnlyHistoryAdmin

from .models import CdsClient


@admin.register(CdsClient)
class CdsClientAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "issuer", "is_active", "centre_codes", "created_at"]
    list_filter = ["is_active", "centres"]
    search_fields = ["name", "issuer"]
    filter_horizontal = ["centres"]
    readonly_fields = ["created_at"]
    fields = ["name", "issuer", "public_key", "centres", "is_active", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("centres")

    @admin.display(description="centres")
    def centre_codes(self, obj):
        return ", ".join(c.code for c in obj.centres.all()) or "—"
