"""The proxy middleware of Django's request/response documentation: when a forwarded header went
through several proxies ("client, proxy1, proxy2"), keep only the value the last one added."""

FORWARDED_FIELDS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_SERVER")


class MultipleProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for field in FORWARDED_FIELDS:
            value = request.META.get(field)
            if value is not None and "," in value:
                request.META[field] = value.split(",")[-1].strip()
        return self.get_response(request)
