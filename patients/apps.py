from django.apps import AppConfig
from django.db.models.signals import m2m_changed


def _memberships_changed(sender, instance, action, reverse, **kwargs):
    """user.centres.add(...) on a loaded user: forget the centre ids cached on it."""
    from .access import forget_centre_ids

    if reverse and action.startswith("post_"):
        forget_centre_ids(instance)


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and reference tables"

    def ready(self):
        from .models import Centre

        m2m_changed.connect(
            _memberships_changed, sender=Centre.members.through, dispatch_uid="patients.memberships"
        )
