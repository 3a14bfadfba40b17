"""The catalogue of dated assessment items: unit, accepted range and step.

One entry per item a clinician can record. The form, the validation, the patient
page and the seeder all read this table, so a range is written once.
Item keys are the ones the rules engine reads (rules/record.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.vocabulary import MALIGNANCY_CODES

CHOOSE_YES_OR_NO = "Choose yes or no."
CHOOSE_ONE_OF = "Choose one of: {choices}."


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None  # values must sit on this grid (EDSS 0.5, Karnofsky 10)
    boolean: bool = False
    excluded_values: tuple[float, ...] = ()  # e.g. EDSS has no 0.5 step
    help: str = ""
    # A coded answer stored as a number (malignancy: 0 none, 1 past, 2 active): the form
    # offers these words, and only their numbers are valid.
    choices: tuple[tuple[float, str], ...] = ()

    @property
    def range_text(self) -> str:
        if self.boolean:
            return "yes or no"
        if self.choices:
            words = [word for _, word in self.choices]
            return ", ".join(words[:-1]) + f" or {words[-1]}"
        text = f"{_fmt(self.minimum)} to {_fmt(self.maximum)}"
        if self.step:
            text += f" in steps of {_fmt(self.step)}"
        if self.unit:
            text += f" {self.unit}"
        return text

    def validate(self, value: float) -> str | None:
        """Return the message for a value this item cannot take, or None."""
        if self.boolean:
            return None if value in (0, 1) else CHOOSE_YES_OR_NO
        if self.choices:
            if value in dict(self.choices):
                return None
            return CHOOSE_ONE_OF.format(choices=", ".join(word for _, word in self.choices))
        if self.minimum is not None and value < self.minimum:
            return f"{self.label} must be at least {_fmt(self.minimum)} {self.unit}".rstrip() + "."
        if self.maximum is not None and value > self.maximum:
            return f"{self.label} must be at most {_fmt(self.maximum)} {self.unit}".rstrip() + "."
        if self.step:
            steps = Decimal(str(value)) / Decimal(str(self.step))
            if steps != steps.to_integral_value():
                return f"{self.label} goes in steps of {_fmt(self.step)}."
        if value in self.excluded_values:
            return f"{self.label} has no {_fmt(value)} step."
        return None

    def word(self, value: float) -> str:
        """The word of a coded answer (malignancy 1.0 -> "past")."""
        return dict(self.choices).get(value, f"{value:g}")


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    return f"{number:g}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    diseases: tuple[str, ...]  # disease groups that need it; empty = every patient
    items: tuple[Item, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "performance",
        "Performance status",
        (),
        (
            Item("karnofsky", "Karnofsky", "%", 0, 100, 10, help="Karnofsky Performance Status"),
            Item("ecog", "ECOG", "grade", 0, 5, 1, help="ECOG / WHO performance status"),
        ),
    ),
    Section(
        "ms",
        "Multiple sclerosis",
        ("ms",),
        (
            Item("edss", "EDSS", "", 0, 10, 0.5, excluded_values=(0.5,), help="Kurtzke EDSS"),
            Item(
                "edss_relapse_related",
                "EDSS raised by a recent relapse",
                boolean=True,
                help="EDSS raised by a relapse in the last months",
            ),
            Item("relapses_12m", "Relapses in the last 12 months", "relapses", 0, 20, 1),
            Item("relapses_24m", "Relapses in the last 24 months", "relapses", 0, 40, 1),
            Item(
                "new_t2_lesions_12m",
                "New or enlarging T2 lesions in 12 months",
                "lesions",
                0,
                200,
                1,
                help="On MRI, against the scan of about a year before",
            ),
            Item(
                "gd_lesions_12m",
                "Gd-enhancing lesions in 12 months",
                "lesions",
                0,
                200,
                1,
                help="Gadolinium-enhancing lesions on MRI in the last 12 months",
            ),
            Item(
                "new_mri_lesions_12m",
                "New or enlarging T2 / Gd+ MRI lesions in 12 months",
                "lesions",
                0,
                200,
                1,
                help="One combined count, as rule set v1 read it; record T2 and Gd+ apart above",
            ),
            Item(
                "ms_rapidly_evolving",
                "Severe, rapidly evolving MS",
                boolean=True,
                help="Severe, rapidly evolving MS (clinician's judgement)",
            ),
        ),
    ),
    Section(
        "sle",
        "Systemic lupus erythematosus",
        ("sle",),
        (
            Item("sledai_2k", "SLEDAI-2K", "", 0, 105, 1),
            Item("sle_renal", "Renal involvement", boolean=True),
            Item("sle_cns", "Central nervous system involvement", boolean=True),
            Item("sle_haematological", "Haematological involvement", boolean=True),
        ),
    ),
    # Where no numeric activity threshold is sourced, the clinician's answer (EBMT 2025, Table 2).
    Section(
        "activity",
        "Disease activity",
        ("sle", "ra", "vasculitis", "myositis", "nmosd", "cidp"),
        (
            Item(
                "active_despite_standard_therapy",
                "Active or progressive despite standard therapy",
                boolean=True,
                help="Disease active or progressive despite standard therapy (clinician's assessment)",
            ),
        ),
    ),
    Section(
        "ssc",
        "Systemic sclerosis",
        ("ssc",),
        (
            Item("mrss", "Modified Rodnan skin score", "", 0, 51, 1),
            Item("ssc_lung", "Lung involvement (ILD)", boolean=True),
            Item("ssc_heart", "Heart involvement", boolean=True),
            Item("ssc_kidney", "Kidney involvement", boolean=True),
            Item("ssc_gi", "Gastrointestinal involvement", boolean=True),
            Item("crp_mg_l", "C-reactive protein", "mg/L", 0, 500),
        ),
    ),
    Section(
        "crohns",
        "Crohn's disease",
        ("crohns",),
        (
            Item("cdai", "CDAI", "", 0, 1100, 1, help="Crohn's Disease Activity Index"),
            Item(
                "surgery_not_an_option",
                "Surgery not an option",
                boolean=True,
                help="Surgery not an option for the refractory disease (ASTIC entry criterion)",
            ),
        ),
    ),
    Section(
        "aa",
        "Aplastic anaemia",
        ("aa",),
        (
            Item("anc", "Neutrophils (ANC)", "×10⁹/L", 0, 100),
            Item("platelets", "Platelets", "×10⁹/L", 0, 2000),
            Item("reticulocytes", "Reticulocytes, absolute", "×10⁹/L", 0, 500),
            Item("reticulocytes_pct", "Reticulocytes", "% of red cells", 0, 50),
            Item("haemoglobin", "Haemoglobin", "g/dL", 2, 25),
            Item("marrow_cellularity", "Marrow cellularity", "%", 0, 100),
            Item(
                "marrow_residual_haematopoietic_pct",
                "Residual haematopoietic cells",
                "% of cellularity",
                0,
                100,
                help="Residual haematopoietic cells, % of the marrow cellularity "
                "(Camitta: needed when the cellularity is 25-49%)",
            ),
            Item("matched_sibling_donor", "HLA-matched sibling donor available", boolean=True),
        ),
    ),
    # BSH 2024: rule out PNH, hypoplastic MDS and inherited marrow failure.
    Section(
        "aa_workup",
        "Aplastic anaemia work-up",
        ("aa",),
        (
            Item(
                "pnh_clone_pct",
                "PNH clone",
                "% of granulocytes",
                0,
                100,
                help="PNH clone, % of granulocytes (0 if none)",
            ),
            Item(
                "abnormal_cytogenetics",
                "Abnormal cytogenetics",
                boolean=True,
                help="Abnormal cytogenetics (hypoplastic MDS suspected)",
            ),
            Item(
                "inherited_marrow_failure",
                "Inherited marrow failure",
                boolean=True,
                help="Inherited marrow failure screen positive",
            ),
        ),
    ),
    Section(
        "organ",
        "Organ function",
        (),
        (
            Item("lvef", "LVEF", "%", 5, 90, help="Left ventricular ejection fraction"),
            Item("dlco", "DLCO", "% predicted", 5, 200),
            Item("fev1", "FEV1", "% predicted", 5, 200),
            Item("mpap", "Mean pulmonary arterial pressure", "mmHg", 5, 120),
            Item("pasp", "Pulmonary arterial systolic pressure", "mmHg", 5, 200),
            Item("creatinine_clearance", "Creatinine clearance", "mL/min", 0, 250),
            Item("creatinine", "Creatinine", "mg/dL", 0.1, 20),
            Item("bilirubin", "Bilirubin, total", "mg/dL", 0.05, 50),
            Item("bilirubin_uln", "Bilirubin, upper limit of normal", "mg/dL", 0.3, 3),
            Item("alt", "ALT", "U/L", 1, 10000),
            Item("alt_uln", "ALT, upper limit of normal", "U/L", 10, 100),
            Item("ast", "AST", "U/L", 1, 10000),
            Item("ast_uln", "AST, upper limit of normal", "U/L", 10, 100),
        ),
    ),
    Section(
        "general",
        "General",
        (),
        (
            Item("bmi", "BMI", "kg/m²", 10, 80),
            Item("active_infection", "Active infection", boolean=True),
            Item("pregnant", "Pregnant", boolean=True),
            Item(
                "malignancy",
                "Malignancy",
                choices=tuple(MALIGNANCY_CODES.items()),
                help="None, past (treated, not active now) or active",
            ),
        ),
    ),
)

ITEMS: dict[str, Item] = {item.key: item for section in SECTIONS for item in section.items}

# Items a clinician may enter in another unit; stored in the first unit.
# Factors are the usual molar conversions (creatinine 88.4, bilirubin 17.1 µmol/L per mg/dL).
UNIT_CONVERSIONS: dict[str, dict[str, float]] = {
    "creatinine": {"mg/dL": 1.0, "µmol/L": 1 / 88.4},
    "bilirubin": {"mg/dL": 1.0, "µmol/L": 1 / 17.1},
    "bilirubin_uln": {"mg/dL": 1.0, "µmol/L": 1 / 17.1},
}
SI_DISPLAY = {
    "creatinine": ("µmol/L", 88.4),
    "bilirubin": ("µmol/L", 17.1),
    "bilirubin_uln": ("µmol/L", 17.1),
}


def sections_for(disease_group: str | None) -> list[tuple[Section, bool]]:
    """Every section, each with whether it is open by default for this disease."""
    return [(s, not s.diseases or disease_group in s.diseases) for s in SECTIONS]


def display_value(key: str, value: float) -> str:
    """A stored value as a clinician reads it, with the SI equivalent where one is used."""
    item = ITEMS[key]
    if item.boolean:
        return "yes" if value else "no"
    if item.choices:
        return item.word(value)
    text = f"{value:g} {item.unit}".strip()
    if key in SI_DISPLAY:
        unit, factor = SI_DISPLAY[key]
        text += f" ({value * factor:.0f} {unit})"
    return text
