"""The demo generator's treatment lines (patients/demo/treatments.py): pure, no database."""

import random
from datetime import date, timedelta

import pytest

from patients.demo.treatments import treatments

END = date(2025, 6, 30)


@pytest.mark.parametrize("seed", range(50))
def test_a_background_therapy_that_would_start_after_the_record_ends_is_left_out(seed):
    # SLE has two background therapies; with onset a month before the record ends, the first
    # often cannot start in time, and the second must still be considered without error.
    lines = treatments(random.Random(seed), "sle", END - timedelta(days=30), END, died=False)

    assert all(line.start < END for line in lines)
    assert len({line.therapy for line in lines}) == len(lines)
