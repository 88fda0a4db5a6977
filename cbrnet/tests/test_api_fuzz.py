"""Fuzzing the JSON API with schemathesis: every operation of /api/openapi.json, generated inputs.

The app runs in this process through its WSGI entry point; requests carry a write token of a
platform administrator or of a National Focal Point, on the personas' world (cbrnet.core.testing).
Checks: no response is a server error (5xx), and a response whose status the schema declares has
the declared shape. Each generated request runs inside a savepoint that is rolled back, so every
example starts from the same world and a failure reproduces.

Depth is set by two variables (defaults keep the run to about three minutes):
CBRNET_FUZZ_EXAMPLES, generated requests per operation and persona (default 8), and
CBRNET_FUZZ_COVERAGE=true, which adds schemathesis' coverage phase (every boundary and wrong-type
value the schema implies: about ten times longer; it is what found the many-to-many bug).

A 500 found here is fixed in the API code and gets a plain regression test in
test_api_regressions.py.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cbrnet.env import env_bool, env_int
from cbrnet.wsgi import application

# django_db: the test database is set up (and each test rolled back) as for any database test; the
# world itself is built once per module by the `tokens` fixture below.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

PERSONAS = ("admin", "nfp_kz")
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = env_int("FUZZ_EXAMPLES", 8, minimum=1)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.phases.coverage.enabled = env_bool("FUZZ_COVERAGE", False)


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The personas' world and a write token per persona, for the whole module, rolled back at its end."""
    from cbrnet.accounts.services import api_token_create
    from cbrnet.core.testing import build_world

    # The WSGI handler closes database connections at the end of each request, as a server must;
    # here it would close the test transaction. Django's test client detaches the same receiver.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_world()
            yield {
                name: api_token_create(user=getattr(world, name), name="fuzz", scope="write")[1]
                for name in PERSONAS
            }
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_api_answers_without_server_errors_and_as_declared(case, persona, tokens):
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Bearer {tokens[persona]}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
