"""Property tests of the rules engine over random records (hypothesis), Django-free.

scoring-model.md, "Result": "No input, however odd, makes the engine raise: every result
carries a reason for its band, and a property test (hypothesis) over random records proves it",
and "A result never looks better for what is not known".

The records cover every disease group and MS subtype (and no disease, and one the rule set does
not know), every measurement item with values inside and at the edges of the item catalogue's
ranges (patients/items.py, hard-coded here so the test needs no Django), the sourced clinical
thresholds on both sides, fresh, stale and future dates, boundary ages (17/18, birthdays on
29 February, birth dates after the as-of date), random treatment histories and relapse dates.

Properties:
(a) ``evaluate`` never raises, except NotScreenable for a deceased patient, and the result
    renders;
(b) every band other than Strong / Possible carries a reason;
(c) removing one input (a measurement item, a treatment line, a relapse date, a comorbidity
    answer; Karnofsky and ECOG together as one performance-status input) never raises the score
    (compared only when both scores are numbers);
(d) score <= score_upper when both exist;
(e) the gated bands (Not indicated, Trial only, Excluded) have no score and no upper figure.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.vocabulary import (
    COMORBIDITY_ITEMS,
    DISEASE_GROUPS,
    MEASUREMENT_ITEMS,
    MS_SUBTYPES,
    THERAPY_CLASSES,
    TREATMENT_OUTCOMES,
)
from rules.defaults import default_ruleset_spec
from rules.engine import NotScreenable, evaluate
from rules.record import Measurement, PatientRecord, TreatmentLine
from rules.render import render_text
from rules.specs import BANDS, EXCLUDED, NOT_INDICATED, POSSIBLE, STRONG, TRIAL_ONLY

GATED = (NOT_INDICATED, TRIAL_ONLY, EXCLUDED)
# The as-of dates: the cases' date, a leap day, and the day after a 28-day February.
AS_OF_DATES = (date(2026, 11, 25), date(2028, 2, 29), date(2027, 3, 1))

# The item catalogue: (minimum, maximum, step) for numbers, "bool" for yes/no, or a tuple of
# codes. From patients/items.py, plus the v2 items (new T2 and Gd+ lesion counts, residual
# haematopoietic fraction, PNH clone, malignancy codes 0 none / 1 past / 2 active).
BOOL = "bool"
CODED = ("malignancy",)  # MALIGNANCY_CODES
CATALOGUE: dict[str, object] = {
    "karnofsky": (0, 100, 10),
    "ecog": (0, 5, 1),
    "edss": (0, 10, 0.5),
    "edss_relapse_related": BOOL,
    "relapses_12m": (0, 20, 1),
    "relapses_24m": (0, 40, 1),
    "new_mri_lesions_12m": (0, 200, 1),
    "new_t2_lesions_12m": (0, 200, 1),
    "gd_lesions_12m": (0, 200, 1),
    "ms_rapidly_evolving": BOOL,
    "sledai_2k": (0, 105, 1),
    "sle_renal": BOOL,
    "sle_cns": BOOL,
    "sle_haematological": BOOL,
    "mrss": (0, 51, 1),
    "ssc_lung": BOOL,
    "ssc_heart": BOOL,
    "ssc_kidney": BOOL,
    "ssc_gi": BOOL,
    "crp_mg_l": (0, 500, None),
    "cdai": (0, 1100, 1),
    "surgery_not_an_option": BOOL,
    "anc": (0, 100, None),
    "platelets": (0, 2000, None),
    "reticulocytes": (0, 500, None),
    "reticulocytes_pct": (0, 50, None),
    "haemoglobin": (2, 25, None),
    "marrow_cellularity": (0, 100, None),
    "marrow_residual_haematopoietic_pct": (0, 100, None),
    "matched_sibling_donor": BOOL,
    "pnh_clone_pct": (0, 100, None),
    "abnormal_cytogenetics": BOOL,
    "inherited_marrow_failure": BOOL,
    "lvef": (5, 90, None),
    "dlco": (5, 200, None),
    "fev1": (5, 200, None),
    "mpap": (5, 120, None),
    "pasp": (5, 200, None),
    "creatinine_clearance": (0, 250, None),
    "creatinine": (0.1, 20, None),
    "bilirubin": (0.05, 50, None),
    "bilirubin_uln": (0.3, 3, None),
    "alt": (1, 10000, None),
    "alt_uln": (10, 100, None),
    "ast": (1, 10000, None),
    "ast_uln": (10, 100, None),
    "bmi": (10, 80, None),
    "active_infection": BOOL,
    "pregnant": BOOL,
    "malignancy": (0.0, 1.0, 2.0),  # codes, not a range
    "active_despite_standard_therapy": BOOL,
}
# The sourced thresholds, so that both sides of each are drawn often.
THRESHOLDS: dict[str, tuple[float, ...]] = {
    "karnofsky": (60, 70),
    "ecog": (1, 2),
    "edss": (5.5, 6.0, 6.5, 7.0),
    "relapses_12m": (0, 1, 2),
    "mrss": (14, 15, 16, 20, 21),
    "crp_mg_l": (10, 10.5, 11),
    "cdai": (149, 150, 249, 250),
    "sledai_2k": (6, 7, 8),
    "anc": (0.19, 0.2, 0.49, 0.5, 1.5),
    "platelets": (19, 20, 50),
    "reticulocytes": (19, 20, 59, 60),
    "marrow_cellularity": (24, 25, 49, 50),
    "marrow_residual_haematopoietic_pct": (29, 30),
    "lvef": (39, 40, 44, 45, 50, 51),
    "dlco": (39, 40, 65, 66, 80, 81),
    "fev1": (65, 66, 80, 81),
    "mpap": (20, 25, 26, 30),
    "pasp": (40, 41, 45, 55, 56),
    "creatinine_clearance": (39, 40),
    "creatinine": (2.0, 2.01),
    "bmi": (35, 35.1),
}
# Therapy keys and classes (patients/reference_data.py, with the NMOSD biologics of v2), and a
# few odd lines: an unlisted therapy, a class that does not match the drug.
THERAPIES = (
    ("interferon_beta", "ms_dmt_lower"),
    ("glatiramer", "ms_dmt_lower"),
    ("teriflunomide", "ms_dmt_lower"),
    ("dimethyl_fumarate", "ms_dmt_moderate"),
    ("fingolimod", "ms_dmt_moderate"),
    ("natalizumab", "ms_dmt_high"),
    ("alemtuzumab", "ms_dmt_high"),
    ("ocrelizumab", "ms_dmt_high"),
    ("ofatumumab", "ms_dmt_high"),
    ("cladribine", "ms_dmt_high"),
    ("methotrexate", "immunosuppressant"),
    ("azathioprine", "immunosuppressant"),
    ("mycophenolate", "immunosuppressant"),
    ("cyclophosphamide", "immunosuppressant"),
    ("hydroxychloroquine", "immunosuppressant"),
    ("rituximab", "biologic"),
    ("belimumab", "biologic"),
    ("infliximab", "biologic"),
    ("adalimumab", "biologic"),
    ("eculizumab", "biologic"),
    ("ravulizumab", "biologic"),
    ("inebilizumab", "biologic"),
    ("satralizumab", "biologic"),
    ("baricitinib", "jak_inhibitor"),
    ("prednisolone", "corticosteroid"),
    ("methylprednisolone", "corticosteroid"),
    ("atg_equine", "aa_ist"),
    ("atg_rabbit", "aa_ist"),
    ("ciclosporin_aa", "aa_ist"),
    ("eltrombopag", "aa_ist"),
    ("ivig", "other"),
    ("plasma_exchange", "other"),
    ("unlisted_therapy", "other"),
)


@lru_cache(maxsize=1)
def ruleset():
    spec = default_ruleset_spec()
    try:
        from rules.engine import compile_ruleset
    except ImportError:
        return spec
    return compile_ruleset(spec)


# --- Strategies ---------------------------------------------------------------------------------


def _shift_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a common year
        return d.replace(year=d.year + years, day=28)


@st.composite
def birth_dates(draw, as_of: date) -> date:
    kind = draw(
        st.sampled_from(("adult", "adult", "any", "eighteen", "leap", "future", "boundary_age"))
    )
    if kind == "eighteen":  # the 18th birthday, the day before and after it
        return _shift_years(as_of, -18) + timedelta(days=draw(st.integers(-2, 2)))
    if kind == "leap":  # born on 29 February
        return date(draw(st.sampled_from(range(1932, 2025, 4))), 2, 29)
    if kind == "future":  # after the as-of date: bad data, must not raise
        return as_of + timedelta(days=draw(st.integers(1, 400)))
    if kind == "boundary_age":  # the sourced age limits, either side of the birthday
        years = draw(st.sampled_from((39, 40, 44, 45, 50, 51, 55, 56, 60, 61, 65, 66)))
        return _shift_years(as_of, -years) + timedelta(days=draw(st.integers(-1, 1)))
    if kind == "adult":
        return as_of - timedelta(days=draw(st.integers(18 * 366, 70 * 366)))
    return as_of - timedelta(days=draw(st.integers(0, 100 * 366)))


def _values(item: str):
    spec = CATALOGUE[item]
    if spec == BOOL:
        return st.sampled_from((0.0, 1.0))
    if item in CODED:
        return st.sampled_from(spec)
    low, high, step = spec  # type: ignore[misc]
    edges = [low, high, *THRESHOLDS.get(item, ())]
    if step is None:
        anywhere = st.floats(low, high, allow_nan=False, allow_infinity=False)
    else:
        grid = st.integers(0, int(round((high - low) / step))).map(lambda n: low + n * step)
        anywhere = grid.filter(lambda v: not (item == "edss" and v == 0.5))  # no EDSS 0.5
    return st.one_of(st.sampled_from([float(v) for v in edges]), anywhere.map(float))


# Days before the as-of date a value was taken: fresh, at the edges of the freshness windows
# (90, 180, 365 days), long stale, and in the future (negative).
AGES_IN_DAYS = st.one_of(
    st.sampled_from((0, 14, 89, 90, 91, 179, 180, 181, 364, 365, 366, -1, -30)),
    st.integers(-400, 3000),
)


# Mostly fresh: a record that is nearly complete and up to date reaches the candidate bands,
# where the removal property has most to check.
FRESH_DAYS = st.one_of(st.integers(0, 60), st.sampled_from((89, 90, 179, 180)))


@st.composite
def measurements(draw, as_of: date) -> dict[str, Measurement]:
    if draw(st.booleans()):  # nearly complete and fresh
        left_out = draw(st.lists(st.sampled_from(sorted(CATALOGUE)), unique=True, max_size=4))
        items = [item for item in sorted(CATALOGUE) if item not in left_out]
        ages = FRESH_DAYS
    else:  # any subset, any dates
        items = draw(
            st.lists(st.sampled_from(sorted(CATALOGUE)), unique=True, max_size=len(CATALOGUE))
        )
        ages = AGES_IN_DAYS
    return {
        item: Measurement(draw(_values(item)), as_of - timedelta(days=draw(ages))) for item in items
    }


@st.composite
def comorbidity_answers(draw) -> dict[str, bool | None]:
    if draw(st.booleans()):  # every item answered, mostly no
        return {
            item: draw(st.sampled_from((False, False, False, False, True)))
            for item in COMORBIDITY_ITEMS
        }
    return draw(
        st.dictionaries(
            st.sampled_from(COMORBIDITY_ITEMS), st.sampled_from((True, False, None)), max_size=16
        )
    )


def _day(as_of: date):
    return st.integers(-400, 6000).map(lambda n: as_of - timedelta(days=n))


@st.composite
def treatment_lines(draw, as_of: date) -> TreatmentLine:
    therapy, cls = draw(st.sampled_from(THERAPIES))
    if draw(st.integers(0, 9)) == 0:  # a class that does not match the drug
        cls = draw(st.sampled_from(THERAPY_CLASSES))
    start = draw(st.one_of(st.none(), _day(as_of)))
    end = draw(st.one_of(st.none(), _day(as_of)))  # may fall before the start: odd, not fatal
    outcome = draw(st.sampled_from(TREATMENT_OUTCOMES))
    reason = draw(st.sampled_from(("", "relapse", "JCV positive", "pregnancy planned")))
    return TreatmentLine(therapy, cls, start, end, outcome, reason)


@st.composite
def records(draw) -> tuple[PatientRecord, date]:
    as_of = draw(st.sampled_from(AS_OF_DATES))
    disease = draw(st.sampled_from((*DISEASE_GROUPS, "ms", "ms", "aa", None, "psoriasis", "")))
    subtype = draw(st.sampled_from((*MS_SUBTYPES, None, "", "xx")))
    comorbidities = draw(comorbidity_answers())
    rec = PatientRecord(
        birth_date=draw(birth_dates(as_of)),
        sex=draw(st.sampled_from(("female", "male", "other", "unknown"))),
        deceased=draw(st.integers(0, 19)) == 0,
        disease=disease,
        disease_subtype=subtype,
        diagnosis_date=draw(st.one_of(st.none(), _day(as_of))),
        measurements=draw(measurements(as_of)),
        comorbidities=comorbidities,
        treatments=tuple(draw(st.lists(treatment_lines(as_of), max_size=6))),
        relapses=tuple(
            draw(
                st.lists(st.integers(-200, 1500), max_size=6).map(
                    lambda ns: [as_of - timedelta(days=n) for n in ns]
                )
            )
        ),
    )
    return rec, as_of


def _replace(rec: PatientRecord, **changes) -> PatientRecord:
    values = {name: getattr(rec, name) for name in PatientRecord.__slots__}
    values.update(changes)
    return PatientRecord(**values)


def reduced_records(rec: PatientRecord):
    """Each record with one input removed, and what was removed."""
    performance = ("karnofsky", "ecog")
    for item in rec.measurements:
        if item in performance:
            continue
        kept = {k: v for k, v in rec.measurements.items() if k != item}
        yield f"measurement {item}", _replace(rec, measurements=kept)
    if any(item in rec.measurements for item in performance):
        kept = {k: v for k, v in rec.measurements.items() if k not in performance}
        yield "performance status", _replace(rec, measurements=kept)
    for n, line in enumerate(rec.treatments):
        yield (
            f"treatment line {line}",
            _replace(rec, treatments=rec.treatments[:n] + rec.treatments[n + 1 :]),
        )
    for n, day in enumerate(rec.relapses):
        yield f"relapse {day}", _replace(rec, relapses=rec.relapses[:n] + rec.relapses[n + 1 :])
    for item in rec.comorbidities:
        kept = {k: v for k, v in rec.comorbidities.items() if k != item}
        yield f"comorbidity {item}", _replace(rec, comorbidities=kept)


def screen(rec: PatientRecord, as_of: date):
    """The result, or None for a deceased patient (who must raise NotScreenable)."""
    if rec.deceased:
        try:
            evaluate(rec, ruleset(), as_of)
        except NotScreenable:
            return None
        raise AssertionError("a deceased patient was screened")
    return evaluate(rec, ruleset(), as_of)


COMMON = settings(
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- The properties -----------------------------------------------------------------------------


def test_the_catalogue_here_covers_every_measurement_item():
    assert set(CATALOGUE) == set(MEASUREMENT_ITEMS)


@settings(COMMON, max_examples=400)
@given(records())
def test_any_record_gives_a_well_formed_result(drawn):
    rec, as_of = drawn
    result = screen(rec, as_of)  # (a) never raises, except NotScreenable for the deceased
    if result is None:
        return
    assert result.band in BANDS
    render_text(result)  # (a) and renders
    if result.band not in (STRONG, POSSIBLE):  # (b)
        assert result.reasons, f"{result.band} without a reason"
    if result.band in GATED:  # (e)
        assert result.score is None and result.score_upper is None
    else:
        assert isinstance(result.score, int) and 0 <= result.score <= 100
    if result.score is not None and result.score_upper is not None:  # (d)
        assert result.score <= result.score_upper <= 100
    if result.band == STRONG:
        assert not result.review_marks


@settings(COMMON, max_examples=150)
@given(records())
def test_removing_an_input_never_raises_the_score(drawn):
    rec, as_of = drawn
    if rec.deceased:
        return
    full = screen(rec, as_of)
    for removed, less in reduced_records(rec):
        fewer = screen(less, as_of)
        if full.score is not None and fewer.score is not None:  # (c)
            assert fewer.score <= full.score, (
                f"removing {removed} raised the score {full.score} ({full.band}) "
                f"to {fewer.score} ({fewer.band})"
            )


def test_removing_an_input_from_a_clinical_case_never_raises_its_score():
    # (c) on the realistic records of test_clinical_cases.py, every input removed in turn.
    from .test_clinical_cases import AS_OF, CASES

    for param in CASES:
        rec, _ = param.values
        full = screen(rec, AS_OF)
        for removed, less in reduced_records(rec):
            fewer = screen(less, AS_OF)
            if full.score is not None and fewer.score is not None:
                assert fewer.score <= full.score, (
                    f"{param.id}: removing {removed} raised the score {full.score} ({full.band}) "
                    f"to {fewer.score} ({fewer.band})"
                )
