"""`/form`: a form POST protected against cross-site requests (apps/CONTRACT.md).

Flask has no CSRF protection of its own; this does what Django's CsrfViewMiddleware does for
a same-origin form: a token in a cookie that the request must repeat in `X-CSRFToken`, and an
`Origin` (for https without one, a `Referer`) equal to the origin the app believes it serves:
its scheme, host and port, as the proxy and the trust layer gave them.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, jsonify, request

__all__ = ["CSRF_COOKIE", "register_form_routes"]

CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "X-CSRFToken"


def form_token() -> Response:
    """Hand out the CSRF token, kept in the `csrftoken` cookie."""
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = jsonify(token=token)
    response.set_cookie(CSRF_COOKIE, token, path="/", samesite="Lax", secure=request.is_secure)
    return response


def form_post() -> Response:
    """Accept the POST only from the app's own origin, with the cookie's token repeated."""
    refusal = csrf_refusal()
    if refusal is not None:
        response = jsonify(error=f"CSRF verification failed: {refusal}")
        response.status_code = 403
        return response
    return jsonify(accepted=True)


def csrf_refusal() -> str | None:
    """Why the request fails the CSRF check, or None when it passes."""
    own_origin = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin is not None and origin != own_origin:
        return f"Origin {origin} does not match {own_origin}"
    referer = request.headers.get("Referer", "")
    if origin is None and request.is_secure and not referer.startswith(own_origin + "/"):
        return f"Referer {referer!r} is not on {own_origin}"
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, request.headers.get(CSRF_HEADER, "")):
        return f"the {CSRF_HEADER} header does not repeat the {CSRF_COOKIE} cookie"
    return None


def register_form_routes(app: Flask) -> None:
    """Add `/form` to `app`."""
    app.add_url_rule("/form", view_func=form_token, methods=["GET"])
    app.add_url_rule("/form", endpoint="form_post", view_func=form_post, methods=["POST"])
