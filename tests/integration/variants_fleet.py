"""Broken variants for the balancing, lifecycle, websocket, tls families."""

from __future__ import annotations

from tests.integration.variant_model import Variant

FLEET: tuple[Variant, ...] = ()
