"""`harness build --stack-file F` builds each stack's own image (overrides.dockerfile) as
`harness test` would, not only the base and app images; a failing step of that Dockerfile
ends it with exit 5 and a message naming the stack, the Dockerfile, the step and the tail of
the build log."""

from __future__ import annotations

import re
from pathlib import Path

from harness.engine import engine
from harness.exitcodes import ExitCode
from tests.unit.cli_process import harness

BASE = "nginx-gunicorn-gthread-flask"


def own_stack(folder: Path, stack_id: str, steps: str) -> Path:
    """A stack file in `folder` whose stack builds the Dockerfile beside it: FROM our base,
    then `steps`."""
    folder.mkdir()
    (folder / "Dockerfile").write_text(
        f"ARG HARNESS_BASE_IMAGE\nFROM ${{HARNESS_BASE_IMAGE}}\n{steps}\n", encoding="utf-8"
    )
    path = folder / "stack.toml"
    path.write_text(
        f'[[stacks]]\nid = "{stack_id}"\nextends = "{BASE}"\n'
        '[stacks.overrides]\ndockerfile = "Dockerfile"\n',
        encoding="utf-8",
    )
    return path


def test_build_builds_the_own_image_and_a_failing_step_ends_it_with_5(tmp_path):
    # A mark of this run in the Dockerfile: its content hash, so its tag, is new; never reused.
    fine = own_stack(tmp_path / "fine", "own-fine", f"ENV HARNESS_TEST_RUN={tmp_path.name}")
    built = harness("build", "--stack-file", str(fine))
    tags = re.findall(r"^built\s+(deploy-harness/own:\S+)", built.stdout, re.MULTILINE)
    try:
        assert built.returncode == ExitCode.OK, built.stdout + built.stderr
        assert len(tags) == 1, built.stdout
        assert "deploy-harness/app:" in built.stdout, built.stdout  # and what the stack runs
        again = harness("build", "--stack-file", str(fine))
        assert again.returncode == ExitCode.OK and f"reused {tags[0]}" in again.stdout, again
    finally:
        for tag in tags:
            engine().images.remove(tag, force=True)

    # The failing step right after FROM: the failed build leaves no cached layer behind.
    broken = own_stack(tmp_path / "broken", "own-broken", "RUN echo broken-own-step >&2; exit 3")
    failed = harness("build", "--stack-file", str(broken))
    output = failed.stdout + failed.stderr
    assert failed.returncode == ExitCode.IMAGE_BUILD, output
    assert "Traceback" not in output, output
    message, _, tail = failed.stderr.partition("last lines:")
    assert "stack own-broken's own image" in message, message
    assert f"from {broken.parent / 'Dockerfile'} failed at Step 3/" in message, message
    assert ": RUN echo broken-own-step >&2; exit 3" in message, message
    assert "returned a non-zero code: 3" in message, message
    assert "broken-own-step" in tail, tail
