"""The sealer, run by beat every AUDIT_SEAL_SECONDS (config/settings/base.py)."""

from celery import shared_task

from .chain import seal_all


@shared_task(time_limit=600, soft_time_limit=540)
def seal_audit_chains() -> dict[str, int]:
    """Link the new audit and history rows into their chains. Safe to run twice at once:
    the second finds nothing, or loses a race and stops (chain.chain_seal)."""
    return seal_all()
