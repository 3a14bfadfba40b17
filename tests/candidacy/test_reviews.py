"""The review workflow: states, reasons, permissions, the audit trail, and the pages."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from candidacy.reviews import flags
from candidacy.reviews import services as reviews
from candidacy.reviews.models import Review, ReviewEvent
from candidacy.reviews.services import (
    DecisionIncomplete,
    IllegalTransition,
    ReviewError,
    review_add_note,
    review_assign,
    review_decide,
    review_start,
)
from rules.specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

from ..clock import TODAY, days_ahead
from ..conftest import COORDINATOR, _member
from ..factories import PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory

State = Review.State
TOMORROW = days_ahead(1)


@pytest.fixture
def make_review(centre):
    def make(band=STRONG, score=80, state=State.FLAGGED, **fields):
        screening = ScreeningFactory(patient=PatientFactory(centre=centre), band=band, score=score)
        return ReviewFactory(flag_screening=screening, state=state, **fields)

    return make


@pytest.fixture
def flagged(make_review):
    return make_review()


@pytest.fixture
def in_review(make_review, coordinator):
    return make_review(state=State.IN_REVIEW, assignee=coordinator)


@pytest.fixture
def colleague(centre):
    return _member(
        COORDINATOR, centre, username="colleague", first_name="Robin", last_name="Colleague"
    )


# --- The state machine ---------------------------------------------------------------------


def test_starting_a_flagged_review_assigns_it_to_the_starter_and_audits_it(flagged, coordinator):
    review = review_start(review=flagged, by=coordinator)
    assert (review.state, review.assignee) == (State.IN_REVIEW, coordinator)
    event = review.events.get()
    assert (event.actor, event.from_state, event.to_state) == (
        coordinator,
        State.FLAGGED,
        State.IN_REVIEW,
    )


@pytest.mark.parametrize("decision", [State.REFERRED, State.DEFERRED, State.DECLINED])
def test_a_flagged_review_cannot_be_decided_before_it_is_started(flagged, coordinator, decision):
    with pytest.raises(IllegalTransition) as error:
        review_decide(
            review=flagged, decision=decision, by=coordinator, reason="r", re_review_on=TOMORROW
        )
    assert error.value.message == reviews.ILLEGAL_TRANSITION.format(
        current="flagged", action=reviews.ACTIONS[decision]
    )
    assert not ReviewEvent.objects.exists()


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.REFERRED, State.DEFERRED, State.DECLINED])
def test_only_a_flagged_review_can_be_started(make_review, coordinator, state):
    with pytest.raises(IllegalTransition):
        review_start(review=make_review(state=state), by=coordinator)


@pytest.mark.parametrize("state", [State.REFERRED, State.DEFERRED, State.DECLINED])
def test_a_decided_review_stays_decided(make_review, coordinator, state):
    review = make_review(state=state)
    with pytest.raises(IllegalTransition):
        review_decide(review=review, decision=State.REFERRED, by=coordinator)
    with pytest.raises(IllegalTransition, match=reviews.CANNOT_ASSIGN_CLOSED):
        review_assign(review=review, assignee=coordinator, by=coordinator)


def test_a_referral_records_the_screening_it_was_made_on(in_review, coordinator):
    screening = in_review.flag_screening
    review = review_decide(review=in_review, decision=State.REFERRED, by=coordinator)
    assert review.state == State.REFERRED
    assert review.decision_screening == screening
    assert (review.decision_band, review.decision_score, review.decision_ruleset_version) == (
        STRONG,
        80,
        screening.ruleset_version,
    )
    assert review.decided_by == coordinator and review.decided_at is not None
    event = review.events.get()
    assert (event.from_state, event.to_state, event.actor) == (
        State.IN_REVIEW,
        State.REFERRED,
        coordinator,
    )
    assert "Strong candidate, score 80" in event.detail


def test_an_unknown_decision_is_refused(in_review, coordinator):
    with pytest.raises(ReviewError, match=reviews.UNKNOWN_DECISION):
        review_decide(review=in_review, decision="flagged", by=coordinator)


def test_a_deceased_patient_cannot_be_referred(in_review, coordinator):
    in_review.patient.deceased = True
    in_review.patient.save(update_fields=["deceased"])
    with pytest.raises(ReviewError, match=reviews.DECEASED_CANNOT_BE_REFERRED):
        review_decide(review=in_review, decision=State.REFERRED, by=coordinator)


# --- Reasons and dates ----------------------------------------------------------------------


def test_declining_needs_a_reason(make_review, coordinator):
    review = make_review(band=POSSIBLE, score=60, state=State.IN_REVIEW)
    with pytest.raises(DecisionIncomplete) as error:
        review_decide(review=review, decision=State.DECLINED, by=coordinator, reason="   ")
    assert error.value.errors == {"reason": reviews.DECLINE_REASON_REQUIRED}
    review = review_decide(
        review=review, decision=State.DECLINED, by=coordinator, reason="Patient prefers to wait"
    )
    assert (review.state, review.decision_reason) == (State.DECLINED, "Patient prefers to wait")


def test_deferring_needs_a_future_date_and_flags_again_on_it(make_review, coordinator):
    review = make_review(band=POSSIBLE, score=60, state=State.IN_REVIEW)
    with pytest.raises(DecisionIncomplete) as error:
        review_decide(review=review, decision=State.DEFERRED, by=coordinator)
    assert error.value.errors == {"re_review_on": reviews.DEFER_DATE_REQUIRED}
    with pytest.raises(DecisionIncomplete) as error:
        review_decide(
            review=review,
            decision=State.DEFERRED,
            by=coordinator,
            re_review_on=TODAY,
        )
    assert error.value.errors == {"re_review_on": reviews.DEFER_DATE_NOT_FUTURE}
    # A Possible candidate may be deferred without a reason.
    review = review_decide(
        review=review, decision=State.DEFERRED, by=coordinator, re_review_on=TOMORROW
    )
    assert (review.state, review.re_review_on) == (State.DEFERRED, TOMORROW)
    assert flags.reviews_reflag_due(TODAY) == []
    [again] = flags.reviews_reflag_due(TOMORROW)
    assert again.patient == review.patient and again.state == State.FLAGGED


@pytest.mark.parametrize("band", [UNLIKELY, EXCLUDED, NOT_INDICATED, TRIAL_ONLY, INCOMPLETE])
def test_referring_a_patient_the_score_did_not_call_a_candidate_needs_a_reason(
    make_review, coordinator, band
):
    review = make_review(band=band, score=20, state=State.IN_REVIEW)
    with pytest.raises(DecisionIncomplete) as error:
        review_decide(review=review, decision=State.REFERRED, by=coordinator)
    assert error.value.errors == {"reason": reviews.DEPARTURE_REASON_REQUIRED.format(band=band)}
    review = review_decide(
        review=review, decision=State.REFERRED, by=coordinator, reason="MDT: rapidly progressive"
    )
    assert review.state == State.REFERRED


@pytest.mark.parametrize("decision", [State.DEFERRED, State.DECLINED])
def test_declining_or_deferring_a_strong_candidate_needs_a_reason(in_review, coordinator, decision):
    with pytest.raises(DecisionIncomplete) as error:
        review_decide(review=in_review, decision=decision, by=coordinator, re_review_on=TOMORROW)
    assert error.value.errors == {"reason": reviews.DEPARTURE_REASON_REQUIRED.format(band=STRONG)}


def test_a_referral_in_line_with_the_band_needs_no_reason(make_review, coordinator):
    review = make_review(band=POSSIBLE, score=60, state=State.IN_REVIEW)
    assert (
        review_decide(review=review, decision=State.REFERRED, by=coordinator).state
        == State.REFERRED
    )


def test_the_decision_is_made_on_the_current_screening_not_the_one_that_flagged(
    in_review, coordinator
):
    in_review.flag_screening.is_current = False
    in_review.flag_screening.save(update_fields=["is_current"])
    now = ScreeningFactory(patient=in_review.patient, band=UNLIKELY, score=35)
    with pytest.raises(DecisionIncomplete):
        review_decide(
            review=in_review, decision=State.REFERRED, by=coordinator
        )  # Unlikely now: a departure
    review = review_decide(
        review=in_review, decision=State.REFERRED, by=coordinator, reason="MDT view"
    )
    assert (review.decision_screening, review.decision_band, review.decision_score) == (
        now,
        UNLIKELY,
        35,
    )


# --- Assignment and notes -------------------------------------------------------------------


def test_a_review_can_be_assigned_to_a_colleague_of_the_same_centre_only(
    flagged, coordinator, colleague, other_coordinator, clinician
):
    review = review_assign(review=flagged, assignee=colleague, by=coordinator)
    assert review.assignee == colleague
    event = review.events.get()
    assert (event.actor, event.from_state, event.to_state) == (
        coordinator,
        State.FLAGGED,
        State.FLAGGED,
    )
    assert "Robin Colleague" in event.detail and "unassigned" in event.detail
    for not_a_colleague in (other_coordinator, clinician):
        with pytest.raises(ReviewError, match=reviews.ASSIGNEE_NOT_COORDINATOR):
            review_assign(review=review, assignee=not_a_colleague, by=coordinator)


def test_notes_are_threaded_timestamped_and_audited(flagged, coordinator, colleague):
    note = review_add_note(review=flagged, text="Ask neurology for the latest MRI.", by=coordinator)
    reply = review_add_note(review=flagged, text="Requested.", by=colleague, parent=note)
    assert reply.parent == note and reply.created_at >= note.created_at
    assert list(flagged.events.values_list("detail", flat=True)) == [
        "Added a note",
        "Replied to a note",
    ]
    with pytest.raises(ReviewError, match=reviews.NOTE_EMPTY):
        review_add_note(review=flagged, text="  ", by=coordinator)


def test_a_reply_must_belong_to_the_same_review(make_review, coordinator):
    first, second = make_review(), make_review()
    note = review_add_note(review=first, text="x", by=coordinator)
    with pytest.raises(ReviewError, match=reviews.NOTE_PARENT_INVALID):
        review_add_note(review=second, text="y", by=coordinator, parent=note)


# --- Permissions in the services --------------------------------------------------------------


def test_clinicians_cannot_act_on_reviews(flagged, in_review, clinician):
    for step in (
        lambda: review_start(review=flagged, by=clinician),
        lambda: review_assign(review=flagged, assignee=clinician, by=clinician),
        lambda: review_decide(review=in_review, decision=State.REFERRED, by=clinician),
        lambda: review_add_note(review=flagged, text="x", by=clinician),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert not ReviewEvent.objects.exists()


def test_coordinators_cannot_act_on_another_centres_reviews(flagged, other_coordinator):
    with pytest.raises(PermissionDenied):
        review_start(review=flagged, by=other_coordinator)


def test_the_groups_hold_the_review_permissions(coordinator, clinician):
    assert coordinator.has_perms(
        ["candidacy.view_review", "candidacy.change_review", "candidacy.add_reviewnote"]
    )
    assert clinician.has_perm("candidacy.view_review")
    assert not clinician.has_perm("candidacy.change_review") and not clinician.has_perm(
        "candidacy.add_reviewnote"
    )
    assert (
        Group.objects.get(name="Coordinator").permissions.filter(codename="change_review").exists()
    )


# --- Pages ----------------------------------------------------------------------------------------


def detail_url(review):
    return reverse("reviews:detail", args=[review.patient.public_id])


def test_the_queue_lists_open_flags_of_the_users_centres(
    client_for, coordinator, flagged, make_review, other_centre
):
    decided = make_review(state=State.REFERRED)
    elsewhere = ReviewFactory(
        flag_screening=ScreeningFactory(patient=PatientFactory(centre=other_centre))
    )
    page = client_for(coordinator).get(reverse("reviews:queue")).content.decode()
    assert flagged.patient.mrn in page
    assert decided.patient.mrn not in page  # open reviews by default
    assert elsewhere.patient.mrn not in page
    assert "Strong candidate" in page and "unassigned" in page
    assert "Supports a decision; the team decides." in page


def test_the_queue_filters_by_state_and_assignee(client_for, coordinator, colleague, make_review):
    mine = make_review(state=State.IN_REVIEW, assignee=coordinator)
    theirs = make_review(state=State.IN_REVIEW, assignee=colleague)
    unassigned = make_review()
    referred = make_review(state=State.REFERRED)
    client = client_for(coordinator)
    page = client.get(reverse("reviews:queue"), {"who": "mine"}).content.decode()
    assert (
        mine.patient.mrn in page
        and theirs.patient.mrn not in page
        and unassigned.patient.mrn not in page
    )
    page = client.get(reverse("reviews:queue"), {"who": "unassigned"}).content.decode()
    assert unassigned.patient.mrn in page and mine.patient.mrn not in page
    page = client.get(reverse("reviews:queue"), {"state": "referred"}).content.decode()
    assert referred.patient.mrn in page and unassigned.patient.mrn not in page
    assert client.get(reverse("reviews:queue"), {"state": "nonsense"}).status_code == 400


def test_the_queue_uses_a_fixed_number_of_queries(
    client_for, coordinator, make_review, django_assert_max_num_queries
):
    for _ in range(15):
        make_review()
    client = client_for(coordinator)
    client.get(reverse("reviews:queue"))
    with django_assert_max_num_queries(13):  # 12, and the badge of referrals waiting too long
        assert client.get(reverse("reviews:queue")).status_code == 200


def test_the_nav_shows_the_count_of_unassigned_flags(
    client_for, coordinator, make_review, other_centre
):
    make_review(), make_review()
    make_review(assignee=coordinator)
    ReviewFactory(flag_screening=ScreeningFactory(patient=PatientFactory(centre=other_centre)))
    page = client_for(coordinator).get(reverse("patients:list")).content.decode()
    assert (
        '<span class="badge rounded-pill text-bg-warning" id="nav-unassigned-flags">2<span class="visually-hidden"> unassigned flags</span>'
        in page
    )


def test_a_coordinator_assigns_starts_and_refers_through_the_page(client_for, coordinator, flagged):
    client = client_for(coordinator)
    url = detail_url(flagged)
    page = client.get(url).content.decode()
    assert "Assign to me" in page and "Start review" in page
    response = client.post(
        reverse("reviews:assign", args=[flagged.patient.public_id]),
        {"review": flagged.pk, "assignee": coordinator.pk},
        follow=True,
    )
    assert reviews.ASSIGNED.format(name=coordinator.get_full_name()) in response.content.decode()
    client.post(reverse("reviews:start", args=[flagged.patient.public_id]), {"review": flagged.pk})
    response = client.post(
        reverse("reviews:decide", args=[flagged.patient.public_id]),
        {"review": flagged.pk, "decision": "referred"},
        follow=True,
    )
    page = response.content.decode()
    assert reviews.DECIDED.format(state="Referred for transplant evaluation") in page
    flagged.refresh_from_db()
    assert flagged.state == State.REFERRED
    # The audit trail is on the page: who, from, to.
    events = page[page.index('id="review-events"') :]
    assert coordinator.get_full_name() in events
    assert "<td>In review</td><td>Referred for transplant evaluation</td>" in events


def test_a_departing_decision_without_a_reason_shows_the_error_beside_the_field(
    client_for, coordinator, in_review
):
    response = client_for(coordinator).post(
        reverse("reviews:decide", args=[in_review.patient.public_id]),
        {"review": in_review.pk, "decision": "declined"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    message = reviews.DEPARTURE_REASON_REQUIRED.format(band=STRONG)
    assert (
        'id="form-errors"' in page and page.count(message) == 2
    )  # in the summary and beside the field
    in_review.refresh_from_db()
    assert in_review.state == State.IN_REVIEW


def test_an_illegal_transition_is_shown_as_a_message(client_for, coordinator, flagged):
    response = client_for(coordinator).post(
        reverse("reviews:decide", args=[flagged.patient.public_id]),
        {"review": flagged.pk, "decision": "referred"},
        follow=True,
    )
    assert (
        reviews.ILLEGAL_TRANSITION.format(current="flagged", action="referred")
        in response.content.decode()
    )


def test_a_stale_page_cannot_act_on_a_newer_review(client_for, coordinator, flagged):
    response = client_for(coordinator).post(
        reverse("reviews:start", args=[flagged.patient.public_id]),
        {"review": flagged.pk + 1000},
        follow=True,
    )
    assert reviews.REVIEW_CHANGED in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.state == State.FLAGGED


def test_notes_and_replies_are_shown_on_the_page(client_for, coordinator, flagged):
    client = client_for(coordinator)
    client.post(
        reverse("reviews:note", args=[flagged.patient.public_id]),
        {"review": flagged.pk, "text": "First thought"},
    )
    note = flagged.notes.get()
    client.post(
        reverse("reviews:note", args=[flagged.patient.public_id]),
        {"review": flagged.pk, "text": "A reply", "parent": note.pk},
    )
    page = client.get(detail_url(flagged)).content.decode()
    assert page.index("First thought") < page.index("A reply")
    assert flagged.notes.get(text="A reply").parent == note


def test_clinicians_see_reviews_read_only(client_for, clinician, flagged):
    client = client_for(clinician)
    assert client.get(reverse("reviews:queue")).status_code == 200
    page = client.get(detail_url(flagged)).content.decode()
    assert "Start review" not in page and "Assign to me" not in page and "Add note" not in page
    for name, data in (
        ("start", {}),
        ("assign", {"assignee": clinician.pk}),
        ("decide", {"decision": "referred"}),
        ("note", {"text": "x"}),
    ):
        response = client.post(
            reverse(f"reviews:{name}", args=[flagged.patient.public_id]),
            {"review": flagged.pk, **data},
        )
        assert response.status_code == 403


def test_another_centres_review_is_not_found(client_for, other_coordinator, flagged):
    client = client_for(other_coordinator)
    assert client.get(detail_url(flagged)).status_code == 404
    response = client.post(
        reverse("reviews:start", args=[flagged.patient.public_id]), {"review": flagged.pk}
    )
    assert response.status_code == 404
    flagged.refresh_from_db()
    assert flagged.state == State.FLAGGED


def test_the_nav_badge_stops_counting_at_99_plus(client_for, coordinator, centre, monkeypatch):
    from candidacy.reviews import context_processors

    from ..factories import PatientFactory

    monkeypatch.setattr(context_processors, "NAV_COUNT_CAP", 3)
    for _ in range(4):
        ReviewFactory(flag_screening__patient=PatientFactory(centre=centre))
    page = client_for(coordinator).get(reverse("reviews:queue")).content.decode()
    assert '<span class="badge rounded-pill text-bg-warning" id="nav-unassigned-flags">2+' in page
