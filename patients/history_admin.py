"""Django admin history that can be read but never written back."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History pages for reading only.

    django-simple-history lets a user revert an object from a history page, judging the
    permission against the old snapshot: a published rule set could be turned back into
    a draft, or its thresholds changed, with no validation and no record of publishing.
    Every change here must go through the normal, checked forms instead.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
