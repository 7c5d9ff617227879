"""The site's URLs plus a hello-world view: the yardstick every page is measured against, on the same server."""

from django.http import HttpResponse
from django.urls import path

from visitaizu.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
