"""A re-screen through a database cut and a killed worker: it completes, nobody is lost or
counted twice. Run by `make faults`; the figures print at the end of the run."""

import time

from django.db import connection

from candidacy.screening.models import RescreenJob
from rules import services as rules_services
from rules.models import RuleSet

from .harness import FIGURES, OUTAGE_SECONDS, Figures, consistency, wait_until


def publish_a_new_version():
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active())
    rules_services.ruleset_publish(ruleset=draft, by=None)  # its job is queued on commit
    return draft


def job_of(ruleset):
    return RescreenJob.objects.filter(ruleset=ruleset).order_by("created_at").first()


def everyone_on(ruleset):
    figures = consistency(ruleset)
    return (
        figures["lost"] == 0
        and not RescreenJob.objects.filter(ruleset=ruleset, finished_at__isnull=True).exists()
    )


def record(scenario, patients, seconds, ruleset):
    counts = consistency(ruleset)
    FIGURES.append(Figures(scenario, len(patients), seconds, **counts))
    return counts


def test_without_a_fault_the_rescreen_is_the_baseline(population, web_broker, start_service):
    """The same re-screen with nothing cut: the figure the others are read against."""
    start_service("worker", "w1")
    start_service("beat", "b1")
    started = time.monotonic()
    draft = publish_a_new_version()
    wait_until(lambda: everyone_on(draft), "every patient on the new version")
    counts = record("no fault (baseline)", population, time.monotonic() - started, draft)
    assert counts == {"lost": 0, "stale": 0, "duplicates": 0}


def test_a_rescreen_completes_after_the_database_is_cut_mid_job(
    population, web_broker, db_proxy, start_service
):
    start_service("worker", "w1")
    start_service("beat", "b1")
    draft = publish_a_new_version()
    wait_until(lambda: (job := job_of(draft)) is not None and job.done > 0, "the job to start")
    db_proxy.cut()  # every worker connection drops; new ones are refused
    cut_at = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    db_proxy.restore()
    wait_until(lambda: everyone_on(draft), "every patient on the new version")
    counts = record("database cut mid-job", population, time.monotonic() - cut_at, draft)
    job = job_of(draft)
    assert job.done == job.total == len(population)
    assert counts == {"lost": 0, "stale": 0, "duplicates": 0}
    assert job.chunks.filter(attempts__gt=1).exists()  # the outage was met, and retried


def test_a_worker_killed_mid_job_is_recovered_by_the_reconciler(
    population, web_broker, start_service
):
    from candidacy.screening.models import RescreenChunk

    first = start_service("worker", "w1")
    start_service("beat", "b1")
    draft = publish_a_new_version()
    wait_until(
        lambda: RescreenChunk.objects.filter(job__ruleset=draft, state="running").exists(),
        "a chunk to be running",
    )
    first.kill()  # mid-chunk: its message stays unacknowledged in Redis
    killed_at = time.monotonic()
    start_service("worker", "w2")
    wait_until(lambda: everyone_on(draft), "every patient on the new version")
    counts = record("worker killed mid-job", population, time.monotonic() - killed_at, draft)
    job = job_of(draft)
    assert job.done == job.total == len(population)  # every chunk counted once
    assert counts == {"lost": 0, "stale": 0, "duplicates": 0}
    assert job.chunks.filter(attempts__gt=1).exists()  # the dead chunk was queued again
    connection.close()
