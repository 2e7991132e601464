"""Skip a case whose stack holds a value too large to prove here (harness/spec/expectations.py)."""

from __future__ import annotations

import pytest

from harness.spec.expectations import Expectation, unprovable
from harness.spec.model import StackSpec


def need_provable(spec: StackSpec, *expectations: Expectation) -> None:
    """Skip, saying why, when any of these expected values is beyond what a case proves here:
    a config whose user set a 60 s read timeout or a 4 GiB body limit is not wrong."""
    reason = unprovable(spec, *expectations)
    if reason is not None:
        pytest.skip(reason)
