"""The reminder, run by beat each morning (config/settings/base.py)."""

from celery import shared_task

from .reminders import remind_stale, remind_waiting


@shared_task(time_limit=300, soft_time_limit=270)
def remind_waiting_referrals() -> int:
    """Remind coordinators of referrals waiting past the limit, and of those whose decision
    data went stale; safe to run twice. Beat runs it after the nightly re-screen, which is
    what marks values stale as they age."""
    return remind_waiting() + remind_stale()
