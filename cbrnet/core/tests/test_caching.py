"""Version tokens of cached values, and the access context's key for anything cached per user."""

import pytest
from django.core.cache import cache

from cbrnet.access.context import UserContext, user_context
from cbrnet.core import caching

pytestmark = pytest.mark.django_db


def test_a_bump_moves_the_version_on_and_a_lost_version_never_comes_back():
    first = caching.version("test-data")
    assert caching.version("test-data") == first
    caching.bump("test-data")
    second = caching.version("test-data")
    assert second != first
    cache.delete("version:test-data")  # evicted
    assert caching.version("test-data") not in (first, second)


def test_the_context_key_is_the_same_whatever_the_order_of_a_set():
    one = UserContext(user_id=3, active=True, roles=frozenset(["focal_point", "editor", "viewer"]),
                      network_ids=frozenset([5, 1, 3]))
    other = UserContext(user_id=3, active=True, roles=frozenset(["viewer", "focal_point", "editor"]),
                        network_ids=frozenset([3, 5, 1]), extra={"memo": 1})
    assert one.cache_key == other.cache_key


def test_the_context_key_differs_when_rights_differ(world):
    keys = {user_context(user).cache_key for user in (world.nfp_kz, world.nfp_uz, world.sec_ca, world.outsider, world.admin)}
    assert len(keys) == 5
    base = UserContext(user_id=3, active=True, focal_point_country_ids=frozenset([1]))
    assert base.cache_key != UserContext(user_id=3, active=True, focal_point_country_ids=frozenset([2])).cache_key
    assert base.cache_key != UserContext(user_id=3, active=True, team_country_ids=frozenset([1])).cache_key
    assert base.cache_key != UserContext(user_id=4, active=True, focal_point_country_ids=frozenset([1])).cache_key
