from django.http import JsonResponse


def home(request):
    """chatsite's own page."""
    return JsonResponse({"site": "chatsite", "secure": request.is_secure()})


def room(request, name):
    """Where a page of room `name` opens its socket: the public address, as the client used it."""
    scheme = "wss" if request.is_secure() else "ws"
    return JsonResponse(
        {"room": name, "socket": f"{scheme}://{request.get_host()}/ws/chat/{name}/"}
    )
