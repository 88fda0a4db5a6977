import pytest


@pytest.fixture(autouse=True)
def empty_cache():
    """The sign-in throttle counts failures per address in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
