from django.urls import path
from django.views.i18n import set_language

from heco.site import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots, name="robots"),
    path("i18n/setlang/", set_language, name="set_language"),
]
