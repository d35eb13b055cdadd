"""The sitemaps: every public page in all six languages, each URL with its hreflang alternates
(xhtml:link) and an x-default. Drafts, withdrawn records and tombstones are left out.
``/sitemap.xml`` is an index of ``/sitemaps/<section>-<page>.xml`` (views/meta.py)."""

from django.contrib.sitemaps import Sitemap

from heco.heritage.models import Asset
from heco.network.models import Community, Network, Organisation
from heco.programme.models import Event, Service
from heco.site.reversing import cached_reverse
from heco.systems.models import HeritagePass, Route


class I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000  # URLs per sitemap file (Django pages i18n sitemaps by record x language)


class StaticSitemap(I18nSitemap):
    priority = 0.8
    changefreq = "daily"

    def items(self):
        return [
            "site:home",
            "site:search",
            "site:services",
            "site:events",
            "site:calendar",
            "systems:routes",
            "systems:passes",
            "systems:calendar",
            "systems:service-map",
        ]

    def location(self, item):
        return cached_reverse(item)


class SlugSitemap(I18nSitemap):
    url_name = ""

    def location(self, item):
        return cached_reverse(self.url_name, kwargs={"slug": item.slug})


class AssetSitemap(SlugSitemap):
    url_name = "site:asset"
    priority = 0.7

    def items(self):
        return Asset.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item):
        return item.updated_at


class ServiceSitemap(AssetSitemap):
    url_name = "site:service"
    priority = 0.5

    def items(self):
        return Service.objects.published().only("slug", "updated_at").order_by("slug")


class EventSitemap(AssetSitemap):
    url_name = "site:event"
    priority = 0.5

    def items(self):
        return Event.objects.published().only("slug", "updated_at").order_by("slug")


class OrganisationSitemap(SlugSitemap):
    url_name = "site:organisation"

    def items(self):
        return Organisation.objects.only("slug").order_by("slug")


class CommunitySitemap(SlugSitemap):
    url_name = "site:community"

    def items(self):
        return Community.objects.only("slug").order_by("slug")


class NetworkSitemap(SlugSitemap):
    url_name = "site:network"

    def items(self):
        return Network.objects.only("slug").order_by("slug")


class RouteSitemap(AssetSitemap):
    url_name = "systems:route"

    def items(self):
        return Route.objects.published().only("slug", "updated_at").order_by("slug")


class PassSitemap(AssetSitemap):
    url_name = "systems:pass"

    def items(self):
        return HeritagePass.objects.published().only("slug", "updated_at").order_by("slug")


SITEMAPS = {
    "pages": StaticSitemap,
    "assets": AssetSitemap,
    "organisations": OrganisationSitemap,
    "communities": CommunitySitemap,
    "networks": NetworkSitemap,
    "services": ServiceSitemap,
    "events": EventSitemap,
    "routes": RouteSitemap,
    "passes": PassSitemap,
}


def sitemap_files() -> list[tuple[str, int]]:
    """(section, page) of every sitemap file ``/sitemap.xml`` names; empty sections have none."""
    files = []
    for section, sitemap_class in SITEMAPS.items():
        paginator = sitemap_class().paginator
        if paginator.count:
            files.extend((section, number) for number in paginator.page_range)
    return files
