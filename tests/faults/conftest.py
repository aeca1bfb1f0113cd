import shutil
from collections.abc import Iterator

import pytest

from tests.faults.processes import OwnRedis


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    """A redis-server of this test's own on a free port, ended (and its files
    removed) whatever the test does."""
    server = OwnRedis()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)
