"""Query parameters of the contract: numbers clamped to a ceiling; 400 when malformed."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse

View = Callable[[HttpRequest], HttpResponseBase]

MAX_COUNT = 1000
MAX_INTERVAL_MS = 10_000
MAX_SLEEP_MS = 120_000
MAX_HEADER_SIZE = 1024 * 1024
MAX_BYTES = 64 * 1024 * 1024
MAX_SEEN_LIMIT = 1000


class BadParameter(ValueError):
    """A query parameter that is missing or malformed; the view answers 400."""


def int_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    """Return query parameter ``name`` as an int in ``[0, maximum]``; larger values are clamped.

    Absent or empty gives ``default``; anything but a non-negative integer raises
    ``BadParameter`` naming the parameter, what was given and what is allowed.
    """
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise BadParameter(f"query parameter {name}={raw!r}: expected a whole number >= 0")
    return min(value, maximum)


def text_param(request: HttpRequest, name: str) -> str:
    """Return the required, non-empty query parameter ``name``; absent raises ``BadParameter``."""
    value = request.GET.get(name, "")
    if not value:
        raise BadParameter(f"query parameter {name!r} is required, e.g. ?{name}=demo")
    return value


def rejects_bad_parameters(view: View) -> View:
    """Wrap ``view`` so that a ``BadParameter`` it raises becomes 400 ``{"error": ...}``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponseBase:
        try:
            return view(request)
        except BadParameter as error:
            return JsonResponse({"error": str(error)}, status=400)

    return wrapper
