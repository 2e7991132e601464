"""docs/architecture.md names every module of harness/ in its map, so a stranger finds each."""

import re

from harness.paths import PROJECT_ROOT

ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"
HARNESS = PROJECT_ROOT / "harness"


def _map_block() -> str:
    text = ARCHITECTURE.read_text("utf-8")
    section = text.split("## The map of the code", 1)[1]
    return section.split("```", 2)[1]


def test_every_module_of_harness_is_in_the_readme_map():
    block = _map_block()
    missing = []
    for path in sorted(HARNESS.rglob("*.py")):
        relative = path.relative_to(HARNESS)
        if "data" in relative.parts or relative == relative.with_name("__init__.py"):
            continue
        if len(relative.parts) == 1:
            named = re.search(rf"\b{re.escape(relative.name)}\b", block)
        else:  # a package's modules are listed by stem on its lines
            named = f"{relative.parts[0]}/" in block and re.search(
                rf"\b{re.escape(path.stem)}\b", block
            )
        if not named:
            missing.append(str(relative))
    assert not missing, f"docs/architecture.md does not name: {missing}"
