"""The dashboard of a transplant centre's coordinator shows the median wait per referral step,
with its chart (drawn by the static referral-waits.js from json_script data: the CSP)."""

import datetime

from django.urls import reverse

from candidacy.referrals import services


def test_the_dashboard_shows_a_transplant_coordinator_the_median_wait_per_step(
    clock, client_for, coordinator, referral
):
    clock.shift(datetime.timedelta(days=4))
    services.referral_step(referral=referral, to_status="workup", by=coordinator)
    clock.shift(datetime.timedelta(days=2))
    page = client_for(coordinator).get(reverse("worklist:dashboard")).content.decode()
    table = page.split('id="referral-waits"', 1)[1].split("</table>", 1)[0]
    assert '<td>Received</td><td class="text-end">4 days</td><td class="text-end">1</td>' in table
    assert '<td>Accepted for work-up</td><td class="text-end">2 days</td>' in table
    assert 'id="waits-chart"' in page and 'id="referral-waits-data"' in page
    assert "js/referral-waits.js" in page and "style=" not in page


def test_the_dashboard_has_no_wait_panel_for_a_clinician_or_a_referring_hospital(
    client_for, clinician, referring_clinician, other_coordinator, referral
):
    # other_coordinator works at the referring hospital (other_centre).
    for user in (clinician, referring_clinician, other_coordinator):
        page = client_for(user).get(reverse("worklist:dashboard")).content.decode()
        assert 'id="referral-waits"' not in page and "js/referral-waits.js" not in page
