"""Public pages. One module per area; the URLconf imports the view functions from here."""

from heco.site.views.meta import healthz, robots, root, sitemap_index, sitemap_section
from heco.site.views.pages import (
    asset_detail,
    community_detail,
    home,
    network_detail,
    organisation_detail,
)
from heco.site.views.programme import (
    event_calendar,
    event_detail,
    event_list,
    service_detail,
    service_list,
)
from heco.site.views.search import search

__all__ = [
    "asset_detail",
    "community_detail",
    "event_calendar",
    "event_detail",
    "event_list",
    "healthz",
    "home",
    "network_detail",
    "organisation_detail",
    "robots",
    "root",
    "search",
    "service_detail",
    "service_list",
    "sitemap_index",
    "sitemap_section",
]
