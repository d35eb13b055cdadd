"""The project's URLs plus ``/bench/minimal``: the cheapest Django response, as a baseline."""

from django.http import HttpResponse
from django.urls import path

from heco.urls import urlpatterns as heco_urlpatterns


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal", minimal), *heco_urlpatterns]
