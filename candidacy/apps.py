from django.apps import AppConfig


class CandidacyConfig(AppConfig):
    name = "candidacy"
    verbose_name = "Screening"

    def ready(self):
        from patients.signals import record_changed
        from rules.signals import ruleset_published

        from . import receivers

        record_changed.connect(receivers.rescreen_patient, dispatch_uid="candidacy.rescreen_patient")
        ruleset_published.connect(receivers.rescreen_everyone, dispatch_uid="candidacy.rescreen_everyone")
