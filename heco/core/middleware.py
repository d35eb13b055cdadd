class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers on every response (no third-party scripts)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; "
                "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; "
                "base-uri 'self'; form-action 'self'"
            )
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        return response
