"""The public API is what harness/__init__.py exports, and nothing drifts from it."""

import harness


def test_public_names_exist():
    for name in harness.__all__:
        assert hasattr(harness, name), name


def test_public_api_is_stable():
    assert sorted(harness.__all__) == sorted(
        [
            "ConfigError",
            "EngineError",
            "HarnessError",
            "HarnessSession",
            "ImageBuildError",
            "ReadinessTimeout",
            "Stack",
            "StackError",
            "StackSpec",
            "StackStartError",
            "load_stack_file",
            "select_stacks",
        ]
    )
