"""Public newsletter pages under /<lang>/ (mounted with i18n_patterns in heco/urls.py)."""

from django.urls import path

from heco.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    # before "<slug>/": a list cannot be called "my-data"
    path("newsletter/my-data/", views.data_request, name="data-request"),
    path("newsletter/my-data/<str:token>/", views.my_data, name="my-data"),
    path("newsletter/my-data/<str:token>/export/", views.my_data_export, name="my-data-export"),
    path("newsletter/my-data/<str:token>/erase/", views.my_data_erase, name="my-data-erase"),
    path("newsletter/<slug:slug>/", views.signup, name="signup"),
    path("newsletter/<slug:slug>/archive/", views.archive, name="archive"),
    path("newsletter/<slug:slug>/archive/<slug:edition>/", views.edition_page, name="edition"),
]
