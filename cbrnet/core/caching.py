"""Version tokens for values cached across requests: a cached value's key holds the version of the
data it was built from, and any change of that data moves the version on, so stale entries are
never read again (they expire by themselves).

    key = f"country-page:{pk}:{version('registry-data')}"
    ...
    bump("registry-data")        # from a signal receiver, inside the writing transaction
"""

import secrets

from django.core.cache import cache
from django.db import transaction


def version(name: str) -> str:
    """The current version token of `name`."""
    key = f"version:{name}"
    token = cache.get(key)
    if token is None:
        # A random token, never a counter that restarts: if the cache lost the key (evicted,
        # restarted), a value cached under an earlier version must not be read again.
        cache.add(key, secrets.token_hex(8), None)
        token = cache.get(key, "")
    return token


def bump(name: str) -> None:
    """Move `name` on: at once (later reads in this transaction see the change) and again when the
    transaction commits, so that a value another request rebuilt in between from the data as it was
    before the commit is never read either."""
    key = f"version:{name}"
    cache.set(key, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), None))
