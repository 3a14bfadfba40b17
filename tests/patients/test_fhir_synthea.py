"""The 30 Synthea bundles of ../shared/fixtures/fhir, read where they are (never copied here).

Their location is CANDIDACY_SHARED_DIR (default <repo>/../shared), as tests/conftest.py says;
without them these tests are skipped with the reason.
"""

import datetime
import os
from pathlib import Path

import pytest

from candidacy.screening.models import Screening
from patients.fhir.importer import Source, import_run
from patients.models import Patient

from ..conftest import SHARED_DIR

BUNDLES = Path(SHARED_DIR) / "fixtures" / "fhir"
FILES = sorted(BUNDLES.glob("*.json")) if BUNDLES.is_dir() else []

pytestmark = pytest.mark.skipif(
    len(FILES) != 30,
    reason=f"the 30 shared Synthea bundles are not in {BUNDLES} (set CANDIDACY_SHARED_DIR)",
)

DECEASED = {"Austin", "Barney", "Cathryn", "Eddy", "Laticia", "Loma", "Michele"}


@pytest.fixture
def imported(centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = import_run(
            sources=[Source(name=f.name, data=f.read_bytes()) for f in FILES],
            centre=centre,
            source="command",
        )
    return run, {
        p.given_name.rstrip("0123456789"): p for p in Patient.objects.filter(centre=centre)
    }


@pytest.mark.django_db
def test_all_30_import_with_some_resources_skipped_and_living_patients_screened(imported):
    run, patients = imported
    failed = [(r["name"], r["error"]) for r in run.report if r["status"] != "imported"]
    assert failed == []
    assert (run.bundles, run.patients_created) == (30, 30)
    assert run.resources_skipped > 0 and all(r["skipped"] for r in run.report)
    assert all(r["other"].get("Claim") for r in run.report)  # other types counted, passed over
    living = [p for p in patients.values() if not p.is_deceased]
    assert Screening.objects.filter(patient__in=living, is_current=True).count() == len(living)


@pytest.mark.django_db
def test_the_ra_patients_asa_s_treatments_the_deceased_and_the_child(imported):
    _run, patients = imported
    assert patients["Asa"].disease.key == "ra" and patients["Laticia"].disease.key == "ra"
    assert patients["Willy"].disease is None  # his RA is resolved
    # Synthea orders products (RxNorm 105586, 835900): matched by ingredient name.
    lines = {t.therapy.key: t for t in patients["Asa"].treatments.select_related("therapy")}
    assert set(lines) == {"methotrexate", "ciclosporin"}
    assert lines["methotrexate"].outcome == "ongoing"
    assert lines["ciclosporin"].start_date == datetime.date(2017, 7, 6)
    assert {name for name, p in patients.items() if p.is_deceased} == DECEASED
    assert patients["María Eugenia"].age < 18
    assert Screening.objects.filter(patient=patients["María Eugenia"], is_current=True).exists()


@pytest.mark.django_db
def test_the_hiv_source_imports_with_its_conditional_references_passed_over(imported):
    run, patients = imported
    report = next(r for r in run.report if r["name"].startswith("Bob965"))
    assert report["status"] == "imported"
    assert report["mapped"] == {"Patient": 1}  # CIEL-coded observations are not mapped
    assert report["other"]["Provenance"] == 1 and report["other"]["DocumentReference"] == 32
    assert os.path.basename(report["name"]) == report["name"]
    assert patients["Bob"].mrn


@pytest.mark.django_db
def test_patients_with_no_disease_the_rule_set_covers_are_not_indicated_not_incomplete(imported):
    # scoring-model.md: "A record with no disease the rule set covers gets Not indicated ...
    # not Incomplete: an EHR import brings many such patients."
    _run, patients = imported
    uncovered = [p for p in patients.values() if p.disease is None and not p.is_deceased]
    assert len(uncovered) > 10
    screenings = Screening.objects.filter(patient__in=uncovered, is_current=True)
    assert {s.band for s in screenings} == {"Not indicated"}
    assert all(s.score is None for s in screenings)
    assert all(s.result["reasons"][0][0] == "no_covered_disease" for s in screenings)
