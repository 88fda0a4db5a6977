"""Shared pytest fixtures: the personas' world (cbrnet.core.testing) and clients logged in as them."""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are about hashing set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from cbrnet.core.testing import build_world

    return build_world()


@pytest.fixture
def client_as():
    from cbrnet.core.testing import client_for

    return client_for
