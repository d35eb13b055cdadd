from django.urls import path

from heco.printing import views

app_name = "printing"
urlpatterns = [
    path("q/<str:code>", views.short_link, name="short-link"),
    path("print/<str:kind>/<str:ident>.pdf", views.download, name="download"),
]
