import pytest

from cbrnet.sharing.tests.helpers import make_user


@pytest.fixture
def people(world):
    """Extra personas of ACCESS.md: viewers of TH-FP and PH-FP, an author at PH-FP, Alice and Bob."""
    from types import SimpleNamespace

    return SimpleNamespace(
        th_viewer=make_user("th-viewer", world.th_fp, "viewer"),
        ph_viewer=make_user("ph-viewer", world.ph_fp, "viewer"),
        ph_author=make_user("ph-author", world.ph_fp, "author"),
        alice=make_user("alice", world.ph_fp, "author"),
        bob=make_user("bob", world.ph_fp, "viewer"),
    )
