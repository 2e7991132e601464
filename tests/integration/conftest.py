"""Integration tests run real containers: they need the Docker engine."""

import importlib
import math

import pytest

from harness.engine import engine
from harness.errors import EngineError


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "timing: measures time or container resources, so `make test` runs it outside its "
        "parallel part",
    )


# The modules that take longest (measured: 160 s, 100 s, 45 s) start first, so the other
# workers fill the time with variants instead of waiting on them at the end.
LONGEST_FIRST = ("test_matrix.py", "test_installed_wheel.py", "test_own_files_and_chain.py")


def pytest_collection_modifyitems(items):
    """Every integration test needs Docker. Under xdist (`make test`) the tests spread one by
    one over the workers, the longest modules' first. Not a module whole per worker: the groups
    meant for that were read by xdist before they were set, so every measured run spread test
    by test (the Docker part: 566-744 s on clean clones); the one run with working groups took
    925 s (with other changes of the same session), its modules' tests, most of them a pytest
    run or a stack of their own, one after another on one worker."""
    for item in items:
        if "integration" in item.nodeid:
            item.add_marker(pytest.mark.docker)
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)


@pytest.fixture(scope="session", autouse=True)
def _engine_available():
    try:
        engine()
    except EngineError as error:
        pytest.fail(f"integration tests need the Docker engine: {error}")


def scenario_count(module: str) -> int:
    """How many cases a module of scenarios/ makes for one plain (HTTP/1.1) stack: each
    scenario once per combination of its parametrized inputs."""
    loaded = importlib.import_module(f"scenarios.{module.removesuffix('.py')}")
    total = 0
    for name, function in vars(loaded).items():
        if name.startswith("test_") and callable(function):
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
            total += math.prod(len(list(m.args[1])) for m in marks)
    return total
