from django.urls import path

from . import views
from .oai import views as oai_views

app_name = "aggregation"
urlpatterns = [
    path("oai", oai_views.endpoint, name="oai"),
    path("assets/<uuid:pk>", views.asset_resource, name="asset-resource"),
    path("assets/<uuid:pk>.jsonld", views.asset_data, {"extension": "jsonld"}, name="asset-jsonld"),
    path("assets/<uuid:pk>.rdf", views.asset_data, {"extension": "rdf"}, name="asset-rdf"),
    path("assets/<uuid:pk>.ttl", views.asset_data, {"extension": "ttl"}, name="asset-ttl"),
    path("iiif/collection", views.collection, name="iiif-collection"),
    path(
        "iiif/collection/<slug:slug>",
        views.organisation_collection,
        name="iiif-organisation-collection",
    ),
    path("iiif/<uuid:pk>/manifest", views.manifest, name="iiif-manifest"),
    path("iiif/image/<int:media_id>", views.image_service, name="iiif-image-service"),
    path("iiif/image/<int:media_id>/info.json", views.image_info, name="iiif-image-info"),
    path(
        "iiif/image/<int:media_id>/<str:region>/<str:size>/<str:rotation>/<str:filename>",
        views.image,
        name="iiif-image",
    ),
]
