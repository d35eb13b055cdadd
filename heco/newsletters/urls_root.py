"""Language-neutral newsletter URLs: the one-click unsubscribe link (RFC 8058) mailed in the
List-Unsubscribe header. The page is shown in the subscriber's language."""

from django.urls import path

from heco.newsletters import views

app_name = "newsletters_root"
urlpatterns = [
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
