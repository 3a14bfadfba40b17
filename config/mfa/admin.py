"""The user admin, with the reset of two-step sign-in as its one audited way to touch devices."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.audit.models import SecurityEvent

from .services import mfa_reset

User = get_user_model()
RESET_DONE = "Two-step sign-in was reset for {names}: they set it up again at their next sign-in."

# django-otp's own device admins would let an admin add a device with a secret they know, or
# delete one without a trace: the reset below is the one way, and it is audited.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.unregister(User)


@admin.register(User)
class CandidacyUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "mfa_enrolled")
    actions = ["reset_mfa"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_mfa=Exists(confirmed))

    @admin.display(description="Two-step sign-in", boolean=True, ordering="has_mfa")
    def mfa_enrolled(self, obj) -> bool:
        return obj.has_mfa

    @admin.action(
        description="Reset two-step sign-in of the selected users", permissions=["change"]
    )
    def reset_mfa(self, request, queryset):
        names = []
        for user in queryset:
            mfa_reset(user=user, by=request.user, request=request)
            self.log_change(request, user, "Reset two-step sign-in")
            names.append(user.get_username())
        self.message_user(request, RESET_DONE.format(names=", ".join(names)), messages.SUCCESS)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log, read-only: append-only like the access log, so nobody adds, changes or
    deletes a row here, superusers included."""

    list_display = ("at", "actor", "action", "subject_name", "address", "detail")
    list_filter = ("action",)
    search_fields = ("actor", "subject_name")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
