"""Accessibility in a real browser (issue #13): axe-core finds no serious or critical
violation on the pages people use all day; a skip link and a visible focus ring; the worklist
and the patient page fit a 390 px phone; the header's search box finds a patient."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from candidacy.reviews.models import Review
from candidacy.screening import services as screening
from candidacy.screening.models import Screening
from rules.models import RuleSet

from ..factories_candidacy import ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "candidacy-demo"
BLOCKING = ("serious", "critical")


@pytest.fixture
def demo(live_server):
    call_command(
        "seed_demo",
        "--patients",
        "80",
        "--allow-without-debug",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    ids = list(screening.screenable_patient_ids())
    screening.screenings_record_many(patient_ids=ids, ruleset=RuleSet.objects.active())
    current = Screening.objects.current().filter(patient__centre__code="ntc")
    patient = current.filter(score__isnull=False).order_by("rank_key").first().patient
    if not Review.objects.filter(patient=patient).exists():
        ReviewFactory(flag_screening=Screening.objects.of_patient(patient.pk))
    return patient


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_ten_key_pages_have_no_serious_or_critical_axe_violation(page, sign_in, live_server, demo):
    pid = demo.public_id
    page.goto(f"{live_server.url}/accounts/login/")
    found = {"/accounts/login/": blocking_violations(page)}
    sign_in("coordinator-ntc", DEMO_PASSWORD)
    for path in (
        "/worklist/",
        f"/patients/{pid}/",
        f"/patients/{pid}/print/",
        "/reviews/",
        f"/reviews/{pid}/",
        "/dashboard/",
        "/criteria/",
        "/patients/",
    ):
        page.goto(live_server.url + path)
        found[path] = blocking_violations(page)
    page.context.clear_cookies()
    sign_in("clinician-ntc", DEMO_PASSWORD)
    for path in (f"/patients/{pid}/assessments/new/", f"/patients/{pid}/treatments/"):
        page.goto(live_server.url + path)
        found[path] = blocking_violations(page)
    assert len(found) >= 10
    assert {path: v for path, v in found.items() if v} == {}


def test_the_first_tab_is_a_skip_link_to_the_content_and_focus_is_visible(
    page, sign_in, live_server, demo
):
    sign_in("clinician-ntc", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/worklist/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize("path", ["/worklist/", "/patients/{pid}/", "/criteria/"])
def test_at_390_px_the_worklist_the_patient_and_the_criteria_do_not_scroll_sideways(
    browser, live_server, demo, path
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "clinician-ntc")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + path.format(pid=demo.public_id))
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => "
        "e.getBoundingClientRect().right > 391 && !e.parentElement.closest('.table-responsive'))"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className}#${e.id}`)"
    )
    assert width <= 390, wide
    if path == "/criteria/":
        # The criteria table keeps its columns (scrolling in its own box), never one word a line.
        cell = page.locator("table.criteria tbody td").first.bounding_box()
        assert cell is not None and cell["width"] >= 100
    if path == "/worklist/":
        band = page.locator("#worklist tbody tr").first.locator("td[data-label=Band]")
        box = band.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390  # the band is on screen
    context.close()


def test_the_header_search_finds_a_patient_by_mrn_from_any_page(page, sign_in, live_server, demo):
    sign_in("clinician-ntc", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    page.fill("#header-q", demo.mrn)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/patients/{demo.public_id}/")
    page.fill("#header-q", demo.family_name)
    page.keyboard.press("Enter")
    page.wait_for_url("**/patients/?*q=*")
    assert page.get_by_role("link", name=f"{demo.family_name}, {demo.given_name}").count() >= 1
