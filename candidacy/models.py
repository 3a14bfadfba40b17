"""The screening app's models, defined in its subpackages and collected here.

Django looks for an app's models in ``candidacy.models``; each concern keeps its own
models beside its services and views. The app label stays ``candidacy`` for all of them,
so the tables and the migration history are those of the single app this used to be.
"""

from .interop.models import CdsClient, CdsTokenUse
from .referrals.attachments import ReferralAttachment
from .referrals.models import Referral, ReferralStep
from .reviews.models import Review, ReviewEvent, ReviewNote
from .screening.models import RescreenChunk, RescreenJob, Screening
from .worklist.models import ExportLog

__all__ = [
    "CdsClient",
    "CdsTokenUse",
    "ExportLog",
    "RescreenChunk",
    "RescreenJob",
    "Referral",
    "ReferralAttachment",
    "ReferralStep",
    "Review",
    "ReviewEvent",
    "ReviewNote",
    "Screening",
]
