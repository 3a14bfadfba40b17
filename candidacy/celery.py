import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candidacy.settings.base")

# DjangoTask gives every task delay_on_commit(): queue only once the data is committed.
app = Celery("candidacy", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
