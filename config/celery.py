import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# DjangoTask gives every task delay_on_commit(): queue only once the data is committed.
app = Celery("candidacy", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside the services they call, in the app's subpackages.
app.autodiscover_tasks(["candidacy.screening", "candidacy.referrals", "rules", "patients.audit"])
