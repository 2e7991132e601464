from django.http import JsonResponse


def home(request):
    """mysite's own page."""
    return JsonResponse({"site": "mysite", "secure": request.is_secure()})
