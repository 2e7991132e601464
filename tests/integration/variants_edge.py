"""Broken variants for the streaming, limits and timeouts, static, security, host families."""

from __future__ import annotations

from tests.integration.variant_model import Variant

EDGE: tuple[Variant, ...] = ()
