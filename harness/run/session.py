"""One harness run: its identity, temp dir, images, test CA, and the stacks it started.

A session is what the pytest plugin and the CLI share. Closing it removes every container
and network of its run, even those of stacks whose start-up failed half way.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from harness.building.images import (
    BuildOutcome,
    check_own_image,
    ensure_base,
    ensure_stack_app_image,
)
from harness.building.own_image import ensure_files_layer, ensure_own_image
from harness.progress import Progress
from harness.run.boundary import docker_errors
from harness.run.runtime import RunIdentity, remove_resources
from harness.run.stack import Stack, StackImages
from harness.run.tls import TestCertificates
from harness.spec.model import StackSpec, Suite
from harness.spec.pins import Pin


class HarnessSession:
    """Builds what stacks need (once per run) and starts stacks labelled with this run's id."""

    def __init__(
        self, progress: Progress | None = None, identity: RunIdentity | None = None
    ) -> None:
        self.identity = identity or RunIdentity.new()
        self.progress = progress or Progress()
        self.temp_dir = Path(tempfile.mkdtemp(prefix=f"deploy-harness-{self.identity.run_id}-"))
        self.builds: list[BuildOutcome] = []
        self._images: dict[tuple[Suite, tuple[Pin, ...], object], StackImages] = {}
        self._certificates: TestCertificates | None = None

    def images_for(self, spec: StackSpec) -> StackImages:
        """The base image of the spec's suite and the app image of its suite and pin set
        (with the stack's overrides.files layered in), built on first use in this run."""
        files = () if spec.overrides.image else tuple(sorted(spec.overrides.files.items()))
        key = (spec.suite, spec.packages, files)
        if key not in self._images:
            base = ensure_base(spec.suite, self.progress)
            apps = ensure_stack_app_image(spec, self.progress)
            if files:
                apps.append(ensure_files_layer(spec, apps[-1].tag, self.progress))
            self.builds += [base, *apps]
            self._images[key] = StackImages(base=base.tag, app=apps[-1].tag)
        return self._images[key]

    def build(self, spec: StackSpec) -> StackSpec:
        """Every image the stack runs, built or reused (recorded in `builds`): its own image
        from its stack file's Dockerfile and files, the base and the app image. Returns the
        spec as it runs: `overrides.image` names its own image, when it has one."""
        spec = self.prepared(spec)
        check_own_image(spec)
        self.images_for(spec)
        return spec

    def prepared(self, spec: StackSpec) -> StackSpec:
        """The spec with what its stack file asks built: its own image from its Dockerfile,
        run as `overrides.image`, with its `overrides.files` layered in."""
        if spec.overrides.dockerfile is not None:
            base = ensure_base(spec.suite, self.progress)
            own = ensure_own_image(spec, self.progress)
            self.builds += [base, own]
            spec = replace(spec, overrides=replace(spec.overrides, image=own.tag))
        if spec.overrides.files and spec.overrides.image is not None:
            check_own_image(spec)
            layered = ensure_files_layer(spec, spec.overrides.image, self.progress)
            self.builds.append(layered)
            spec = replace(spec, overrides=replace(spec.overrides, image=layered.tag))
        return spec

    @property
    def certificates(self) -> TestCertificates:
        """This run's test CA and server certificate, issued on first use."""
        if self._certificates is None:
            self._certificates = TestCertificates.issue(self.temp_dir / "tls")
        return self._certificates

    def stack(self, spec: StackSpec) -> Stack:
        """A stack for this spec, not yet started. Its proxy serves the stack file's own
        certificate chain when it names one (overrides.tls_*), else this run's test PKI."""
        certificates = self.certificates if spec.tls else None
        own = spec.overrides
        if spec.tls and own.tls_chain and own.tls_key and own.tls_ca:
            folder = self.temp_dir / "tls-own" / spec.id
            certificates = TestCertificates.from_files(
                own.tls_chain, own.tls_key, own.tls_ca, folder
            )
        return Stack(spec, self.identity, self.images_for(spec), certificates)

    def start(self, spec: StackSpec) -> Stack:
        """Build what the stack needs and start it; a docker-py error becomes a harness error
        naming the stack (harness/run/boundary.py)."""
        stack = self.stack(self.build(spec))
        with docker_errors(spec.id), self.progress.task(f"starting stack {spec.id}"):
            return stack.up()

    def close(self) -> list[str]:
        """Remove everything this run created: containers, networks, keys."""
        removed = remove_resources(run_id=self.identity.run_id)
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        return removed
