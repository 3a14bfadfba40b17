"""Reference tables in Django admin. Patient records are deliberately not here:
they are reached only through the clinical pages, which scope them to centres."""

from django.contrib import admin

from .history_admin import ReadOnlyHistoryAdmin
from .models import Centre, Disease, Therapy


@admin.register(Centre)
class CentreAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    filter_horizontal = ["members"]


@admin.register(Disease)
class DiseaseAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "key", "group", "subtype", "snomed_codes", "icd10_codes"]
    search_fields = ["name", "key"]


@admin.register(Therapy)
class TherapyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "key", "therapy_class", "rxnorm_codes"]
    list_filter = ["therapy_class"]
    search_fields = ["name", "key"]
