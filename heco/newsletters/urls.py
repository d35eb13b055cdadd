"""Public newsletter pages under /<lang>/ (mounted with i18n_patterns in heco/urls.py)."""

from django.urls import path

from heco.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/<slug:slug>/", views.signup, name="signup"),
    path("newsletter/<slug:slug>/archive/", views.archive, name="archive"),
    path("newsletter/<slug:slug>/archive/<slug:edition>/", views.edition_page, name="edition"),
]
