"""The one place the patient record announces that it changed.

``patients`` knows nothing about scoring. Its services send ``record_changed``
after every write to a patient's record; ``candidacy`` listens and queues a
re-screen once the transaction commits.
"""

from django.dispatch import Signal

# Sent with ``patient_id`` (the row id) after a patient's record was written.
record_changed = Signal()
