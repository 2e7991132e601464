"""Integration tests run real containers: they need the Docker engine."""

import pytest

from harness.errors import EngineError
from harness.runtime import engine


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in item.nodeid:
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session", autouse=True)
def _engine_available():
    try:
        engine()
    except EngineError as error:
        pytest.fail(f"integration tests need the Docker engine: {error}")
