"""The Flask reference app of deploy-harness: the app contract (apps/CONTRACT.md) on Flask.

Servers load `flask_app.wsgi:app` or `flask_app.asgi:app`; tests call `create_app`.
"""

from .app import create_app
from .settings import Settings, SettingsError

__all__ = ["Settings", "SettingsError", "create_app"]
