"""Facts: what the engine knows about a patient, computed from a record by pure functions.

A criterion reads one fact by name. Each fact has a one-line description and a type in
:data:`FACTS` (the vocabulary the admin offers), and a compute function registered here or in
:mod:`rules.facts_clinical`, :mod:`rules.facts_hct_ci` and :mod:`rules.facts_treatment`.
Facts are computed lazily: :func:`compute_facts` computes only the names it is asked for (and
what they depend on), because the engine asks only for the facts its rule set reads.

A value is *missing* when the record lacks it, *stale* when it is older than its freshness
window (windows are local policy, set on the rule set) and *at least* when it is a lower bound
(HCT-CI with items not assessed). A measurement dated after the as-of date counts as missing:
the result must be the one that could have been computed on that date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

from .record import PatientRecord

# Fact value states.
OK = "ok"
MISSING = "missing"
STALE = "stale"
AT_LEAST = "at_least"  # the value is a lower bound; see rules.engine for how operators read it
# The fact does not apply to this patient (e.g. the age on the first-line transplant pathway of
# a patient on another pathway): criteria reading it are left out, neither met nor missing.
NOT_APPLICABLE = "not_applicable"
FACT_STATES = (OK, MISSING, STALE, AT_LEAST, NOT_APPLICABLE)

# Fact types, which decide the operators a criterion may use on them.
NUMBER = "number"
BOOL = "bool"
CHOICE = "choice"  # one string out of a fixed list
LIST = "list"  # a list of strings
FACT_TYPES = (NUMBER, BOOL, CHOICE, LIST)

# Freshness classes. The windows themselves are set on the rule set (local policy).
LABS = "labs"
PERFORMANCE_STATUS = "performance_status"
CLINICAL_STATUS = "clinical_status"
ECHO_LUNG = "echo_lung"
DISEASE_ACTIVITY = "disease_activity"
MARROW = "marrow"
FRESHNESS_CLASSES = (LABS, PERFORMANCE_STATUS, CLINICAL_STATUS, ECHO_LUNG, DISEASE_ACTIVITY, MARROW)

# Which window each measurement falls under. Items absent here never go stale
# (a matched sibling donor, once typed, does not expire with the calendar).
ITEM_FRESHNESS: Mapping[str, str] = {
    **dict.fromkeys(("karnofsky", "ecog"), PERFORMANCE_STATUS),
    **dict.fromkeys(("bmi", "active_infection", "pregnant", "malignancy"), CLINICAL_STATUS),
    **dict.fromkeys(
        (
            "edss",
            "edss_relapse_related",
            "relapses_12m",
            "relapses_24m",
            "new_mri_lesions_12m",
            "new_t2_lesions_12m",
            "gd_lesions_12m",
            "ms_rapidly_evolving",
            "active_despite_standard_therapy",
            "surgery_not_an_option",
            "sledai_2k",
            "sle_renal",
            "sle_cns",
            "sle_haematological",
            "mrss",
            "ssc_lung",
            "ssc_heart",
            "ssc_kidney",
            "ssc_gi",
            "cdai",
        ),
        DISEASE_ACTIVITY,
    ),
    **dict.fromkeys(("lvef", "dlco", "fev1", "mpap", "pasp"), ECHO_LUNG),
    # A trephine and its work-up are not repeated for screening alone. Inherited marrow
    # failure and a matched sibling donor, once known, do not expire with the calendar.
    **dict.fromkeys(
        (
            "marrow_cellularity",
            "marrow_residual_haematopoietic_pct",
            "pnh_clone_pct",
            "abnormal_cytogenetics",
        ),
        MARROW,
    ),
    **dict.fromkeys(
        (
            "anc",
            "platelets",
            "reticulocytes",
            "reticulocytes_pct",
            "haemoglobin",
            "creatinine_clearance",
            "creatinine",
            "bilirubin",
            "bilirubin_uln",
            "alt",
            "alt_uln",
            "ast",
            "ast_uln",
            "crp_mg_l",
        ),
        LABS,
    ),
}

# Names used in "data to collect" for things that are not measurements.
INPUT_BIRTH_DATE = "birth_date"
INPUT_DIAGNOSIS = "disease"
INPUT_SUBTYPE = "disease_subtype"
INPUT_DIAGNOSIS_DATE = "diagnosis_date"
INPUT_TREATMENTS = "treatment_history"
INPUT_RELAPSE_DATES = "relapse_dates"
COMORBIDITY_PREFIX = "comorbidity:"


class FactValue(NamedTuple):
    """One fact for one patient on one date. NamedTuple, not a dataclass: it is made often."""

    value: Any = None
    on: date | None = None  # the date of the (oldest) input it was computed from
    status: str = MISSING
    missing: tuple[str, ...] = ()  # inputs to collect
    stale: tuple[str, ...] = ()  # inputs to measure again
    note: str = ""  # e.g. "from ECOG 1"

    @property
    def known(self) -> bool:
        return self.status in (OK, AT_LEAST)


@dataclass(frozen=True, slots=True)
class FactInfo:
    """The vocabulary entry for a fact: what the admin sees when choosing it.

    ``label`` is what every page calls it: a short noun phrase a clinician writes ("LVEF",
    "Relapses in the last 12 months"), read by :mod:`rules.describe` with ``unit`` to put a
    criterion's rule in words. ``places`` is how many decimals the scale is written with
    (EDSS 6.0); -1 writes a number as short as it goes (45, 1.5).
    """

    key: str
    type: str
    description: str
    unit: str = ""
    choices: tuple[str, ...] = ()  # for CHOICE and LIST facts
    freshness: str = ""  # the window that applies, if any
    label: str = ""
    places: int = -1


# tuple.__new__ builds a NamedTuple from a complete tuple about twice as fast as calling the
# class; used only on the hottest paths, always with every field given in order.
_new = tuple.__new__

Compute: TypeAlias = Callable[["Context"], FactValue]  # a fact's compute function

FACTS: dict[str, FactInfo] = {}
_COMPUTE: dict[str, Compute] = {}
DIRECT_FACTS: dict[str, str] = {}  # fact -> measurement item, for facts that are one measurement


def fact(
    key: str, type_: str, description: str, *, label: str, **info: Any
) -> Callable[[Compute], Compute]:
    """Register a fact's vocabulary entry and (when decorating) its compute function.

    Every fact needs a ``label``: the words pages show in place of its key.
    """
    FACTS[key] = FactInfo(key, type_, description, label=label, **info)

    def register(fn: Compute) -> Compute:
        _COMPUTE[key] = fn
        return fn

    return register


class Context:
    """A record seen on one date under one set of freshness windows, with a memo of facts."""

    __slots__ = ("record", "measurements", "as_of", "cutoffs", "memo", "scratch")

    def __init__(
        self,
        record: PatientRecord,
        as_of: date,
        windows: Mapping[str, int] | tuple[tuple[str, int], ...],
    ):
        self.record = record
        self.measurements = record.measurements
        self.as_of = as_of
        # A compiled rule set passes its windows as a ready-made sorted tuple (cheaper).
        key = windows if isinstance(windows, tuple) else tuple(sorted(windows.items()))
        self.cutoffs = _cutoffs(as_of, key)
        self.memo: dict[str, FactValue] = {}
        self.scratch: dict[str, Any] = {}  # intermediate results shared by compute functions

    def get(self, key: str) -> FactValue:
        """The fact ``key``, computed once."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = _COMPUTE[key](self)
        return found

    def measure(self, item: str) -> FactValue:
        """The latest value of a measurement item as a fact (missing, stale or ok)."""
        m = self.measurements.get(item)
        if m is None or m.on > self.as_of:
            return FactValue(None, None, MISSING, (item,))
        cutoff = self.cutoffs.get(item)
        if cutoff is not None and m.on < cutoff:
            return FactValue(m.value, m.on, STALE, (), (item,))
        return _new(FactValue, (m.value, m.on, OK, (), (), ""))  # the hot path: see _new


@lru_cache(maxsize=64)
def _cutoffs(as_of: date, windows: tuple[tuple[str, int], ...]) -> dict[str, date]:
    """The oldest date still fresh on ``as_of``, per item. Cached: a batch shares one date."""
    days = dict(windows)
    return {
        item: as_of - timedelta(days=days[cls])
        for item, cls in ITEM_FRESHNESS.items()
        if cls in days
    }


class Inputs:
    """Collects several inputs for a derived fact: usable values, dates and what is lacking."""

    __slots__ = ("ctx", "missing", "stale", "dates")

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.missing: list[str] = []
        self.stale: list[str] = []
        self.dates: list[date] = []

    def value(self, item: str) -> float | None:
        """A fresh measurement value, or None (noted as missing or stale)."""
        # Same rules as Context.measure, without building a FactValue: this is the hot path.
        ctx = self.ctx
        m = ctx.measurements.get(item)
        if m is None or m.on > ctx.as_of:
            self.missing.append(item)
            return None
        cutoff = ctx.cutoffs.get(item)
        if cutoff is not None and m.on < cutoff:
            self.stale.append(item)
            return None
        self.dates.append(m.on)
        return m.value

    def values(self, items: tuple[str, ...]) -> list[float | None]:
        """:meth:`value` for several items at once (one call instead of many: a hot path)."""
        ctx = self.ctx
        get, as_of, cutoffs = ctx.measurements.get, ctx.as_of, ctx.cutoffs
        out: list[float | None] = []
        for item in items:
            m = get(item)
            if m is None or m.on > as_of:
                self.missing.append(item)
                out.append(None)
                continue
            cutoff = cutoffs.get(item)
            if cutoff is not None and m.on < cutoff:
                self.stale.append(item)
                out.append(None)
                continue
            self.dates.append(m.on)
            out.append(m.value)
        return out

    def ratio(self, item: str, uln: str) -> float | None:
        """``item`` over its upper limit of normal; None if unknown. Not rounded: rounding
        could move a value across a threshold (1.504 x ULN is above 1.5)."""
        value, limit = self.value(item), self.value(uln)
        if value is None or limit is None or limit <= 0:
            return None
        return value / limit

    def fact(self, key: str) -> Any:
        """Another fact's value when known, else None (its gaps are carried over)."""
        return self._take(self.ctx.get(key))

    def _take(self, fv: FactValue) -> Any:
        if fv.status == OK:
            if fv.on is not None:
                self.dates.append(fv.on)
            return fv.value
        self.missing.extend(fv.missing)
        self.stale.extend(fv.stale)
        return None

    def result(
        self,
        value: Any,
        status: str = OK,
        note: str = "",
        report: Iterable[str] | None = None,
    ) -> FactValue:
        """The derived fact.

        ``report`` narrows what is reported as lacking to those inputs (``()`` for none,
        e.g. when a known input already settles the value); by default all gaps are reported.
        """
        if not self.missing and not self.stale:  # the common case, kept cheap
            return _new(
                FactValue, (value, min(self.dates) if self.dates else None, status, (), (), note)
            )
        keep = (
            None if report is None else (report if isinstance(report, frozenset) else set(report))
        )
        missing = tuple(dict.fromkeys(m for m in self.missing if keep is None or m in keep))
        stale = tuple(dict.fromkeys(s for s in self.stale if keep is None or s in keep))
        on = min(self.dates) if self.dates else None
        if value is None:
            status = STALE if stale and not missing else MISSING
        return FactValue(value, on, status, missing, stale, note)


def compute_facts(
    record: PatientRecord,
    as_of: date,
    freshness_days: Mapping[str, int] | tuple[tuple[str, int], ...],
    only: Iterable[str] | None = None,
) -> dict[str, FactValue]:
    """Compute facts for ``record`` on ``as_of`` under the freshness windows (days per class).

    ``only`` limits the work to those facts (and the facts they depend on, which are
    returned too); by default every fact with a compute function is computed. Facts that
    the engine supplies from the rule set (``ebmt_category``) are never computed here.
    """
    ctx = Context(record, as_of, freshness_days)
    memo, measure = ctx.memo, ctx.measure
    for key in _COMPUTE if only is None else only:
        if key in memo:
            continue
        item = DIRECT_FACTS.get(key)
        if item is not None:  # a fact that is one measurement: skip the indirection
            memo[key] = measure(item)
        elif key in _COMPUTE:
            ctx.get(key)
    return memo


# The compute functions register themselves on import; they need the names above, so
# they are imported last (this is the only import cycle in rules/, and it is deliberate).
from . import (  # noqa: E402,F401
    facts_aa,
    facts_clinical,
    facts_disease,
    facts_hct_ci,
    facts_ms,
    facts_treatment,
)
