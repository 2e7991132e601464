"""The per-app state the views share: the settings and the Redis store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import Flask, current_app

from .settings import Settings
from .store import Store

__all__ = ["AppState", "current_state"]

EXTENSION_KEY = "deploy_harness"


@dataclass(frozen=True, slots=True)
class AppState:
    """What `create_app` was built with, kept in `app.extensions`."""

    settings: Settings
    store: Store

    def install(self, app: Flask) -> None:
        """Attach this state to `app`, where `current_state` finds it."""
        app.extensions[EXTENSION_KEY] = self


def current_state() -> AppState:
    """Return the state of the app handling the current request."""
    return cast(AppState, current_app.extensions[EXTENSION_KEY])
