"""Load profile of the registry: National Focal Points searching the expert directory and opening
country pages. Driven by benchmarks/registry_load.py (which prepares the data and the server).

The statistics start BENCH_WARMUP seconds after every user has signed in (BENCH_USER_COUNT users)
and the run stops BENCH_DURATION seconds later: sign-in hashes passwords with Argon2 on purpose, and
each server worker's first pages load its templates and caches; neither is the steady state being
measured.
"""

import os
import random
import re

import gevent
from gevent.event import Event
from locust import HttpUser, between, task

COUNTRY_IDS = [int(value) for value in os.environ["BENCH_COUNTRY_IDS"].split(",")]
USERNAMES = os.environ.get("BENCH_USERS", "nfp-kz").split(",")
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-password-2026")
USER_COUNT = int(os.environ.get("BENCH_USER_COUNT", "0"))  # 0: start measuring at once
DURATION = float(os.environ.get("BENCH_DURATION", "0"))  # seconds measured; 0: until locust's -t
WARMUP = float(os.environ.get("BENCH_WARMUP", "0"))  # seconds of load before the statistics start
SEARCH_TERMS = ["border", "biosafety", "forensic", "detection", "legal", "zoonotic", "radiation", "chemical",
                "laboratory", "decontamination", "first response", "export", "Nur", "Ali", "Kim", "Marie"]
FILTERS = [{}, {"domain": "B"}, {"domain": "C", "deployable_now": "true"}, {"min_level": "3"}, {"language": ""}]

everyone_signed_in = Event()
signed_in = 0


class FocalPoint(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        global signed_in
        page = self.client.get("/accounts/login/", name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": random.choice(USERNAMES), "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login", allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        signed_in += 1
        if signed_in == USER_COUNT:
            gevent.spawn_later(WARMUP, self.start_measuring)
            everyone_signed_in.set()
        if USER_COUNT:
            everyone_signed_in.wait()

    def start_measuring(self):
        runner = self.environment.runner
        runner.stats.reset_all()
        if os.environ.get("BENCH_START_MARKER"):  # registry_load.py reads the server's CPU time from here
            with open(os.environ["BENCH_START_MARKER"], "w") as marker:
                marker.write("measuring\n")
        if DURATION:
            gevent.spawn_later(DURATION, runner.quit)

    @task(3)
    def expert_directory_search(self):
        params = {"q": random.choice(SEARCH_TERMS), **random.choice(FILTERS)}
        params = {key: value for key, value in params.items() if value}
        with self.client.get("/registry/experts/", params=params, name="expert directory search",
                             catch_response=True) as response:
            if "record" not in response.text:
                response.failure("no result summary on the page")

    @task(2)
    def country_page(self):
        with self.client.get(f"/registry/countries/{random.choice(COUNTRY_IDS)}/", name="country page",
                             catch_response=True) as response:
            if "National Focal Point" not in response.text:
                response.failure("not a country page")
