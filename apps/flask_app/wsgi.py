"""WSGI entry point: `flask_app.wsgi:app`, configured from the process environment."""

from .app import create_app

__all__ = ["app"]

app = create_app()
