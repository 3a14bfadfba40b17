"""Benchmark: evaluations per second of the engine on one core.

``python -m rules.bench [N]`` prints the figure. The records are synthetic and built
deterministically from a seed, across every disease group, with a realistic share of
missing and stale values, so the figure covers the slow paths (HCT-CI "at least", stale
data) as well as the happy one. Timing uses ``time.process_time`` (CPU time of this one
process, single-threaded, so one core): the figure then does not depend on what else the
machine is running. That is the benchmark's own stopwatch; the engine never reads the clock.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from common.vocabulary import COMORBIDITY_ITEMS, DISEASE_GROUPS, MS_SUBTYPES, THERAPY_CLASSES

from .compiler import CompiledRuleSet, compile_ruleset
from .defaults import default_ruleset_spec
from .engine import evaluate
from .record import Measurement, PatientRecord, TreatmentLine

BENCH_AS_OF = date(2026, 11, 25)
# item: (low, high) of a plausible uniform draw; booleans are 0/1.
_RANGES = {
    "karnofsky": (40, 100),
    "ecog": (0, 3),
    "edss": (1.0, 7.5),
    "relapses_12m": (0, 4),
    "relapses_24m": (0, 6),
    "new_mri_lesions_12m": (0, 8),
    "sledai_2k": (0, 30),
    "mrss": (5, 40),
    "ssc_lung": (0, 1),
    "ssc_heart": (0, 1),
    "ssc_kidney": (0, 1),
    "ssc_gi": (0, 1),
    "crp_mg_l": (0.5, 40),
    "cdai": (100, 450),
    "anc": (0.05, 2.0),
    "platelets": (5, 150),
    "reticulocytes": (5, 100),
    "marrow_cellularity": (5, 60),
    "matched_sibling_donor": (0, 1),
    "lvef": (35, 70),
    "dlco": (35, 110),
    "fev1": (50, 110),
    "mpap": (12, 35),
    "pasp": (20, 50),
    "creatinine_clearance": (30, 130),
    "creatinine": (0.5, 2.5),
    "bilirubin": (0.2, 2.0),
    "bilirubin_uln": (1.2, 1.2),
    "alt": (10, 120),
    "alt_uln": (40, 40),
    "ast": (10, 120),
    "ast_uln": (40, 40),
    "bmi": (18, 40),
    "active_infection": (0, 1),
    "pregnant": (0, 1),
}
_WHOLE = {
    "karnofsky",
    "ecog",
    "relapses_12m",
    "relapses_24m",
    "new_mri_lesions_12m",
    "sledai_2k",
    "mrss",
    "cdai",
}
_FLAGS = {
    "ssc_lung",
    "ssc_heart",
    "ssc_kidney",
    "ssc_gi",
    "matched_sibling_donor",
    "active_infection",
    "pregnant",
}


def make_records(n: int, seed: int = 0, as_of: date = BENCH_AS_OF) -> list[PatientRecord]:
    """``n`` synthetic adult records, the same ones for the same seed."""
    rnd = random.Random(seed)
    records = []
    for _ in range(n):
        disease = rnd.choice(DISEASE_GROUPS)
        measurements = {}
        for item, (lo, hi) in _RANGES.items():
            if rnd.random() < 0.1:
                continue  # about one value in ten is missing
            if item in _FLAGS:
                value = float(rnd.random() < 0.2)
            elif item in _WHOLE:
                value = float(rnd.randint(int(lo), int(hi)))
            else:
                value = round(rnd.uniform(lo, hi), 1)
            # 0-120 days old: most values fresh, about a quarter of labs past their 90 days.
            measurements[item] = Measurement(value, as_of - timedelta(days=rnd.randint(0, 120)))
        # The comorbidity form is either filled in (each item true one time in ten) or not
        # yet (one record in five), as it is in a clinic.
        comorbidities = (
            {k: rnd.random() < 0.1 for k in COMORBIDITY_ITEMS} if rnd.random() < 0.8 else {}
        )
        treatments = tuple(
            TreatmentLine(
                therapy=f"drug{rnd.randint(1, 12)}",
                therapy_class=rnd.choice(THERAPY_CLASSES),
                start=as_of - timedelta(days=rnd.randint(200, 3000)),
                end=None if rnd.random() < 0.3 else as_of - timedelta(days=rnd.randint(0, 190)),
                outcome=rnd.choice(("ongoing", "inadequate_response", "intolerance", "completed")),
            )
            for _ in range(rnd.randint(0, 5))
        )
        records.append(
            PatientRecord(
                birth_date=as_of - timedelta(days=rnd.randint(18 * 366, 70 * 365)),
                sex=rnd.choice(("female", "male")),
                deceased=False,
                disease=disease,
                disease_subtype=rnd.choice(MS_SUBTYPES) if disease == "ms" else None,
                diagnosis_date=as_of - timedelta(days=rnd.randint(100, 6000)),
                measurements=measurements,
                comorbidities=comorbidities,
                treatments=treatments,
            )
        )
    return records


def evaluations_per_second(
    n: int = 5000,
    seed: int = 0,
    ruleset: CompiledRuleSet | None = None,
    as_of: date = BENCH_AS_OF,
    repeat: int = 3,
) -> float:
    """Time ``evaluate`` over ``n`` synthetic records on this core; return evaluations/second.

    Building the records and compiling the rule set are outside the timed loop: a service
    compiles once per published version. The best of ``repeat`` passes is reported, as
    ``timeit`` does, because other processes on the machine only ever slow a pass down.
    """
    compiled = ruleset or compile_ruleset(default_ruleset_spec())
    records = make_records(n, seed, as_of)
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.process_time()
        for record in records:  # none is deceased, so NotScreenable cannot interrupt the loop
            evaluate(record, compiled, as_of)
        best = min(best, time.process_time() - start)
    return n / best if best > 0 else float("inf")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    print(f"{evaluations_per_second(count):,.0f} evaluations/second on one core ({count} records)")
