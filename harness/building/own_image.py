"""Images made from a stack file: your Dockerfile built FROM our base, and files layered
into the app image a stack runs. No hand-built image, no tag to copy from build output.

Your Dockerfile names our base through a build argument the harness sets:

    ARG HARNESS_BASE_IMAGE
    FROM ${HARNESS_BASE_IMAGE}

(`harness base` prints it, for a build by hand: `docker build --build-arg
HARNESS_BASE_IMAGE=$(harness base) .`). The build context is the Dockerfile's folder (top-level
names starting with "." and virtualenv folders left out) plus `harness-support/`: `wheels/`,
the wheels of `overrides.requirements` downloaded on this host for the image's Python (install
them with `pip install --no-index --find-links harness-support/wheels`), and
`harness_contract/`, the contract adapter. Nothing in the build uses the network.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import harness_contract
from harness.building.hashing import content_hash, tree_files
from harness.building.images import (
    BuildOutcome,
    _build_context,
    _exists,
    base_tag,
    label_instruction,
)
from harness.building.wheelhouse import ensure_wheelhouse
from harness.paths import file_lock
from harness.progress import Progress
from harness.spec.model import StackSpec

SUPPORT = "harness-support"
_LEFT_OUT = {"venv", "node_modules", "__pycache__"}
CONTRACT_DIR = Path(harness_contract.__file__).parent


def _context_files(folder: Path) -> Iterator[Path]:
    for path in tree_files(folder):
        top = path.relative_to(folder).parts[0]
        if not (top.startswith(".") or top in _LEFT_OUT or top == SUPPORT):
            yield path


def ensure_own_image(spec: StackSpec, progress: Progress) -> BuildOutcome:
    """The stack's own app image from its Dockerfile, built only when an input changed."""
    dockerfile = spec.overrides.dockerfile
    assert dockerfile is not None
    folder, started = dockerfile.parent, time.monotonic()
    base = base_tag(spec.suite)
    requirements = spec.overrides.requirements
    wheels = (
        ensure_wheelhouse(requirements, spec.suite.python_version, progress)
        if requirements
        else None
    )
    sources = sorted(_context_files(folder))
    wheel_names = "\n".join(sorted(p.name for p in wheels.glob("*.whl"))) if wheels else ""
    digest = content_hash([base, *sources, *(str(p.relative_to(folder)) for p in sources),
                           wheel_names, CONTRACT_DIR])  # fmt: skip
    tag = f"deploy-harness/own:{spec.suite}-{digest}"
    with file_lock(f"own-{digest}"):
        if _exists(tag):
            return BuildOutcome(tag, built=False, seconds=time.monotonic() - started)
        files = {str(p.relative_to(folder)): p for p in sources}
        files[f"{SUPPORT}/harness_contract"] = CONTRACT_DIR
        with tempfile.TemporaryDirectory(prefix="harness-own-") as empty:
            files[f"{SUPPORT}/wheels"] = wheels or Path(empty)
            what = f"stack {spec.id}'s own image {tag} from {dockerfile}"
            with progress.task(f"building {what}"):
                text = dockerfile.read_text(encoding="utf-8")
                text = f"{text.rstrip()}\n{label_instruction('own')}\n"
                _build_context(tag, text, files, {"HARNESS_BASE_IMAGE": base}, what=what)
    return BuildOutcome(tag, built=True, seconds=time.monotonic() - started)


def ensure_files_layer(spec: StackSpec, image: str, progress: Progress) -> BuildOutcome:
    """`image` with the stack's overrides.files copied in (readable by every user)."""
    started = time.monotonic()
    targets = sorted(spec.overrides.files.items())
    # One step per file and one label: COPY writes as root whatever the image's user, and the
    # context's files are made readable by every user (no `RUN chmod`, no USER switches: on
    # this engine each step walks the whole image, 9-10 s).
    lines = [f"FROM {image}", label_instruction("app")]
    lines += [f'COPY ["files/{n}", "{target}"]' for n, (target, _) in enumerate(targets)]
    dockerfile = "\n".join(lines) + "\n"
    digest = content_hash([dockerfile, *(source for _, source in targets)])
    tag = f"deploy-harness/app:{spec.suite}-files-{digest}"
    with file_lock(f"files-{digest}"):
        if _exists(tag):
            return BuildOutcome(tag, built=False, seconds=time.monotonic() - started)
        files = {f"files/{n}": source for n, (_, source) in enumerate(targets)}
        with progress.task(f"adding {len(targets)} file(s) of {spec.id} to {image}"):
            _build_context(tag, dockerfile, files, readable=True)
    return BuildOutcome(tag, built=True, seconds=time.monotonic() - started)
