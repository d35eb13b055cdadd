from django.urls import path

from heco.api.api import api

urlpatterns = [path("", api.urls)]
