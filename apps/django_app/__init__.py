"""The Django reference app: the contract in ``apps/CONTRACT.md`` under WSGI and ASGI.

Entry points: ``django_app.wsgi:application`` and ``django_app.asgi:application`` (HTTP through
Django, WebSockets through Channels), both with settings ``django_app.settings``.
"""
