"""Load profile of the registry: National Focal Points searching the expert directory and opening
country pages. Driven by benchmarks/registry_load.py (which prepares the data and the server)."""

import os
import random
import re

from locust import HttpUser, between, task

COUNTRY_IDS = [int(value) for value in os.environ["BENCH_COUNTRY_IDS"].split(",")]
USERNAMES = os.environ.get("BENCH_USERS", "nfp-kz").split(",")
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-password-2026")
SEARCH_TERMS = ["border", "biosafety", "forensic", "detection", "legal", "zoonotic", "radiation", "chemical",
                "laboratory", "decontamination", "first response", "export", "Nur", "Ali", "Kim", "Marie"]
FILTERS = [{}, {"domain": "B"}, {"domain": "C", "deployable_now": "true"}, {"min_level": "3"}, {"language": ""}]


class FocalPoint(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": random.choice(USERNAMES), "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login", allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]

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
