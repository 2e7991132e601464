"""The client's address from our nginx, which sets X-Real-IP to the peer it saw."""


class ClientAddressFromProxy:
    """Only nginx can reach gunicorn (private network), so its X-Real-IP is trusted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        real = request.META.get("HTTP_X_REAL_IP")
        if real:
            request.META["REMOTE_ADDR"] = real
        return self.get_response(request)
