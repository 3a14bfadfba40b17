from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CandidacyConfig(AppConfig):
    name = "candidacy"
    verbose_name = "Screening"

    def ready(self):
        from patients.signals import record_changed
        from rules.signals import register_publish_follow_up, ruleset_published

        from .screening import receivers

        record_changed.connect(
            receivers.rescreen_patient, dispatch_uid="candidacy.rescreen_patient"
        )
        ruleset_published.connect(
            receivers.rescreen_everyone, dispatch_uid="candidacy.rescreen_everyone"
        )
        register_publish_follow_up(receivers.rescreen_progress_link)
        post_migrate.connect(
            receivers.rescreen_after_migrate,
            sender=self,
            dispatch_uid="candidacy.rescreen_after_migrate",
        )
        register_patient_panels()


def register_patient_panels():
    """The panels candidacy adds to the patient page (patients knows nothing of candidacy)."""
    from patients.panels import HEADER_ACTIONS, MAIN, PatientPanel, register_patient_panel

    from .referrals import panels as referral_panels
    from .reviews.panels import reviews_panel
    from .screening import panels

    register_patient_panel(
        PatientPanel(
            "screening",
            MAIN,
            "candidacy/screening/_screening.html",
            panels.screening_panel,
            order=10,
        )
    )
    register_patient_panel(
        PatientPanel(
            "review", MAIN, "candidacy/reviews/_patient_reviews.html", reviews_panel, order=20
        )
    )
    register_patient_panel(
        PatientPanel(
            "print",
            HEADER_ACTIONS,
            "candidacy/screening/_print_button.html",
            panels.print_button,
            order=90,
        )
    )
    register_patient_panel(
        PatientPanel(
            "refer",
            HEADER_ACTIONS,
            "candidacy/referrals/_refer_button.html",
            referral_panels.refer_button,
            order=80,
        )
    )
    register_patient_panel(
        PatientPanel(
            "referrals",
            MAIN,
            "candidacy/referrals/_patient_referrals.html",
            referral_panels.referrals_panel,
            order=30,  # after the team review
        )
    )
