"""Integration tests run real containers: they need the Docker engine."""

import pytest

from harness.errors import EngineError
from harness.paths import PROJECT_ROOT
from harness.run.runtime import engine


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


def scenario_count(module: str) -> int:
    """How many scenarios a module of scenarios/ defines (each runs once per stack here)."""
    source = (PROJECT_ROOT / "scenarios" / module).read_text(encoding="utf-8")
    return sum(1 for line in source.splitlines() if line.startswith("def test_"))
