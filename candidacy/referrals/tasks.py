"""The reminder, run by beat each morning (config/settings/base.py)."""

from celery import shared_task

from .reminders import remind_waiting


@shared_task(time_limit=300, soft_time_limit=270)
def remind_waiting_referrals() -> int:
    """Remind coordinators of referrals waiting past the limit; safe to run twice."""
    return remind_waiting()
