"""The load run of ``manage.py bench_load``: clinicians reading the worklist, run by locust.

Not imported by the app: ``bench_load`` starts ``locust -f`` on this file, with the pages to
read in ``BENCH_LOAD_PAGES`` (JSON: name -> path, cursors signed by the server under test)
and the patient pages in ``BENCH_LOAD_PATIENTS`` (JSON list of paths). Each simulated user
signs in as a demo clinician through the sign-in form (with its CSRF token), then reads a
page chosen at random, pausing 1 to 3 seconds between requests; the statistics start once
every user has signed in and run for ``BENCH_LOAD_SECONDS``. The sign-in page is read too,
by the same users without their session (signed in, it would redirect): the floor, a page that
touches no patient data, measured under the same load.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading

from locust import HttpUser, between, task
from locust.clients import HttpSession

LOGIN = "/accounts/login/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES: dict[str, str] = json.loads(os.environ.get("BENCH_LOAD_PAGES", "{}"))
PATIENTS: list[str] = json.loads(os.environ.get("BENCH_LOAD_PATIENTS", "[]"))
USERNAME = os.environ.get("BENCH_LOAD_USER", "clinician-ntc")
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD", "candidacy-demo")
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
SIGN_IN_PAGE = "sign-in page"
signed_in = 0
PATIENT_PAGE = "patient page"


class Clinician(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        form = self.client.get(LOGIN, name="sign in: form")
        token = CSRF.search(form.text)
        with self.client.post(
            LOGIN,
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}{LOGIN}"},
            name="sign in: post",
            catch_response=True,
        ) as response:
            if "sessionid" not in self.client.cookies:
                response.failure("not signed in")
        self.anonymous = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        self.measure_once_all_signed_in()

    def measure_once_all_signed_in(self):
        """The measured window: SECONDS from the last sign-in, with the statistics reset then.

        Fifty sign-ins at once hash fifty passwords (PBKDF2, on purpose slow): counted in the
        window, that queue would be most of what the pages are measured to wait for.
        """
        global signed_in
        signed_in += 1
        if signed_in == USERS:
            runner = self.environment.runner
            runner.stats.reset_all()
            # locust runs on gevent, which makes this timer a greenlet.
            threading.Timer(SECONDS, runner.quit).start()

    @task
    def page(self):
        name = random.choice([*PAGES, PATIENT_PAGE, SIGN_IN_PAGE])
        if name == SIGN_IN_PAGE:
            read(self.anonymous, LOGIN, name)
        elif name == PATIENT_PAGE:
            read(self.client, random.choice(PATIENTS), name)
        else:
            read(self.client, PAGES[name], name)


def read(session, path: str, name: str) -> None:
    """A page that answers anything but 200 (a redirect to sign in, an error) is a failure."""
    with session.get(path, name=name, allow_redirects=False, catch_response=True) as response:
        if response.status_code != 200:
            response.failure(f"status {response.status_code}")
