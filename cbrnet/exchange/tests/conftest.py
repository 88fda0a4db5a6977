from cbrnet.sharing.tests.conftest import people  # noqa: F401 - the extra personas of ACCESS.md
