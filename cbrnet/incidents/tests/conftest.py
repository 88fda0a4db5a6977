import pytest

from cbrnet.incidents.tests.helpers import scene_of


@pytest.fixture
def scene(world):
    return scene_of(world)
