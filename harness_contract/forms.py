"""/form: a form POST protected against cross-site requests, for apps without CSRF protection
of their own (the WSGI and ASGI middleware, Flask). Django's adapter answers /form with its own
view instead, through YOUR CSRF settings (harness_contract.django).

It does what Django's CsrfViewMiddleware does for a same-origin form: a token in a cookie
that the POST must repeat in `X-CSRFToken`, and an `Origin` (for https without one, a
`Referer`) equal to the origin the app believes it serves: the scheme and host it was given,
through the proxy and whatever trusts the proxy's headers."""

from __future__ import annotations

import hmac
import secrets

from harness_contract.model import Answer, Endpoint, Request, cookie

CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "X-CSRFToken"


def request_cookies(request: Request) -> dict[str, str]:
    """The request's cookies by name (the first of a repeated name wins, as browsers send
    the most specific first)."""
    found: dict[str, str] = {}
    for pair in request.view.header("Cookie").split(";"):
        name, _, value = pair.strip().partition("=")
        found.setdefault(name, value)
    return found


def form(request: Request) -> Answer:
    """GET: the token, kept in the `csrftoken` cookie. POST: accepted only past the check."""
    if request.view.method == "POST":
        refusal = csrf_refusal(request)
        if refusal is not None:
            return Answer.json(403, {"error": f"CSRF verification failed: {refusal}"})
        return Answer.json(200, {"accepted": True})
    token = request_cookies(request).get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    set_cookie = cookie(CSRF_COOKIE, token, request.view.is_secure, http_only=False)
    return Answer.json(200, {"token": token}, [("Set-Cookie", set_cookie)])


def csrf_refusal(request: Request) -> str | None:
    """Why the POST fails the CSRF check, or None when it passes."""
    view = request.view
    own_origin = f"{view.scheme}://{view.host}"
    origin = view.header("Origin") or None
    if origin is not None and origin != own_origin:
        return f"Origin {origin} does not match {own_origin}"
    referer = view.header("Referer")
    if origin is None and view.is_secure and not referer.startswith(own_origin + "/"):
        return f"Referer {referer!r} is not on {own_origin}"
    token = request_cookies(request).get(CSRF_COOKIE, "")
    repeated = view.header(CSRF_HEADER).encode()  # bytes: compare_digest refuses non-ASCII str
    if not token or not hmac.compare_digest(token.encode(), repeated):
        return f"the {CSRF_HEADER} header does not repeat the {CSRF_COOKIE} cookie"
    return None


ROUTES = {"/form": Endpoint(form, {"GET", "HEAD", "POST"})}
